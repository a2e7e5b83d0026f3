"""Started with every Python process that has this folder on PYTHONPATH (vLLM's engine processes and
`vllm serve`, see evalkit.runners.vllm_cpu_bridge.child_env): installs the CPU-build bridges where needed."""

from evalkit.runners.vllm_cpu_bridge import install

install()
