"""Engines that turn prepared requests into responses: transformers, vLLM, OpenAI-compatible servers."""
