"""results/bench/README_table.md: one Markdown table over all benchmark results, for the README."""

from __future__ import annotations

from typing import Any


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _row(result: dict[str, Any]) -> str:
    name = result["benchmark"]
    if "skipped" in result:
        return f"| {name} | skipped: {result['skipped']} | | | |"
    if name == "video_preprocessing":
        fps = result["frames_per_s"]
        return (
            f"| {name} | {result['input']}, {result['frames']} frames of {result['frame_size'][1]}x"
            f"{result['frame_size'][0]} | {_fmt(fps['evalkit'])} frames/s | {_fmt(fps['qwen_omni_utils'])} "
            f"frames/s (qwen-omni-utils, {result['official_backend']}) | **{result['speedup']:.2f}x** |"
        )
    if name.startswith("audio_preprocessing"):
        rate = result["audio_seconds_per_s"]
        return (
            f"| {name} | {result['input']} | {_fmt(rate['evalkit'])} audio s/s | {_fmt(rate['qwen_omni_utils'])}"
            f" audio s/s (qwen-omni-utils, librosa) | **{result['speedup']:.2f}x** |"
        )
    if name == "e2e_overhead":
        rate = result["samples_per_s"]
        return (
            f"| {name} | {result['input']}, {result['device']} | {_fmt(rate['evalkit_run'])} samples/s "
            f"(`evalkit run`) | {_fmt(rate['bare_engine'])} samples/s (bare engine) | **{result['ratio']:.2f}x**"
            f" (marginal {result['marginal_ratio']:.2f}x; fixed {result['fixed_seconds']['evalkit_run']:.1f} s"
            f" vs {result['fixed_seconds']['bare_engine']:.1f} s) |"
        )
    if name == "evalkit_overhead":
        runs = ", ".join(f"{w['name']} {w['n']}: {w['seconds']:.2f} s" for w in result["workloads"])
        return (
            f"| {name} | {result['input']} | {runs} | fixed {result['text_fixed_s']:.2f} s + "
            f"{result['text_per_100_samples_s']:.3f} s per 100 text samples | |"
        )
    if name == "wer_scoring":
        rate = result["pairs_per_s"]
        return (
            f"| {name} | {result['input']} | {_fmt(rate['evalkit'])} pairs/s | {_fmt(rate['jiwer_corpus_call'])}"
            f" pairs/s (bare jiwer, no normalizer) | {rate['evalkit'] / rate['jiwer_corpus_call']:.2f}x |"
        )
    if name == "mmmu_parsing":
        return f"| {name} | {result['input']} | {_fmt(result['responses_per_s']['evalkit'])} responses/s | | |"
    return f"| {name} | | | | |"


def markdown_table(results: list[dict[str, Any]], machine: str) -> str:
    lines = [
        f"Measured on {machine}; each ratio comes from one run with both sides interleaved.",
        "",
        "| Benchmark | Input | evalkit | Baseline | Ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    return "\n".join(lines + [_row(r) for r in results]) + "\n"
