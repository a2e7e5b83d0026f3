"""The vLLM session fixtures (one tiny checkpoint, one LLM, one `vllm serve`), shared by the runner tests."""

from vllm_helpers import renderer, vllm_model_dir, vllm_runner, vllm_server  # noqa: F401 - pytest fixtures
