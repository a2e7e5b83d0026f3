"""Re-scoring a run folder from its own records: the config comes from the manifest, the answers from
samples.jsonl, so no model and no dataset is needed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from omegaconf import OmegaConf

from evalkit.config import ConfigError, RunConfig, TaskConfig, mapping_node, plain_mapping, typed, validate
from evalkit.manifest import Manifest, Rescoring
from evalkit.run_folder import RunStore, TaskScore, scores_document
from evalkit.scorecard import run_judges, score_inputs, score_run, with_answers
from evalkit.scoring.base import ScoreInput, Scorer
from evalkit.scoring.registry import build_unjudged_scorer

# TaskConfig keys of runs made before the task registry, which now holds them
_RETIRED_TASK_KEYS = ("adapter", "paper")


def run_config_from_manifest(manifest: Manifest, overrides: list[str]) -> RunConfig:
    recorded_config = OmegaConf.create(manifest.config)
    try:
        merged = OmegaConf.merge(recorded_config, OmegaConf.from_dotlist(overrides))
    except Exception as exc:  # noqa: BLE001 - OmegaConf parse errors name the override
        raise ConfigError(f"bad override in {overrides}: {exc}") from exc
    node = mapping_node(merged, "the manifest's config")
    recorded = plain_mapping(node.tasks, "the manifest's tasks")
    tasks = {
        name: typed(TaskConfig, {k: v for k, v in task.items() if k not in _RETIRED_TASK_KEYS}, f"tasks.{name}")
        for name, task in recorded.items()
    }
    return validate(node, tasks)


def rescore_run(run_dir: Path, overrides: list[str]) -> dict[str, TaskScore]:
    store = RunStore(run_dir)
    manifest = store.read_manifest()
    if manifest is None or not store.samples_path.exists():
        raise FileNotFoundError(f"{run_dir} has no manifest.json or samples.jsonl; is it a run folder of evalkit?")
    cfg = run_config_from_manifest(manifest, overrides)
    records = store.load_records()
    by_task = {name: [r for r in records.values() if r.task == name] for name in cfg.tasks}
    missing = [name for name, task_records in by_task.items() if not task_records]
    if missing:
        raise ValueError(f"{store.samples_path} has no records of task(s) {', '.join(missing)}; the run did not finish")
    judges = run_judges(cfg)
    try:
        scores, final = score_run(cfg, by_task, judges)
    finally:
        judges.close()
    store.finalize(final)
    store.write_scores(scores_document(scores, {"model": cfg.model.name, "suite": cfg.suite}))
    manifest.config = cfg.to_dict()
    manifest.rescored.append(Rescoring(at=datetime.now(UTC).isoformat(), overrides=list(overrides)))
    store.write_manifest(manifest)
    from evalkit.report import write_report

    write_report(run_dir, formats=("md",))
    return scores


def load_run_predictions(task: str, predictions: Path) -> tuple[Scorer, list[ScoreInput]]:
    """One task's answers from an evalkit run folder (or its samples.jsonl), with the scorer it was run with."""
    run_dir = predictions.parent if predictions.is_file() else predictions
    store = RunStore(run_dir)
    manifest = store.read_manifest()
    if manifest is None:
        raise FileNotFoundError(
            f"{run_dir / 'manifest.json'} is missing: samples.jsonl is scored with its run's config"
        )
    cfg = run_config_from_manifest(manifest, [])
    if task not in cfg.tasks:
        raise ValueError(f"{run_dir} has no task {task!r}; it ran: {', '.join(cfg.tasks)}")
    config = cfg.tasks[task]
    records = [r for r in store.load_records().values() if r.task == task]
    scorer = build_unjudged_scorer(config.scorer.name, **config.scorer.options)
    return scorer, score_inputs(with_answers(records, cfg.model.reasoning))
