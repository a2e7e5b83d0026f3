"""(a) Media preprocessing throughput: evalkit's decoders vs qwen-omni-utils (`fetch_video`,
`process_audio_info`, the functions behind `process_mm_info`) on the same files, in the same run, interleaved.

Video: a 60 s 640x360 H.264 clip at fps 2 (120 frames, Qwen3-Omni's 32-pixel factor); audio: 12 s speech-like
WAVs at 16 kHz mono and 44.1 kHz stereo. Both sides produce the same frames/samples (checked here too).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from bench.clips import SPEECH_SECONDS, VIDEO_FPS, VIDEO_SECONDS, clip_video, speech_wavs
from bench.timing import interleaved_medians
from evalkit.config import MediaConfig
from evalkit.media import decode
from evalkit.types import MediaRef

CONFIG = MediaConfig()


def run(work_dir: Path, repeats: int) -> list[dict[str, Any]]:
    try:
        from qwen_omni_utils.v2_5 import audio_process, vision_process
    except ImportError as error:
        return [
            {"benchmark": "media", "skipped": f"qwen-omni-utils not importable ({error}); pip install qwen-omni-utils"}
        ]
    return [_video(work_dir, repeats, vision_process)] + [
        _audio(label, path, repeats, audio_process) for label, path in speech_wavs(work_dir).items()
    ]


def _video(work_dir: Path, repeats: int, vision_process) -> dict[str, Any]:
    path = clip_video(work_dir)
    ele = {
        "video": str(path),
        "fps": CONFIG.fps,
        "min_frames": CONFIG.min_frames,
        "max_frames": CONFIG.max_frames,
        "min_pixels": CONFIG.min_pixels,
        "max_pixels": CONFIG.max_pixels,
    }
    patch = CONFIG.frame_factor // 2  # the official factor is patch size x spatial merge 2

    def official():
        return vision_process.fetch_video(ele, image_patch_size=patch, return_video_metadata=True)

    def ours():
        return decode(MediaRef("video", path=str(path)), CONFIG)

    medians = interleaved_medians({"evalkit": ours, "qwen_omni_utils": official}, repeats)
    (frames, meta), clip = official(), ours()
    reference = frames.permute(0, 2, 3, 1).round().clamp(0, 255).numpy().astype(np.int16)
    n_frames = len(clip.frames)
    return {
        "benchmark": "video_preprocessing",
        "input": f"{VIDEO_SECONDS} s {path.stem.split('_')[2]} H.264 at {VIDEO_FPS} fps, sampled at {CONFIG.fps:g} fps",
        "frames": n_frames,
        "frame_size": list(clip.frames.shape[1:3]),
        "same_frame_indices": list(meta["frames_indices"]) == clip.provenance["frame_indices"],
        "max_abs_pixel_diff": int(np.abs(reference - clip.frames).max()),
        "mean_abs_pixel_diff": float(np.abs(reference - clip.frames).mean()),
        "official_backend": meta["video_backend"],
        "official_threads": int(os.environ.get("TORCHCODEC_NUM_THREADS", "8")),
        "seconds": medians,
        "clips_per_s": {name: 1 / s for name, s in medians.items()},
        "frames_per_s": {name: n_frames / s for name, s in medians.items()},
        "speedup": medians["qwen_omni_utils"] / medians["evalkit"],
        "target_speedup": 2.0,
        "repeats": repeats,
    }


def _audio(label: str, path: Path, repeats: int, audio_process) -> dict[str, Any]:
    conversation = [{"role": "user", "content": [{"type": "audio", "audio": str(path)}]}]

    def official():
        return audio_process.process_audio_info(conversation, use_audio_in_video=False)[0]

    def ours():
        return decode(MediaRef("audio", path=str(path)), CONFIG).waveform

    medians = interleaved_medians({"evalkit": ours, "qwen_omni_utils": official}, repeats)
    theirs, mine = official(), ours()
    return {
        "benchmark": f"audio_preprocessing_{label}",
        "input": f"{SPEECH_SECONDS:g} s speech-like WAV, {label.replace('_', ' ').replace('k1', '.1k')}",
        "samples_out": len(mine),
        "max_abs_sample_diff": float(np.abs(theirs[: len(mine)] - mine).max()),
        "official_backend": "librosa.load (soundfile + soxr_hq)",
        "seconds": medians,
        "audio_seconds_per_s": {name: SPEECH_SECONDS / s for name, s in medians.items()},
        "speedup": medians["qwen_omni_utils"] / medians["evalkit"],
        "target_speedup": 1.0,
        "repeats": repeats,
    }
