"""Arena-Hard v2's style control: the win rate against the baseline with the answers' length and markdown held
equal, as lmarena/arena-hard-auto @ 196f6b826783b3da7310e361a805fa36f0be83f3 computes it (`show_result.py
--control-features markdown length`, the README's official configuration; the method of LMArena's style-control
blog post).

Per answer, gen_answer.py stores `metadata`: `token_len` (o200k_base tokens of the whole answer) and the counts of
markdown headers (h1-h6), list items (ordered, unordered) and bold spans (`**`, `__`) in the answer with its
``` blocks removed (utils/add_markdown_info.py). Per battle, show_result.py's print_leaderboard_with_style_features
turns the model's and the baseline's metadata into four differences: (m - b) / (m + b) of the token lengths, and
(m - b) / (m + b + 1) of each markdown density (count / (token_len + 1)); each column is standardised over all
battles (mean, sample standard deviation). A Bradley-Terry model with those columns as covariates is fitted by
logistic regression on the battles' outcomes (1 won, 0.5 tied, 0 lost; binary cross-entropy, no penalty): logit
P(model wins) = (c_model - c_baseline) + sum_k beta_k z_k, and the style-controlled win rate is
sigmoid(c_model - c_baseline): the chance of winning with the baseline's style at the average style difference.

The fit is show_result's own (`fit_bradley_terry`: torch's L-BFGS with its settings), so the number is the one
it computes, including its shortfall from the exact optimum. show_result prints the median of 100 unseeded
bootstrap resamples of the battles (fitted on the columns standardised once) with their 5th and 95th
percentiles; evalkit's value is the fit on all battles, around which that median scatters (by 0.1 to 0.2 points
on the made-up cases of tests/scoring/test_arena_style.py), and its interval evalkit's usual question-level
bootstrap, each resample standardised and fitted anew. The official leaderboard fits every model in its judgment
folder at once (shared style coefficients and standardisation); a run here fits its own model's battles alone.
Where a column does not vary (no answer on either side has a header, say) show_result stops on a NaN; here the
column is zeros, so it adds nothing to the fit, as a constant covariate beside the model's coefficient would not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import tiktoken

from evalkit.scoring.o200k import token_count

CODE_BLOCK = re.compile("```([^`]*)```")  # removed before counting markdown (gen_answer.py, add_markdown_info.py)
MARKDOWN_PATTERNS: Mapping[str, Mapping[str, re.Pattern[str]]] = {
    "header_count": {f"h{n}": re.compile(rf"^#{{{n}}}\s", re.MULTILINE) for n in range(1, 7)},
    "list_count": {"ordered": re.compile(r"^\s*\d+\.\s", re.MULTILINE),
                   "unordered": re.compile(r"^\s*[-*+]\s", re.MULTILINE)},
    "bold_count": {"**": re.compile(r"\*\*[^*\n]+\*\*"), "__": re.compile(r"__[^_\n]+__")},
}
_LBFGS_RATE, _LBFGS_ITERATIONS, _LBFGS_TOLERANCE = 0.1, 50, 1e-9  # fit_pairwise_model's defaults


def answer_metadata(answer: str, encoding: tiktoken.Encoding) -> dict[str, Any]:
    """An answer's `metadata` as gen_answer.py writes it: token_len, then the markdown counts by kind."""
    text = answer
    for block in CODE_BLOCK.findall(answer):  # remove_pattern: every occurrence of each block's text
        text = text.replace(block, "")
    return {"token_len": token_count(answer, encoding)} | {
        group: {kind: len(pattern.findall(text)) for kind, pattern in kinds.items()}
        for group, kinds in MARKDOWN_PATTERNS.items()}


@dataclass(frozen=True)
class StyleCounts:
    """One answer's style: its tokens and its markdown headers, list items and bold spans (each kind summed, as
    show_result.py sums a metadata dict's values)."""

    tokens: float
    headers: float
    lists: float
    bold: float

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> StyleCounts:
        """From an answer file's `metadata` (ValueError names what is missing)."""
        missing = [key for key in ("token_len", *MARKDOWN_PATTERNS) if key not in metadata]
        if missing:
            raise ValueError(f"metadata without {', '.join(missing)} (style control needs gen_answer.py's "
                             f"token_len and markdown counts)")
        groups = [sum(metadata[group].values()) for group in MARKDOWN_PATTERNS]
        return cls(float(metadata["token_len"]), *(float(g) for g in groups))

    @classmethod
    def of(cls, value: StyleCounts | Mapping[str, float]) -> StyleCounts:
        """The counts themselves, or their JSON form as a run's samples.jsonl stores them."""
        return value if isinstance(value, StyleCounts) else cls(**value)


def style_differences(model: StyleCounts, baseline: StyleCounts) -> tuple[float, float, float, float]:
    """A battle's four covariates before standardising: length, then header, list and bold density differences.
    Two empty answers differ by nothing (show_result would divide 0 by 0)."""
    total = model.tokens + baseline.tokens
    length = (model.tokens - baseline.tokens) / total if total else 0.0
    m_density = np.array([model.headers, model.lists, model.bold]) / (model.tokens + 1)
    b_density = np.array([baseline.headers, baseline.lists, baseline.bold]) / (baseline.tokens + 1)
    markdown = (m_density - b_density) / (m_density + b_density + 1)
    return (length, *(float(x) for x in markdown))  # type: ignore[return-value]


def standardised(columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each column minus its mean over the battles, over its sample standard deviation (torch.std); `weights[i]`
    is how many battles row i stands for. A column without variation becomes zeros."""
    n = weights.sum()
    mean = weights @ columns / n
    centred = columns - mean
    variance = weights @ centred**2 / (n - 1) if n > 1 else np.zeros(columns.shape[1])
    std = np.sqrt(variance)
    scale = np.where(std > 1e-12 * (1 + np.abs(mean)), std, np.inf)
    return centred / scale


def fit_bradley_terry(outcomes: np.ndarray, covariates: np.ndarray, weights: np.ndarray) -> float:
    """The model's Bradley-Terry coefficient over the baseline's, c_model - c_baseline, fitted as show_result.py's
    bootstrap_pairwise_model fits each resample (utils/math_utils.py fit_pairwise_model with loss "bt"): design
    columns +1 (model), -1 (baseline) and the covariates, every parameter starting at 0.5, binary cross-entropy
    summed over the battles (`weights[i]` battles for row i), one float32 L-BFGS call with lr 0.1, at most 50
    iterations, tolerances 1e-9. 50 steps of rate 0.1 stop short of the optimum: the coefficient is shrunk toward
    0 (a 77.8% win rate at the optimum comes out 77.6%), which is the number show_result prints."""
    import torch  # imported here: scoring modules load at every run's start, and only this fit needs torch

    ones = np.ones(len(outcomes))
    design = torch.tensor(np.column_stack([ones, -ones, covariates]), dtype=torch.float32)
    target = torch.tensor(outcomes, dtype=torch.float32)
    weight = torch.tensor(weights, dtype=torch.float32)
    coefficients = torch.nn.Parameter(torch.full((design.shape[1],), 0.5))
    optimizer = torch.optim.LBFGS([coefficients], lr=_LBFGS_RATE, max_iter=_LBFGS_ITERATIONS,
                                  tolerance_grad=_LBFGS_TOLERANCE, tolerance_change=_LBFGS_TOLERANCE)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(design @ coefficients, target, weight=weight,
                                                                    reduction="sum")
        loss.backward()
        return loss

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a fit is ~60 tiny steps: one thread is 4-8x faster on a busy 2-core machine
    try:
        optimizer.step(closure)
    finally:
        torch.set_num_threads(threads)
    return float(coefficients[0].detach() - coefficients[1].detach())


def style_controlled_win_rate(outcomes: np.ndarray, differences: np.ndarray, weights: np.ndarray) -> float:
    """The win rate in % with style held equal: rows of (outcome in {1, 0.5, 0}, the battle's four
    `style_differences`, how many battles the row stands for). No battles: 0.0, as an empty share prints."""
    keep = weights > 0
    if not keep.any():
        return 0.0
    outcomes, differences, weights = outcomes[keep], differences[keep], weights[keep]
    advantage = fit_bradley_terry(outcomes, standardised(differences, weights), weights)
    return float(100.0 / (1.0 + np.exp(-advantage)))  # to_winrate_probabilities: e^c_m / (e^c_m + e^c_baseline)
