"""WritingBench (X-PLUG/WritingBench @ ae2d517): each response judged once per criterion of its query's checklist
(evaluate_benchmark.py: one request per criterion, EVAL_TIMES 1), each verdict an integer 1..10 (verdict
`json_score_1_to_10`); calculate_scores.py's Overall is the sum of every criterion score over their count, and the
leaderboard prints it x10. Its domain scores average per-query means instead: with the real set's five criteria per
query the two agree, and evalkit's categories (domain1, domain2) are the same criterion-level ratio.

The judge sees the response after the first "</think>\\n\\n" when it has one (process_gen_field), and each criterion
as evaluate_prompt.format renders the checklist entry: its Python dict repr, kept from the file's key order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.judges.engine import JudgeItem
from evalkit.judges.official import WRITINGBENCH
from evalkit.judges.panel import JudgeRequest
from evalkit.judges.verdicts import Verdict
from evalkit.scoring.base import ScoreInput
from evalkit.scoring.jsonl_files import read_jsonl
from evalkit.scoring.judged_share import JudgedShareScorer
from evalkit.scoring.registry import register_scorer

SCORE_MAX = 10.0
THINK_END = "</think>\n\n"
QUERY_FIELDS = ("index", "domain1", "domain2", "query", "checklist")


def judged_response(response: str) -> str:
    """What the judge is shown of a response (evaluate_benchmark.py process_gen_field)."""
    _, marker, after = response.partition(THINK_END)
    return after if marker else response


@dataclass(frozen=True)
class WritingBenchQuery:
    """A reference: the query and its criteria, each as the judge prompt shows it."""

    index: str
    query: str
    criteria: tuple[str, ...]

    @classmethod
    def of(cls, reference: WritingBenchQuery | Mapping[str, Any]) -> WritingBenchQuery:
        """The query itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, WritingBenchQuery):
            return reference
        return cls(reference["index"], reference["query"], tuple(reference["criteria"]))


@register_scorer("writingbench")
class WritingBenchScorer(JudgedShareScorer):
    """Per response its criterion scores over 10 (`correct`) of its criteria (`total`): the value is 100 x the
    mean score / 10, calculate_scores.py's Overall x10."""

    name = "writingbench"
    metric = "score"
    official_judges = (WRITINGBENCH,)

    def requests(self, item: ScoreInput, answer: str) -> tuple[JudgeRequest, ...]:
        query = WritingBenchQuery.of(item.reference)
        response = judged_response(answer)
        return tuple(JudgeRequest(WRITINGBENCH, JudgeItem(f"{item.sample_id}#{number}", {
            "query": query.query, "response": response, "criteria": criterion}))
            for number, criterion in enumerate(query.criteria, 1))

    def total(self, item: ScoreInput) -> float:
        return float(len(WritingBenchQuery.of(item.reference).criteria))

    def earned(self, item: ScoreInput, verdicts: Sequence[Verdict]) -> tuple[float, float, str]:
        scores = [float(v) for v in verdicts]
        return sum(scores) / SCORE_MAX, float(len(scores)), " ".join(f"{s:g}" for s in scores)


def read_queries(path: Path) -> list[dict[str, Any]]:
    """benchmark_all.jsonl's queries, read line by line with json as evaluate_benchmark.py reads them (so each
    checklist entry keeps its key order); a query without criteria is refused."""
    rows = read_jsonl(path, QUERY_FIELDS, f"a WritingBench query ({', '.join(QUERY_FIELDS)})")
    for row in rows:
        if not row["checklist"]:
            raise ValueError(f"{path}: query {row['index']} has an empty checklist (nothing to judge it by)")
    return rows


def query_reference(row: Mapping[str, Any]) -> WritingBenchQuery:
    """A query row's reference: each criterion as evaluate_prompt.format shows the checklist entry, str() of it."""
    return WritingBenchQuery(str(row["index"]), row["query"], tuple(str(c) for c in row["checklist"]))


def query_categories(row: Mapping[str, Any]) -> dict[str, str]:
    return {"domain1": row["domain1"], "domain2": row["domain2"]}


def read_writingbench_responses(predictions: Path, references: Path | None) -> tuple[WritingBenchScorer,
                                                                                     list[ScoreInput]]:
    """generate_response.py's output ({index, response} lines) with --references benchmark_all.jsonl, as items
    to judge; a query without a response is unanswered."""
    if references is None:
        raise ValueError("WritingBench responses need --references benchmark_all.jsonl (the queries and criteria)")
    responses = {str(r["index"]): r["response"]
                 for r in read_jsonl(predictions, ("index", "response"), "a WritingBench response (index, response)")}
    items = [ScoreInput(str(row["index"]), responses.get(str(row["index"])), query_reference(row),
                        query_categories(row)) for row in read_queries(references)]
    return WritingBenchScorer(), items
