"""Arena-Hard v2: the model's answer against the official baseline's, two games per question with the answers in
both orders, judged pairwise (lmarena/arena-hard-auto @ 196f6b8).

gen_judgment.py plays game 1 with the baseline as assistant A and game 2 with the model as A; show_result.py's
load_judgments turns the two verdicts into battles from the model's side: game 2's label read as is, game 1's
inverted, a decisive label (A>>B) weighing `STRONG_WEIGHT` battles, a tie half a win; a question whose game has
no verdict is dropped. Without style control (show_result.py without `--control-features`, evalkit's choice: the
README's leaderboard controls for style) the score is the share of battles won, in %, per category; show_result
prints the mean of 100 unseeded bootstrap resamples of it, which scatters around this number by about 0.1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.judges.engine import JudgeItem
from evalkit.judges.official import ARENA_HARD_V2, ARENA_HARD_V2_CREATIVE
from evalkit.judges.panel import JudgeRequest
from evalkit.judges.spec import JudgeSpec
from evalkit.judges.verdicts import Verdict
from evalkit.scoring.base import ScoreInput
from evalkit.scoring.jsonl_files import read_jsonl
from evalkit.scoring.judged_share import JudgedShareScorer
from evalkit.scoring.registry import register_scorer

STRONG_WEIGHT = 3  # show_result.py load_judgments(weight=3)
ANSWER_FOLDER = "model_answer"  # beside question.jsonl: one <model>.jsonl of answers per model
_WIN, _TIE, _LOSS = (1.0,), (0.5,), (0.0,)
# label -> battles from assistant A's side (show_result.py label_to_score)
A_SIDE_BATTLES: Mapping[str, tuple[float, ...]] = {
    "A>B": _WIN, "A>>B": _WIN * STRONG_WEIGHT, "A=B": _TIE, "A<<B": _LOSS * STRONG_WEIGHT, "A<B": _LOSS,
    "B>A": _LOSS, "B>>A": _LOSS * STRONG_WEIGHT, "B=A": _TIE, "B<<A": _WIN * STRONG_WEIGHT, "B<A": _WIN,
}


@dataclass(frozen=True)
class CategorySetting:
    """utils/judge_utils.py JUDGE_SETTINGS: a question category's baseline model and judge prompt."""

    baseline: str
    judge: JudgeSpec


CATEGORY_SETTINGS: Mapping[str, CategorySetting] = {
    "hard_prompt": CategorySetting("o3-mini-2025-01-31", ARENA_HARD_V2),
    "coding": CategorySetting("o3-mini-2025-01-31", ARENA_HARD_V2),
    "math": CategorySetting("o3-mini-2025-01-31", ARENA_HARD_V2),
    "creative_writing": CategorySetting("gemini-2.0-flash-001", ARENA_HARD_V2_CREATIVE),
}


@dataclass(frozen=True)
class ArenaHardQuestion:
    """A reference: the question and the official baseline's answer to it."""

    uid: str
    category: str
    prompt: str
    baseline_answer: str

    @classmethod
    def of(cls, reference: ArenaHardQuestion | Mapping[str, Any]) -> ArenaHardQuestion:
        """The question itself, or its JSON form as a run's samples.jsonl stores it."""
        return reference if isinstance(reference, ArenaHardQuestion) else cls(**reference)

    @property
    def setting(self) -> CategorySetting:
        return CATEGORY_SETTINGS[self.category]


def model_battles(game1_label: str, game2_label: str) -> tuple[float, ...]:
    """The model's battles from its two games (show_result.py: game 2 as is, then game 1 inverted)."""
    return A_SIDE_BATTLES[game2_label] + tuple(1.0 - s for s in A_SIDE_BATTLES[game1_label])


@register_scorer("arena_hard_v2")
class ArenaHardScorer(JudgedShareScorer):
    """Per question the battles won (`correct`) of those played (`total`); the task's value is their ratio in %.
    A question without both verdicts counts, in the strict number, as its two games lost."""

    name = "arena_hard_v2"
    metric = "win rate, no style control"  # show_result.py without --control-features
    official_judges = (ARENA_HARD_V2, ARENA_HARD_V2_CREATIVE)

    def requests(self, item: ScoreInput, answer: str) -> tuple[JudgeRequest, ...]:
        question = ArenaHardQuestion.of(item.reference)
        judge = question.setting.judge
        game1 = {"QUESTION": question.prompt, "ANSWER_A": question.baseline_answer, "ANSWER_B": answer}
        game2 = {"QUESTION": question.prompt, "ANSWER_A": answer, "ANSWER_B": question.baseline_answer}
        return (JudgeRequest(judge, JudgeItem(f"{item.sample_id}#game1", game1)),
                JudgeRequest(judge, JudgeItem(f"{item.sample_id}#game2", game2)))

    def total(self, item: ScoreInput) -> float:
        return 2.0

    def earned(self, item: ScoreInput, verdicts: Sequence[Verdict]) -> tuple[float, float, str]:
        game1, game2 = (str(v) for v in verdicts)
        battles = model_battles(game1, game2)
        return sum(battles), float(len(battles)), f"{game1} {game2}"


@dataclass(frozen=True)
class QuestionSet:
    """One category's questions, each with the baseline's answer, and where that answer file is."""

    questions: tuple[ArenaHardQuestion, ...]
    subcategories: tuple[str, ...]  # per question
    baseline_answers: Path


def read_answers(path: Path) -> dict[str, str]:
    """uid -> the final answer of a model_answer file (gen_answer.py: the last message's content.answer)."""
    answers = {}
    for row in read_jsonl(path, ("uid", "messages"), "an arena-hard answer (uid, messages)"):
        try:
            answers[row["uid"]] = row["messages"][-1]["content"]["answer"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ValueError(f"{path}: the answer to {row['uid']} has no messages[-1].content.answer "
                             f"({exc!r})") from exc
    return answers


def read_questions(path: Path, category: str) -> QuestionSet:
    """question.jsonl's questions of `category`, each with the category's baseline answer from
    model_answer/<baseline>.jsonl beside it (the repository's layout)."""
    if category not in CATEGORY_SETTINGS:
        raise ValueError(f"arena-hard category {category!r}; valid: {', '.join(CATEGORY_SETTINGS)}")
    baseline = CATEGORY_SETTINGS[category].baseline
    answers_path = path.parent / ANSWER_FOLDER / f"{baseline}.jsonl"
    if not answers_path.is_file():
        raise ValueError(f"the baseline's answers {answers_path} are missing; copy arena-hard-auto's "
                         f"data/arena-hard-v2.0/{ANSWER_FOLDER}/{baseline}.jsonl beside {path.name}")
    baseline_answers = read_answers(answers_path)
    rows = [r for r in read_jsonl(path, ("uid", "category", "subcategory", "prompt"), "an arena-hard question")
            if r["category"] == category]
    unanswered = [r["uid"] for r in rows if r["uid"] not in baseline_answers]
    if unanswered:
        raise ValueError(f"{answers_path} has no answer to {len(unanswered)} question(s), e.g. {unanswered[0]}")
    return QuestionSet(tuple(ArenaHardQuestion(r["uid"], category, r["prompt"], baseline_answers[r["uid"]])
                             for r in rows),
                       tuple(r["subcategory"] for r in rows), answers_path)


def read_arena_hard_answers(predictions: Path, references: Path | None, category: str) -> tuple[ArenaHardScorer,
                                                                                                list[ScoreInput]]:
    """A model's answers in gen_answer.py's format (a model_answer/<model>.jsonl) with --references question.jsonl
    (the baselines' answers beside it), as items to judge; a question the model did not answer is unanswered."""
    if references is None:
        raise ValueError("arena-hard answers need --references question.jsonl, with model_answer/ beside it")
    answers = read_answers(predictions)
    questions = read_questions(references, category)
    return ArenaHardScorer(), [ScoreInput(q.uid, answers.get(q.uid), q, {"subcategory": sub})
                               for q, sub in zip(questions.questions, questions.subcategories, strict=True)]
