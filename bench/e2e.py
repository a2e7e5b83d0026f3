"""(b) Harness overhead: samples/s of a whole `evalkit run` against the bare engine on the same requests.

Bare: the TransformersRunner is built, then handed the pre-rendered, pre-decoded PreparedRequests in batches of
runner.batch_size, nothing else (no media decoding, no journal, no scoring). evalkit: `evalkit run` in this
process on the same task, model and runner settings, from Hydra composition to scores.json and report.md,
decoding media ahead in its worker pool. Both include building the engine. The task is LibriSpeech-schema ASR
over a generated parquet of N speech-like FLAC clips (3-8 s), so the run has enough samples to mean something.

`--model large` builds a ~3 B random-weight Qwen3-Omni (same processor as the tiny one) for GPU runs.
"""

from __future__ import annotations

import io
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from bench.clips import speech_like

TASK = "librispeech_test_clean_smoke"
# text/vision/audio sizes of the "large" random model, for the GPU run: about 3 B parameters (32 experts, top-8,
# Qwen3-Omni-30B-A3B's expert width and head layout), large enough that the GPU, not Python, sets the pace.
LARGE = {
    "text": {
        "hidden_size": 2048,
        "intermediate_size": 6144,
        "num_hidden_layers": 16,
        "num_attention_heads": 32,
        "num_key_value_heads": 4,
        "num_experts": 32,
        "num_experts_per_tok": 8,
        "moe_intermediate_size": 768,
    },
    "vision": {"hidden_size": 1024, "intermediate_size": 4096, "depth": 12, "num_heads": 16},
    "audio": {"d_model": 1024, "encoder_layers": 12, "encoder_attention_heads": 16, "encoder_ffn_dim": 4096},
}


def run(work_dir: Path, n_samples: int, device: str, model: str, repeats: int = 3) -> dict[str, Any]:
    try:
        from evalkit.cli import main as evalkit_main
        from evalkit.decoding import resolve_decoding
        from evalkit.hydra_config import load_run_config
        from evalkit.media.pool import prepare_item
        from evalkit.model_store import resolve_model_path
        from evalkit.prompting import ChatTemplateRenderer
        from evalkit.runners import build_runner
        from evalkit.task import load_task
        from evalkit.types import PreparedRequest, Request, media_parts
    except ImportError as error:
        return {"benchmark": "e2e_overhead", "skipped": f"the pipeline is not there yet ({error})"}

    model_dir = _model(work_dir, model)
    utilisation: dict[str, float] = {}  # mean GPU utilisation (%) per timed run, on CUDA

    def overrides_for(n: int) -> list[str]:
        extra = ["model.name=large_random", f"model.dtype={'bfloat16' if device.startswith('cuda') else 'float32'}"]
        return [
            f"tasks=[{TASK}]",
            f"tasks.{TASK}.dataset.local_path={_asr_parquet(work_dir / f'e2e_data_{n}', n)}",
            f"tasks.{TASK}.max_new_tokens=24",
            f"model.path={model_dir}",
            f"model.build_tiny={str(model == 'tiny').lower()}",
            f"runner.device={device}",
            "use_response_cache=false",
            "resume=false",
            *(extra if model == "large" else []),
        ]

    def bare(n: int) -> tuple[float, Any]:
        cfg = load_run_config(overrides_for(n))
        task = cfg.tasks[TASK]
        model_path = resolve_model_path(cfg.model, Path(cfg.cache_dir))
        decoding = resolve_decoding(cfg.model, task, cfg.runner.seed, None)
        renderer = ChatTemplateRenderer(model_path)
        prepared = []
        for s in load_task(task).samples:
            media = prepare_item(tuple(media_parts(s.messages)), task.media, None)
            if isinstance(media, Exception):  # the bench's own synthetic clips: a failure is a bench bug
                raise media
            prepared.append(PreparedRequest(Request(s, decoding), renderer.render(s.messages), media, ""))
        start = time.perf_counter()
        with GpuUtilisation(device, f"bare_{n}", utilisation):  # the last repeat's sample is kept
            runner = build_runner(cfg.model, cfg.runner, model_path)
            for first in range(0, len(prepared), cfg.runner.batch_size):
                runner.generate(prepared[first : first + cfg.runner.batch_size])
            _synchronize(device)
        seconds = time.perf_counter() - start
        info = runner.info()
        runner.close()
        return seconds, (info, cfg)

    def full(n: int) -> float:
        out, cache = work_dir / "e2e_run", work_dir / "e2e_cache"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)  # a cold decoded-media cache: evalkit decodes everything
        start = time.perf_counter()
        with GpuUtilisation(device, f"evalkit_{n}", utilisation):
            status = evalkit_main(["run", *overrides_for(n), f"output_dir={out}", f"cache_dir={cache}"])
        if status != 0:
            raise RuntimeError(f"evalkit run exited with status {status}")
        return time.perf_counter() - start

    full(2)  # pays the one-off imports and warms the page cache, so no measured run carries them
    _, (engine, cfg) = bare(2)
    sizes = (n_samples, 2 * n_samples)
    rounds: dict[str, dict[int, list[float]]] = {"bare": {n: [] for n in sizes}, "evalkit": {n: [] for n in sizes}}
    for _ in range(repeats):  # interleaved, so both sides see the same machine state; medians below
        for n in sizes:
            rounds["bare"][n].append(bare(n)[0])
            rounds["evalkit"][n].append(full(n))
    bare_s = {n: statistics.median(rounds["bare"][n]) for n in sizes}
    evalkit_s = {n: statistics.median(rounds["evalkit"][n]) for n in sizes}
    big = sizes[1]
    marginal = {
        name: n_samples / (t[big] - t[n_samples]) for name, t in (("evalkit_run", evalkit_s), ("bare_engine", bare_s))
    }
    fixed = {
        name: t[n_samples] - n_samples / marginal[name]
        for name, t in (("evalkit_run", evalkit_s), ("bare_engine", bare_s))
    }
    return {
        "benchmark": "e2e_overhead",
        "repeats": repeats,
        "input": f"{n_samples} and {big} ASR samples (3-8 s FLAC), {model} random Qwen3-Omni, "
        f"batch {cfg.runner.batch_size}, 24 new tokens, media_workers {cfg.media_workers}",
        "device": engine.device,
        "dtype": engine.dtype,
        "seconds": {"evalkit_run": evalkit_s, "bare_engine": bare_s},
        "samples_per_s": {"evalkit_run": big / evalkit_s[big], "bare_engine": big / bare_s[big]},
        "ratio": bare_s[big] / evalkit_s[big],
        "marginal_samples_per_s": marginal,
        "marginal_ratio": marginal["evalkit_run"] / marginal["bare_engine"],
        "fixed_seconds": fixed,
        "target_ratio": 0.95,
        "gpu_utilisation_percent": utilisation,
        "note": "bare gets media already decoded and prompts rendered; evalkit composes the config, loads and "
        "decodes the data, journals, scores (bootstrap) and writes the report. marginal = per extra "
        f"sample between the {n_samples}- and {big}-sample runs, i.e. with fixed startup costs removed",
    }


def _asr_parquet(folder: Path, n: int) -> Path:
    import pandas as pd

    path = folder / "clean.parquet"  # the adapter's subset "clean"
    if path.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(3)
    rows = []
    for i in range(n):
        buffer = io.BytesIO()
        samples = speech_like(16000, float(rng.uniform(3, 8)), 1)[:, 0] * float(rng.uniform(0.5, 1.0))
        soundfile.write(buffer, samples, 16000, format="FLAC")
        utterance = f"9100-1-{i:04d}"
        rows.append(
            {
                "file": f"{utterance}.flac",
                "audio": {"bytes": buffer.getvalue(), "path": f"{utterance}.flac"},
                "text": "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
                "speaker_id": 9100,
                "chapter_id": 1,
                "id": utterance,
            }
        )
    pd.DataFrame(rows).to_parquet(path)
    return folder


def _model(work_dir: Path, model: str) -> Path:
    if model == "tiny":
        from evalkit.config import ModelConfig
        from evalkit.model_store import resolve_model_path

        folder = work_dir / "tiny-qwen3-omni"
        return Path(resolve_model_path(ModelConfig(name="tiny", path=str(folder), build_tiny=True), work_dir))
    folder = work_dir / "large-random-qwen3-omni"
    if not (folder / "config.json").exists():
        _build_large(folder)
    return folder


def _build_large(folder: Path) -> None:
    import torch
    from transformers import GenerationConfig, Qwen3OmniMoeForConditionalGeneration

    from evalkit.tiny_model import build_config, build_processor

    processor = build_processor()
    config = build_config(processor.tokenizer)
    thinker = config.thinker_config
    for section, sizes in (("text", LARGE["text"]), ("vision", LARGE["vision"]), ("audio", LARGE["audio"])):
        target = getattr(thinker, f"{section}_config")
        for key, value in sizes.items():
            setattr(target, key, value)
    thinker.vision_config.out_hidden_size = thinker.text_config.hidden_size  # both towers feed the text model
    thinker.audio_config.output_dim = thinker.text_config.hidden_size
    torch.manual_seed(0)
    # random init of 3 B weights: GPU is minutes faster
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = Qwen3OmniMoeForConditionalGeneration(config)
        # transformers types PreTrainedModel.to through a decorator that loses `self`
        model = model.to(torch.bfloat16).eval()  # type: ignore[arg-type]
    model.generation_config = GenerationConfig(
        eos_token_id=config.im_end_token_id, pad_token_id=thinker.text_config.pad_token_id
    )
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    processor.save_pretrained(partial)
    partial.rename(folder)


class GpuUtilisation:
    """Mean GPU utilisation over a block, sampled by nvidia-smi every 100 ms (CUDA only)."""

    def __init__(self, device: str, name: str, into: dict[str, float]):
        self.active = device.startswith("cuda") and shutil.which("nvidia-smi") is not None
        self.name, self.into = name, into

    def __enter__(self) -> GpuUtilisation:
        if self.active:
            self.process = subprocess.Popen(
                ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits", "-lms", "100"],
                stdout=subprocess.PIPE, text=True,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.active:
            self.process.terminate()
            samples = [float(line) for line in self.process.communicate()[0].split() if line.strip()]
            self.into[self.name] = sum(samples) / len(samples) if samples else float("nan")


def _synchronize(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()
