"""MM-MT-Bench: each turn of a multi-turn image conversation rated 1-10 by the official judge, given the reference
answers.

Follows mistralai/mistral-evals @ d61811f, eval/tasks/mm_mt_bench.py. Each user turn is one item: the model sees
the conversation so far with the dataset's reference answers as the earlier assistant turns (load_eval:
`messages[: index + 1]`), not its own earlier answers. The judge (MM_MT_BENCH: gpt-4o-2024-05-13, temperature 0,
2048 tokens, the system prompt) gets one user message, the replayed conversation (`_get_judge_prompt`):

    <|The Start of Conversation with User|>\\n\\n
    ### User:\\n<question 1>\\n\\n### Reference answer:\\n<reference 1>\\n\\n   (each turn up to this one)
    \\n\\n### Assistant's answer:\\n<the model's answer>\\n\\n<|The End of Conversation with User|>\\n\\n\\n

and the conversation's image, which evalkit places before that text (the official replay puts the image chunk
after the first "### User:\\n"). The score is the first "[[n]]" in the judge's text; the benchmark's number is the
mean rating over every turn (aggregate_metrics' micro_average_score); the breakdown holds each category's and each
turn's mean (its "<category>_average" and "<turn>_average"); its macro_average_score is the mean of those.

As released, get_judgement passes the request's message dicts to the replay where it expects their contents: the
judge then reads "rolecontent" for every question and each earlier reference answer as a Python dict, and never
sees the image (an image chunk is returned, not appended). evalkit replays what the code is written to send: the
questions' text, the reference answers' text and the image.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalkit.judges.engine import JudgeItem, Judgement
from evalkit.judges.official import MM_MT_BENCH
from evalkit.judges.panel import JudgeRequest
from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.registry import register_scorer

CONVERSATION_START = "<|The Start of Conversation with User|>\n\n"
CONVERSATION_END = "<|The End of Conversation with User|>\n\n\n"
NO_IMAGE = ("the judge must see the conversation's image and only a run holds it (a run folder keeps its hash): "
            "judge with `evalkit run` on the same output_dir, which answers from the response cache")


@dataclass(frozen=True)
class ConversationTurn:
    """One judged turn: the user's questions up to it and the reference answer to each (the last one is this
    turn's), with the conversation's category."""

    questions: tuple[str, ...]
    reference_answers: tuple[str, ...]
    category: str

    def __post_init__(self) -> None:
        if not self.questions or len(self.questions) != len(self.reference_answers):
            raise ValueError(f"a turn needs one reference answer per question; got {len(self.questions)} "
                             f"question(s) and {len(self.reference_answers)} answer(s)")

    @property
    def turn(self) -> int:
        return len(self.questions) - 1

    @classmethod
    def of(cls, reference: ConversationTurn | Mapping[str, Any]) -> ConversationTurn:
        """The turn itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, ConversationTurn):
            return reference
        return cls(tuple(reference["questions"]), tuple(reference["reference_answers"]), reference["category"])


def mm_mt_bench_categories(category: str, turn: int) -> dict[str, str]:
    """The official breakdown: by question type and by turn (0-based, as the official keys)."""
    return {"category": category, "turn": f"turn {turn}"}


def judge_conversation(turn: ConversationTurn, answer: str) -> str:
    """The text of the judge's user message (_get_judge_prompt with the questions' and answers' text)."""
    replayed = "".join(f"### User:\n{question}\n\n### Reference answer:\n{reference}\n\n"
                       for question, reference in zip(turn.questions, turn.reference_answers, strict=True))
    return f"{CONVERSATION_START}{replayed}\n\n### Assistant's answer:\n{answer}\n\n{CONVERSATION_END}"


def unrated(item: ScoreInput, reason: str | None = None) -> SampleScore:
    """A turn without a rating: failed, and counted as 0 in the strict mean."""
    detail = {"judge_error": reason} if reason else {}
    return SampleScore(item.sample_id, {"rating": 0.0, "total": 1.0}, failed=True, categories=item.categories,
                       detail=detail)


@register_scorer("mm_mt_bench")
class MMMTBenchScorer:
    name = "mm_mt_bench"
    metric = "judge_score"
    lower_is_better = False
    official_denominator = "every turn (the official judge is asked until it gives a rating)"
    official_judges = (MM_MT_BENCH,)

    def judge_requests(self, items: Sequence[ScoreInput]) -> list[tuple[JudgeRequest, ...]]:
        requests: list[tuple[JudgeRequest, ...]] = []
        for item in items:
            if item.prediction is None or not item.media:  # unanswered, or its image is not at hand: unrated
                requests.append(())
                continue
            conversation = judge_conversation(ConversationTurn.of(item.reference), item.prediction)
            requests.append((JudgeRequest(MM_MT_BENCH, JudgeItem(item.sample_id, {"conversation": conversation},
                                                                 item.media)),))
        return requests

    def score_judged(self, items: Sequence[ScoreInput],
                     judgements: Sequence[tuple[Judgement, ...]]) -> list[SampleScore]:
        scores = []
        for item, judged in zip(items, judgements, strict=True):
            if not judged:
                scores.append(unrated(item, None if item.prediction is None or item.media else NO_IMAGE))
                continue
            (judgement,) = judged
            if judgement.failed or not isinstance(judgement.verdict, float):
                scores.append(unrated(item, judgement.error))
            else:
                scores.append(SampleScore(item.sample_id, {"rating": judgement.verdict, "total": 1.0},
                                          extracted=f"{judgement.verdict:g}", categories=item.categories,
                                          detail={"judge": judgement.to_json()}))
        return scores

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        """The mean rating (1-10) over the turns."""
        total = sum(s.stats["total"] for s in scores)
        return sum(s.stats["rating"] for s in scores) / total if total else 0.0

    def rules_only(self, scores: Sequence[SampleScore]) -> dict[str, float]:
        return {}  # every rating comes from the judge
