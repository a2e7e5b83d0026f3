"""`evalkit plan [overrides...]`: what a run would take, without loading a model (processor and config only).

Per task: the prompt-token histogram, the samples that will not fit and why, the KV-cache memory at the runner's
concurrency, and a time estimate from throughput measured on an H200 (below).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command imports its machinery when it runs, so `evalkit --help` stays fast
    from evalkit.config import RunConfig
    from evalkit.pipeline import RunInputs
    from evalkit.preflight import TaskBudget

HELP = "plan a run without loading the model: prompt tokens per task, samples that will not fit, KV cache, time"

# Measured on one H200 with vLLM 0.26.0 and the full-size Qwen3-Omni-30B-A3B thinker in bfloat16
# (../shared/gpu/README.md, 2026-11-29): 256 text prompts x 128 new tokens in one generate call at max_num_seqs 64,
# 4,929 output tokens/s; 8 videos of 13,251 prompt tokens each (encoder included) prefilled in 2.2 s.
DECODE_TOKENS_PER_S = 4929
PREFILL_TOKENS_PER_S = 8 * 13251 / 2.2
GIB = 1 << 30
DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}


@dataclass(frozen=True)
class TaskEstimate:
    budget: TaskBudget
    histogram: dict[str, int]  # "<=N" prompt tokens -> samples
    kv_cache_bytes: int  # max_num_seqs (or fewer samples) sequences at the task's longest prompt + new tokens
    est_seconds: float  # prefill of every prompt + every fitting sample generating max_new_tokens, at the H200 rates

    def to_json(self) -> dict:
        return {**asdict(self.budget), "histogram": self.histogram, "kv_cache_bytes": self.kv_cache_bytes,
                "est_seconds": self.est_seconds}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("overrides", nargs="*", help="the same Hydra overrides as `evalkit run`")
    parser.add_argument("--json", action="store_true", help="one JSON object per task, one per line")


def histogram(tokens: list[int]) -> dict[str, int]:
    """Samples per power-of-two bucket of prompt tokens (<=128, <=256, ...), empty buckets left out."""
    counts: dict[int, int] = {}
    for n in tokens:
        edge = max(128, 1 << max(n - 1, 0).bit_length())
        counts[edge] = counts.get(edge, 0) + 1
    return {f"<={edge}": counts[edge] for edge in sorted(counts)}


def kv_bytes_per_token(model_path: str, dtype: str) -> int:
    """layers x KV heads x head_dim x 2 (K and V) x dtype bytes, from the thinker's text config."""
    config = json.loads((Path(model_path) / "config.json").read_text())
    text = config.get("thinker_config", config).get("text_config", config)
    head_dim = text.get("head_dim") or text["hidden_size"] // text["num_attention_heads"]
    return text["num_hidden_layers"] * text["num_key_value_heads"] * head_dim * 2 * DTYPE_BYTES[dtype]


def estimate(cfg: RunConfig, inputs: RunInputs) -> list[TaskEstimate]:
    from evalkit.preflight import task_budgets

    per_token = kv_bytes_per_token(inputs.model_path, cfg.runner.dtype or cfg.model.dtype)
    plans = list(inputs.plans.values())
    estimates = []
    for name, budget in task_budgets(plans).items():
        sequences = min(cfg.runner.max_num_seqs, budget.n_samples)
        fitting = budget.n_samples - budget.n_unfit
        estimates.append(TaskEstimate(
            budget=budget,
            histogram=histogram([p.prompt_tokens for p in plans if p.task == name]),
            kv_cache_bytes=per_token * sequences * (budget.max_prompt_tokens + budget.max_new_tokens),
            est_seconds=round(budget.total_prompt_tokens / PREFILL_TOKENS_PER_S
                              + fitting * budget.max_new_tokens / DECODE_TOKENS_PER_S, 1),
        ))
    return estimates


def _print_text(estimates: list[TaskEstimate], max_num_seqs: int) -> None:
    for e in estimates:
        b = e.budget
        print(f"{b.task}: {b.n_samples} samples, {b.n_unfit} will not fit, prompt tokens max {b.max_prompt_tokens} "
              f"total {b.total_prompt_tokens}; KV cache {e.kv_cache_bytes / GIB:.3g} GiB at {max_num_seqs} sequences; "
              f"about {e.est_seconds} s on an H200 (vLLM, engine start not included)")
        print("  prompt tokens: " + ", ".join(f"{edge}: {n}" for edge, n in e.histogram.items()))
        if b.n_videos_cut:
            print(f"  {b.n_videos_cut} video(s) get fewer frames than fps asks, to fit the budget")
        for unfit in b.unfit:
            print(f"  will not fit ({unfit['stage']}): {unfit['reason']}")


def main(args: argparse.Namespace) -> int:
    from evalkit.config import ConfigError
    from evalkit.dataset_lock import pin_datasets
    from evalkit.hydra_config import load_run_config
    from evalkit.pipeline import prepare_run

    try:
        cfg = load_run_config(list(args.overrides))
        pin_datasets(cfg)  # the data a run would load: at the locked commits
        estimates = estimate(cfg, prepare_run(cfg, weights=False))
    except (ConfigError, FileNotFoundError) as exc:
        print(f"evalkit plan: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        for e in estimates:
            print(json.dumps(e.to_json()))
    else:
        _print_text(estimates, cfg.runner.max_num_seqs)
    return 0
