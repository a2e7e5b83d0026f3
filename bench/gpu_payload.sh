#!/usr/bin/env bash
# Build, on a machine with registry access, everything the lent H200 lacks for `python -m bench.gpu`
# (Python 3.12, torch 2.11.0+cu130, transformers 5.17, no network; ../shared/gpu/README.md):
#   - vLLM 0.26.0 and the packages it imports (make_vllm_payload.sh, next to the GPU notes),
#   - evalkit's own missing dependencies as cp312 manylinux wheels (pure-Python sdists built into wheels here),
#     Ray included: `bench/gpu_device.sh cluster` runs the cluster=ray CPU benchmark on the host's 16 cores.
# Everything goes into one tar cut into 54 MiB chunks, DEST/p00, p01, ... with DEST/md5: one chunk per device
# call (a call carries at most 64 MiB). The model folders and the synthetic inputs are made on the device by
# `python -m bench.gpu --part prepare` (small, and built with the device's own transformers).
#   usage: bench/gpu_payload.sh [DEST]      DEST defaults to .cache/gpu-payload (ignored by git)
# bench/GPU.md lists the device calls.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$repo/.cache/gpu-payload}
vllm_payload=${VLLM_PAYLOAD_SCRIPT:-$repo/../shared/gpu/make_vllm_payload.sh}
[ -x "$vllm_payload" ] || vllm_payload=/work/shared/gpu/make_vllm_payload.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# evalkit's dependencies the device image lacks (datasets 3.6 wants dill 0.3.8 and fsspec <= 2025.3.0)
deps=(datasets==3.6.0 dill==0.3.8 multiprocess==0.70.16 fsspec==2025.3.0 xxhash jiwer rapidfuzz click
      hydra-core==1.3.8 omegaconf==2.3.0 antlr4-python3-runtime==4.9.3 av soundfile soxr
      whisper-normalizer==0.1.15 indic-numtowords more-itertools zhconv==1.4.3 mecab-python3==1.0.12 ipadic==1.0.0
      ray==2.60.0 msgpack)
plat=(--only-binary=:all: --python-version 3.12 --implementation cp --platform any)
for p in manylinux_2_28_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux_2_27_x86_64 manylinux1_x86_64 \
         manylinux_2_5_x86_64 manylinux_2_31_x86_64 manylinux_2_34_x86_64 manylinux_2_24_x86_64; do
  plat+=(--platform "$p")
done
mkdir -p "$work/pay/evalkit-deps" "$dest"
for spec in "${deps[@]}"; do
  if ! python3 -m pip download -q --no-deps "${plat[@]}" -d "$work/pay/evalkit-deps" "$spec" 2>/dev/null; then
    # no wheel on PyPI (a pure-Python sdist): build one here, it installs anywhere
    python3 -m pip wheel -q --no-deps -w "$work/pay/evalkit-deps" "$spec"
  fi
done
"$vllm_payload" "$work/vllm" > /dev/null
cat "$work"/vllm/p[0-9][0-9] > "$work/vllm.tar"
tar -xf "$work/vllm.tar" -C "$work/pay"        # vllm-slim.whl and deps/ beside evalkit-deps/
tar -cf "$work/all.tar" -C "$work/pay" .
rm -f "$dest"/p[0-9][0-9]
split -b 54M -d "$work/all.tar" "$dest/p"
md5sum "$work/all.tar" | cut -c1-32 > "$dest/md5"
ls -la "$dest"
