#!/usr/bin/env bash
# Runs ON the lent GPU machine (see bench/GPU.md):
#   bench/gpu_device.sh receive NN    copy the carried chunk .cache/gpu-payload/pNN to /tmp/pay
#   bench/gpu_device.sh unpack        check and unpack the chunks into /tmp/site (PYTHONPATH for every later call)
#   bench/gpu_device.sh bench PART    python -m bench.gpu --part PART, results kept in /tmp/bench-results and
#                                     copied to $OUT (files there live while the machine stays warm)
#   bench/gpu_device.sh cluster NAME  python -m bench.cluster (cluster=ray, 2 CPU replicas vs 1) on the host's
#                                     cores, into $OUT/cluster-NAME-<date>.json; further arguments go to it
set -euo pipefail
case "$1" in
  receive)
    mkdir -p /tmp/pay && cp ".cache/gpu-payload/p$2" /tmp/pay/ && ls -la /tmp/pay ;;
  unpack)
    cd /tmp/pay && cat p[0-9][0-9] > all.tar && echo "$(md5sum all.tar | cut -c1-32) (expected $2)"
    [ "$(md5sum all.tar | cut -c1-32)" = "$2" ]
    mkdir -p x /tmp/site && tar -xf all.tar -C x
    for w in x/vllm-slim.whl x/deps/*.whl x/evalkit-deps/*.whl; do python3 -m zipfile -e "$w" /tmp/site; done
    chmod -R u+x /tmp/site/ray/core   # zipfile drops the executable bits of Ray's raylet and GCS server
    rm -rf x all.tar p[0-9][0-9]
    PYTHONPATH=/tmp/site python3 -c "import vllm, av, datasets, hydra, ray; print('vllm', vllm.__version__, 'ray', ray.__version__)" ;;
  bench)  # PART [extra bench.gpu arguments, e.g. --commit SHA --profile]
    mkdir -p /tmp/bench-results
    export PYTHONPATH=/tmp/site:$PWD
    # stopped before the device call's 600 s limit, so that what the part saved so far is still copied out
    rc=0; timeout 580 python3 -m bench.gpu --part "$2" --work-dir /tmp/bench-work \
      --result /tmp/bench-results/gpu.json "${@:3}" || rc=$?
    for f in /tmp/bench-results/*.json; do cp "$f" "$OUT/$(basename "$f" .json)-$(date -u +%Y%m%d).json"; done
    exit "$rc" ;;
  cluster)  # NAME [extra bench.cluster arguments, e.g. --requests 128 --new-tokens 64]
    export PYTHONPATH=/tmp/site:$PWD
    python3 -m bench.cluster --work-dir /tmp/bench-cluster --result "$OUT/cluster-$2-$(date -u +%Y%m%d).json" "${@:3}" ;;
  *) echo "usage: $0 receive NN | unpack MD5 | bench PART | cluster NAME" >&2; exit 2 ;;
esac
