"""The GPU benchmark's transformers part (bench/gpu.py runs it: `--part transformers`): peak GPU memory of the
transformers runner at full size beside the model card's table."""

from __future__ import annotations

import argparse
import functools
import json
import time
from typing import Any

from bench import workloads
from bench.gpu import model_folder

# Qwen3-Omni-30B-A3B-Thinking's model card: transformers, BF16, peak GPU memory for one video of this many seconds.
MODEL_CARD_THINKING_GB = {15: 68.74, 30: 77.79, 60: 95.76, 120: 131.65}


def transformers_part(args: argparse.Namespace) -> dict[str, Any]:
    """Peak GPU memory of the transformers runner at full size for one video of each length (fps 2)."""
    import numpy as np

    from evalkit.config import ModelConfig, RunnerConfig
    from evalkit.prompting import ChatTemplateRenderer
    from evalkit.runners.transformers import TransformersRunner
    from evalkit.types import (
        Decoding,
        MediaPart,
        MediaRef,
        Message,
        PreparedRequest,
        Request,
        Sample,
        TextPart,
        VideoData,
    )

    model_dir = model_folder(args, "thinking")
    device = "cpu" if args.rehearse else "cuda"
    model = ModelConfig(name="full", path=str(model_dir), dtype="float32" if args.rehearse else "bfloat16",
                        weights="random")
    started = time.perf_counter()
    runner = TransformersRunner(model, RunnerConfig(device=device), str(model_dir))
    load_s = time.perf_counter() - started
    renderer = ChatTemplateRenderer(str(model_dir))
    messages = (Message("user", (MediaPart(MediaRef("video", path="v.mp4")), TextPart("Describe the video."))),)
    width, height = workloads.VIDEO_SIZE
    rows = []
    for seconds in (4, 8) if args.rehearse else tuple(MODEL_CARD_THINKING_GB):
        frames = np.zeros((int(seconds * 2), height, width, 3), np.uint8)
        video = VideoData(frames, 2.0, {"source": f"{seconds} s of black"})
        request = PreparedRequest(Request(Sample("bench", f"v{seconds}", messages, None), Decoding(max_new_tokens=8)),
                                  renderer.render(messages), (video,), "")
        peak = _peak_gpu_gb(device, functools.partial(runner.generate, [request]))
        rows.append({"video_s": seconds, "frames": len(frames), "peak_gpu_gb": peak,
                     "model_card_gb": MODEL_CARD_THINKING_GB.get(seconds)})
        print(json.dumps(rows[-1]), flush=True)
    runner.close()
    return {"model_load_s": round(load_s, 1), "videos": rows,
            "note": "torch.cuda.max_memory_allocated after reset, in 1e9 bytes; the card's numbers come from "
                    "Qwen's own measurement (method not stated)"}


def _peak_gpu_gb(device: str, work) -> float | str | None:
    if device == "cpu":
        response = work()[0]
        return None if response.error is None else f"failed: {response.error}"
    import torch

    torch.cuda.reset_peak_memory_stats()
    response = work()[0]
    if response.error:
        return f"failed: {response.error}"
    return round(torch.cuda.max_memory_allocated() / 1e9, 2)
