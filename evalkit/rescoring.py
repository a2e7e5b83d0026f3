"""Re-scoring a run folder from its own records: the config comes from the manifest, the answers from
samples.jsonl, so no model and no dataset is needed."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from omegaconf import OmegaConf

from evalkit.config import ConfigError, RunConfig, validate
from evalkit.results import SampleRecord, TaskScore, scores_document
from evalkit.scorecard import score_records
from evalkit.store import RunStore


def run_config_from_manifest(manifest: dict, overrides: list[str]) -> RunConfig:
    node = OmegaConf.create(manifest["config"])
    try:
        node = OmegaConf.merge(node, OmegaConf.from_dotlist(overrides))
    except Exception as exc:  # noqa: BLE001 - OmegaConf parse errors name the override
        raise ConfigError(f"bad override in {overrides}: {exc}") from exc
    return validate(node)


def rescore_run(run_dir: Path, overrides: list[str]) -> dict[str, TaskScore]:
    store = RunStore(run_dir)
    manifest = store.read_manifest()
    if manifest is None or not store.samples_path.exists():
        raise FileNotFoundError(f"{run_dir} has no manifest.json or samples.jsonl; is it a run folder of evalkit?")
    cfg = run_config_from_manifest(manifest, overrides)
    records = store.load_records()
    scores: dict[str, TaskScore] = {}
    final: list[SampleRecord] = []
    for name, task in cfg.tasks.items():
        task_records = [r for r in records.values() if r.task == name]
        if not task_records:
            raise ValueError(f"{store.samples_path} has no records of task {name!r}; the run did not finish it")
        scores[name], scored = score_records(
            task, task_records, reasoning=cfg.model.reasoning, stats=cfg.stats,
            failed_counts_as_wrong=cfg.failures.failed_counts_as_wrong,
        )
        final.extend(scored)
    store.finalize(final)
    store.write_scores(scores_document(scores, {"model": cfg.model.name, "suite": cfg.suite}))
    manifest["config"] = cfg.to_dict()
    manifest.setdefault("rescored", []).append(
        {"at": datetime.now(timezone.utc).isoformat(), "overrides": overrides}
    )
    store.write_manifest(manifest)
    from evalkit.report import write_report

    write_report(run_dir, formats=("md",))
    return scores
