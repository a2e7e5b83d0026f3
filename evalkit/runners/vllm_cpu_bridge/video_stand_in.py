"""The stand-in video processor for vLLM's CPU build (see the package docstring): it carries the sizes the
Qwen3-Omni processor reads and refuses videos. Imported only once transformers is loaded."""

from __future__ import annotations

from typing import Any

from transformers.video_processing_utils import VideoProcessorMixin


class UnavailableVideoProcessor(VideoProcessorMixin):
    # Qwen3-Omni's video sizes; a checkpoint's video or image preprocessor config overrides them on load.
    merge_size = 2
    temporal_patch_size = 2
    patch_size = 16

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "video input needs transformers' torchvision video processor, and torchvision does not load beside "
            "vLLM's CPU build; run video through vLLM on a GPU build or through the transformers runner"
        )

    preprocess = __call__
