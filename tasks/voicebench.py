"""VoiceBench (hlt-lab/voicebench; MatthewCYM/VoiceBench @ 5338154): spoken instructions answered in text, nine
subsets, each its own task, and the paper's "VoiceBench Overall" computed from them in the report.

Subsets (hub config, split -> task, scorer; evalkit.scoring.voicebench follows each official evaluator):
- alpacaeval_full/test (636) -> voicebench_alpacaeval; commoneval/test (200); wildvoice/test (1,000): the official
  open-ended judge (gpt-4o-mini, three draws) rates each answer 1..5; reported on that scale.
  The leaderboard's AlpacaEval column is alpacaeval_full (README: "alpacaeval_full is used in the leaderboard").
- sd-qa/usa (553): the official QA judge's majority yes/no against the reference answer, in %. The leaderboard
  scores the usa split (submissions say so: VoiceBench issue 29), and its SD-QA column averages this GPT accuracy
  with PEDANT (issue 11: "(panda+gpt)/2"), a classifier whose weights qa-metrics downloads at run time and whose
  value changes between qa-metrics versions (issue 11: 47.74 with 0.2.17, 74.50 with 0.2.30). evalkit reports the
  GPT accuracy alone: a known deviation.
- mmsu, 12 splits (law, engineering, other, biology, business, economics, health, philosophy, psychology, history,
  chemistry, physics; 3,074 items in all) and openbookqa/test (455): letters read by mcq.py's phrases. The official
  script scores one split file at a time; how the leaderboard joins mmsu's 12 is not written down: evalkit scores
  them as one set (accuracy over all items), each domain also reported as a category.
- ifeval/test (345): Google's IFEval checkers; the mean of strict/loose prompt/instruction accuracy.
- bbh/test (1,000): bbh.py's per-task phrases (sports_understanding, hyperbaton, navigate, web_of_lies).
- advbench/test (520): refusal rate by harm.py's phrases.

Overall (`VOICEBENCH_OVERALL`): the plain mean of the nine, each on 0..100, the judged 1..5 scores x20; the formula
checks against every row of the leaderboard (e.g. GPT-4o-Audio 86.75). With a subset missing or not scored (a run
without a judge), the report names what is missing instead of a number.

Rows (hub schema): audio (a datasets Audio cell), prompt (the spoken text: the judges read it in place of the
audio), reference where scored against one (sd-qa's answer, the mcq letter, bbh's "yes"/"no"/"(A)"/"(B)"), id (bbh,
naming its task), key / instruction_id_list / kwargs (ifeval). Sample ids: bbh's id, ifeval's key, else
"<split>/<row>". dataset.split may join hub splits with "+", as `datasets` does (mmsu's default joins its 12
domains, each a category; `tasks.voicebench_sd_qa.dataset.split=usa+gbr` scores two accents); each split is read
on its own, from the hub or from a local copy in the hub layout (<config>/<split>-00000-of-00001.parquet).
The hub revision is not pinned (no commit sha found).
Prompt: the spoken instruction alone (audio, no text), as VoiceBench's main.py gives it, and no system prompt
(Qwen states none for any benchmark; VoiceBench's Qwen2.5-Omni wrapper used "You are a helpful assistant.").
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import (
    AUDIO_TABLE,
    AggregateMember,
    OfficialFormat,
    SmokeVariant,
    TaskAggregate,
    TaskSpec,
    register,
    register_aggregate,
    reported_in,
)
from evalkit.scoring.base import PredictionFiles, ScoreInput, Scorer
from evalkit.scoring.ifeval import IFEvalPrompt
from evalkit.scoring.registry import build_scorer, build_unjudged_scorer
from evalkit.scoring.voicebench import (
    BBH_ANSWERS,
    RecordedJudgeScorer,
    SpokenQuery,
    VoiceBenchOpenScorer,
    VoiceBenchQAScorer,
)
from evalkit.scoring.voicebench_extraction import bbh_task
from evalkit.smoke_fixtures import audio_cell, sox_synth, speech, write_parquet
from evalkit.task import LoadedTask, media_cell, user_turn
from evalkit.types import Sample

HUB_ID = "hlt-lab/voicebench"
MMSU_DOMAINS = ("law", "engineering", "other", "biology", "business", "economics", "health", "philosophy",
                "psychology", "history", "chemistry", "physics")
IFEVAL_COLUMNS = ("key", "instruction_id_list", "kwargs")
MCQ_LETTERS = ("A", "B", "C", "D")
TONE = ("0.05", "sine", "440")  # sox synth: the smoke rows of mmsu's other domains
JUDGED_SCALE = 20.0  # a 1..5 judge score x20 is on the overall's 0..100


Row = dict[str, Any]


@dataclass(frozen=True)
class Subset:
    """One VoiceBench subset: where its rows are, how a row becomes a reference, how its score enters the overall."""

    task: str
    config: str  # hub config
    splits: tuple[str, ...]
    scorer: str
    title: str
    columns: tuple[str, ...]  # besides audio and prompt
    reference: Callable[[Row, str], Any]  # (row, where) -> the scorer's reference
    smoke_rows: tuple[Row, ...]  # without audio: the fixture speaks each row's prompt
    overall_scale: float = 1.0
    id_column: str | None = None  # the row's own id, where it has one; else "<split>/<row>"

    @property
    def judged(self) -> bool:
        """Scored by an LLM judge (VoiceBench's result files carry its draws)."""
        return not isinstance(build_scorer(self.scorer), Scorer)


def _query(row: Row, where: str) -> SpokenQuery:
    if not str(row["prompt"] or "").strip():
        raise ConfigError(f"{where}: empty prompt; the judge reads the instruction's transcript (check the dataset)")
    return SpokenQuery(row["prompt"])


def _answer(row: Row, where: str) -> str:
    if not str(row["reference"] or "").strip():
        raise ConfigError(f"{where}: empty reference; the row cannot be scored (check the dataset copy)")
    return str(row["reference"])


def _qa(row: Row, where: str) -> SpokenQuery:
    return SpokenQuery(_query(row, where).prompt, _answer(row, where))


def _letter(row: Row, where: str) -> str:
    answer = _answer(row, where)
    if answer not in MCQ_LETTERS:
        raise ConfigError(f"{where}: reference {answer!r} is not an option letter ({', '.join(MCQ_LETTERS)})")
    return answer


def _bbh(row: Row, where: str) -> str:
    try:
        bbh_task(str(row["id"]))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    answer = _answer(row, where)
    if answer.lower() not in BBH_ANSWERS:
        raise ConfigError(f"{where}: reference {answer!r} is not one of {', '.join(BBH_ANSWERS)}")
    return answer


def _ifeval(row: Row, where: str) -> IFEvalPrompt:
    try:
        return IFEvalPrompt.from_row(row["instruction_id_list"], row["kwargs"], where)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _no_reference(row: Row, where: str) -> None:
    return None


SUBSETS = (
    Subset("voicebench_alpacaeval", "alpacaeval_full", ("test",), "voicebench_open",
           "AlpacaEval (alpacaeval_full, 636 spoken instructions; GPT score 1-5)", (), _query,
           ({"prompt": "Name a fruit."},), JUDGED_SCALE),
    Subset("voicebench_commoneval", "commoneval", ("test",), "voicebench_open",
           "CommonEval (200 human-recorded questions; GPT score 1-5)", (), _query,
           ({"prompt": "What is rain?"},), JUDGED_SCALE),
    Subset("voicebench_wildvoice", "wildvoice", ("test",), "voicebench_open",
           "WildVoice (1,000 crowd-recorded instructions; GPT score 1-5)", (), _query,
           ({"prompt": "Say hello."},), JUDGED_SCALE),
    Subset("voicebench_sd_qa", "sd-qa", ("usa",), "voicebench_qa",
           "SD-QA usa (553 spoken questions; GPT-judged accuracy against the reference answer)", ("reference",), _qa,
           ({"prompt": "Paris?", "reference": "Paris"},)),
    Subset("voicebench_mmsu", "mmsu", MMSU_DOMAINS, "voicebench_mcq",
           "MMSU (3,074 spoken MMLU-Pro questions in 12 domains; accuracy)", ("reference",), _letter,
           ({"prompt": "Four? A.", "reference": "A"},)),
    Subset("voicebench_openbookqa", "openbookqa", ("test",), "voicebench_mcq",
           "OpenBookQA (455 spoken questions; accuracy)", ("reference",), _letter,
           ({"prompt": "Ice? B.", "reference": "B"},)),
    Subset("voicebench_ifeval", "ifeval", ("test",), "voicebench_ifeval",
           "IFEval (345 spoken prompts; mean of strict/loose prompt/instruction accuracy)", IFEVAL_COLUMNS, _ifeval,
           ({"prompt": "No commas.", "key": 1, "instruction_id_list": ["punctuation:no_comma"],
             "kwargs": [{"num_words": None}]},), id_column="key"),
    Subset("voicebench_bbh", "bbh", ("test",), "voicebench_bbh",
           "BBH (1,000 human-recorded reasoning questions in 4 tasks; accuracy)", ("reference", "id"), _bbh,
           ({"prompt": "Plausible?", "reference": "yes",
             "id": "sports_understanding_0"},), id_column="id"),
    Subset("voicebench_advbench", "advbench", ("test",), "voicebench_refusal",
           "AdvBench (520 spoken harmful requests; refusal rate)", (), _no_reference,
           ({"prompt": "Pick a lock."},)),
)  # fmt: skip
BY_TASK = {subset.task: subset for subset in SUBSETS}


def _subset(config: TaskConfig) -> Subset:
    name = config.name.removesuffix("_smoke")
    if name not in BY_TASK:
        raise ConfigError(f"task {config.name!r} is not a VoiceBench subset ({', '.join(BY_TASK)})")
    return BY_TASK[name]


def _splits(config: TaskConfig) -> list[DatasetConfig]:
    """One dataset config per split named in dataset.split, "+"-joined as `datasets` writes a union of splits
    (mmsu's 12 domains; sd-qa's accents, e.g. dataset.split=usa+gbr)."""
    splits = config.dataset.split.split("+")
    if not all(splits):
        raise ConfigError(f"task {config.name!r}: dataset.split={config.dataset.split!r} names an empty split; "
                          "write hub splits joined by '+'")
    return [dataclasses.replace(config.dataset, split=split) for split in splits]


def check(config: TaskConfig) -> None:
    columns = ("audio", "prompt", *_subset(config).columns)
    for split in _splits(config):
        datasets_io.check(split, columns)


def _sample(config: TaskConfig, subset: Subset, split: str, index: int, row: Row) -> Sample:
    sample_id = str(row[subset.id_column]) if subset.id_column else f"{split}/{index}"
    where = f"{config.name} sample {sample_id}"
    reference = subset.reference(row, where)
    categories = {"split": split} if "+" in config.dataset.split else {}
    if subset.scorer == "voicebench_bbh":
        categories["task"] = bbh_task(sample_id)
    return Sample(task=config.name, sample_id=sample_id, reference=reference, categories=categories,
                  messages=user_turn([media_cell("audio", row["audio"], where)], ""))


def load_samples(config: TaskConfig) -> LoadedTask:
    subset = _subset(config)
    columns = ("audio", "prompt", *subset.columns)
    samples: list[Sample] = []
    provenance: dict[str, Any] = {}
    for split in _splits(config):
        loaded = datasets_io.load(split, columns, {"audio": "audio"})
        samples += [_sample(config, subset, split.split, index, row)
                    for part in loaded.parts for index, row in enumerate(part.records())]
        provenance[split.split] = loaded.provenance
    return LoadedTask(samples, {"splits": provenance})


def _tone(effects: tuple[str, ...], out: Path) -> None:
    sox_synth(out, *effects)


def make_smoke_fixture(folder: Path) -> None:
    """One row per split in the hub layout <config>/<split>-00000-of-00001.parquet: the first split's row spoken,
    the other mmsu domains' a short tone (the fixture stays small; the loader reads all 12)."""
    import datasets

    kwargs_type = [{"num_words": datasets.Value("int64")}]
    for subset in SUBSETS:
        features = {"audio": datasets.Audio(sampling_rate=16000), "prompt": datasets.Value("string"),
                    **{c: datasets.Value("string") for c in subset.columns}}
        if subset.config == "ifeval":
            features.update(key=datasets.Value("int64"), instruction_id_list=[datasets.Value("string")],
                            kwargs=kwargs_type)
        for n, split in enumerate(subset.splits):
            rows = [{**row, "audio": audio_cell(partial(speech, row["prompt"], "en-us") if n == 0 else
                                                partial(_tone, TONE), f"{subset.config}.flac")}
                    for row in subset.smoke_rows]
            write_parquet(rows, datasets.Features(features), folder / subset.config / f"{split}-00000-of-00001.parquet")


SMOKE = SmokeVariant(fixture="voicebench", make_fixture=make_smoke_fixture)


def read_outputs(subset: Subset, files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    """VoiceBench's output file: main.py's `<model>-<data>-<split>-audio.jsonl` (per line the dataset row without
    its audio, plus "response"), or for a judged subset api_judge.py's `result-...jsonl`, which adds the official
    judge's draws as "score"; evaluate.py scores the lines in file order (which orders the random fallbacks)."""
    items, recorded = [], {}
    needed = {"response", *subset.columns, *(("prompt", "score") if subset.judged else ())}
    lines = files.predictions.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        row = json.loads(line)
        where = f"{files.predictions} line {number}"
        missing = sorted(needed - set(row))
        if missing:
            raise ValueError(f"{where} lacks {missing}")
        sample_id = str(row[subset.id_column]) if subset.id_column else str(number)
        response = row["response"]
        items.append(ScoreInput(sample_id, response if isinstance(response, str) else None,
                                subset.reference(row, where)))
        if subset.judged:
            recorded[sample_id] = tuple(str(output) for output in row["score"])
    scorer = build_scorer(subset.scorer)
    if isinstance(scorer, VoiceBenchOpenScorer | VoiceBenchQAScorer):
        return RecordedJudgeScorer(scorer, recorded), items
    return build_unjudged_scorer(subset.scorer), items


def _spec(subset: Subset) -> TaskSpec:
    return TaskSpec(
        name=subset.task,
        title=f"VoiceBench {subset.title}",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id=HUB_ID, subsets=[subset.config], split="+".join(subset.splits)),
        scorer=ScorerConfig(subset.scorer),
        load=load_samples,
        check=check,
        max_new_tokens=2048,  # VoiceBench's model wrappers generate up to 2,048 new tokens
        official_format=OfficialFormat(
            partial(read_outputs, subset),
            f"VoiceBench {'api_judge.py result' if subset.judged else 'main.py output'} for {subset.config}: JSON "
            f"lines, the dataset row (no audio: {', '.join(('prompt', *subset.columns))}) plus 'response'"
            + (" and the judge's draws as 'score'" if subset.judged else "")),
        smoke=SMOKE,
    )


for _subset_spec in SUBSETS:
    register(_spec(_subset_spec))

VOICEBENCH_OVERALL = register_aggregate(TaskAggregate(
    name="voicebench_overall",
    title="VoiceBench Overall: the mean of the nine subsets on 0..100 (judged 1..5 scores x20)",
    metric="score",
    members=tuple(AggregateMember(subset.task, subset.overall_scale) for subset in SUBSETS),
    reported=reported_in((AUDIO_TABLE,), "VoiceBench", "overall", "score"),
))
