"""How far two judges agree on the same samples: Cohen's kappa for categorical verdicts (labels, extracted
answers), Pearson's and Spearman's correlation for numeric scores. Only samples both judged are compared; the
rest are counted."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from scipy import stats

from evalkit.judges.verdicts import Verdict
from evalkit.run_folder import read_samples

SampleKey = tuple[str, str]  # (task, sample_id)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """(p_o - p_e) / (1 - p_e): observed agreement against the agreement expected from each judge's label rates."""
    if len(a) != len(b) or not a:
        raise ValueError(f"kappa needs two equally long, non-empty verdict lists (got {len(a)} and {len(b)})")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    rates_a, rates_b = Counter(a), Counter(b)
    expected = sum(rates_a[label] * rates_b[label] for label in rates_a) / n**2
    if expected == 1.0:
        raise ValueError("kappa is undefined when both judges give one and the same label to every sample")
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class Agreement:
    task: str
    n_both: int  # samples with a verdict from both judges
    n_only_a: int
    n_only_b: int
    kind: str  # "categorical" or "numeric"
    exact_agreement: float  # share of samples with equal verdicts
    kappa: float | None = None
    pearson: float | None = None
    spearman: float | None = None


def agreement(task: str, a: Mapping[str, Verdict], b: Mapping[str, Verdict]) -> Agreement:
    both = sorted(set(a) & set(b))
    if not both:
        raise ValueError(f"task {task!r}: no sample has a verdict from both judges")
    va, vb = [a[k] for k in both], [b[k] for k in both]
    exact = sum(x == y for x, y in zip(va, vb, strict=True)) / len(both)
    categorical = Agreement(task=task, n_both=len(both), n_only_a=len(set(a) - set(b)), n_only_b=len(set(b) - set(a)),
                              kind="categorical", exact_agreement=exact)
    if all(isinstance(v, float) for v in va + vb):
        constant = len(set(va)) < 2 or len(set(vb)) < 2  # a correlation with a constant is undefined
        return replace(categorical, kind="numeric",
                       pearson=None if constant else float(stats.pearsonr(va, vb).statistic),
                       spearman=None if constant else float(stats.spearmanr(va, vb).statistic))
    return replace(categorical, kappa=cohen_kappa([str(v) for v in va], [str(v) for v in vb]))


def load_verdicts(path: Path) -> dict[str, dict[str, Verdict]]:
    """task -> sample_id (a judge request's id, where a sample asks several) -> verdict, from a run folder (its
    samples.jsonl) or an `evalkit score --judgements` file;
    samples whose judge gave no verdict are left out."""
    samples = path / "samples.jsonl" if path.is_dir() else path
    if not samples.is_file():
        raise FileNotFoundError(f"{path} is neither a run folder with samples.jsonl nor a judgements file")
    verdicts: dict[str, dict[str, Verdict]] = {}
    if samples.name == "samples.jsonl":
        for record in read_samples(samples):
            judged = record.score_detail.get("judge")
            if judged and judged.get("verdict") is not None:
                verdicts.setdefault(record.task, {})[record.sample_id] = judged["verdict"]
            for request, each in record.score_detail.get("judges", {}).items():  # several requests: by request id
                if each.get("verdict") is not None:
                    verdicts.setdefault(record.task, {})[request] = each["verdict"]
        return verdicts
    for number, line in enumerate(samples.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            if row["verdict"] is not None:
                verdicts.setdefault(row["task"], {})[row["sample_id"]] = row["verdict"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{samples}:{number}: not a judgement line with task, sample_id, verdict ({exc})") from exc
    return verdicts
