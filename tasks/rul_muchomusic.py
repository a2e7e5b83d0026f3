"""RUL-MuchoMusic (yongyizang/AreYouReallyListening RUL-MuchoMusic.json: 1,187 MuChoMusic questions with the
correct answer and four distractors each; audio from MuChoMusic / yongyizang/RUListening). Set dataset.local_path
to RUL-MuchoMusic.json and dataset.media_dir to the folder of `<question id>.mp3` (the official scripts' layout;
options.audio_extension changes the suffix).

Protocol (evalkit's choice where the paper is silent): the official one-shot evaluation, five options A-E and
its prompt (ExampleAudioEval/qwen_2_audio.py @ d3971de), one request per question. The authors recommend a
leave-one-out vote over four 4-option prompts; which Qwen used is not published. The official script shuffles the
options without a seed; evalkit shuffles each question's options with random.Random(<question id>), so the order
is the same on every run. Scored by the official extract_answer (evalkit.scoring.rul_muchomusic).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.datasets_io import DatasetError, resolve_path
from evalkit.registry import AUDIO_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.smoke_fixtures import sox_synth
from evalkit.task import LoadedTask, format_prompt, media_dir, media_file, require_media, user_turn
from evalkit.types import Sample

PROMPT = ("Provide your best guess of this question. Think step by step.\n\nQuestion: {question}\n\n"
          "Options: {options}\n\nWrite out your guess in the format of [[Letter]], such as [[A]], [[B]], [[C]], "
          "[[D]] or [[E]].")


def _questions_file(config: TaskConfig) -> Path:
    if config.dataset.local_path is None:
        raise ConfigError(f"task {config.name!r}: set tasks.{config.name}.dataset.local_path to RUL-MuchoMusic.json")
    path = resolve_path(config.dataset.local_path)
    if not path.is_file():
        raise DatasetError(f"dataset.local_path {path} is not a file; point it at RUL-MuchoMusic.json")
    return path


def check(config: TaskConfig) -> None:
    _questions_file(config)
    media_dir(config)


def shuffled_options(question_id: str, entry: dict[str, Any]) -> dict[str, str]:
    options = [entry["correct_answer"], *entry["distractors"]]
    random.Random(question_id).shuffle(options)
    return dict(zip("ABCDE", options, strict=True))


def load_samples(config: TaskConfig) -> LoadedTask:
    path, folder = _questions_file(config), media_dir(config)
    extension = config.options["audio_extension"]
    questions: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    samples = []
    for qid, entry in questions.items():
        options = shuffled_options(qid, entry)
        text = format_prompt(config, config.prompt, question=entry["question"],
                             options=" ".join(f"({letter}) {option}" for letter, option in options.items()))
        samples.append(Sample(task=config.name, sample_id=qid,
                              messages=user_turn([media_file("audio", folder, f"{qid}.{extension}")], text),
                              reference=ChoiceQuestion(entry["correct_answer"], options)))
    require_media(config, samples)
    return LoadedTask(samples, {"source": "local", "local_path": str(path), "media_dir": str(folder)})


def make_smoke_fixture(folder: Path) -> None:
    questions = {
        "9001": ("How many notes are played?", "Three", ["One", "Two", "Four", "Five"], ("0.4", "sine", "262", ":",
                 "synth", "0.4", "sine", "330", ":", "synth", "0.4", "sine", "392")),
        "9002": ("Is the tone steady or rising?", "Rising", ["Steady", "Falling", "Silent", "Pulsing"],
                 ("1.2", "sine", "300-900")),
    }  # fmt: skip
    entries = {}
    for qid, (question, answer, distractors, effects) in questions.items():
        sox_synth(folder / f"{qid}.wav", *effects)
        entries[qid] = {"question": question, "caption": "", "correct_answer": answer, "distractors": distractors,
                        "PI": 1.0}
    (folder / "RUL-MuchoMusic.json").write_text(json.dumps(entries, indent=1) + "\n")


register(TaskSpec(
    name="rul_muchomusic",
    title="RUL-MuchoMusic, 1,187 music questions, one-shot with 5 options (local json + audio folder)",
    modalities=("audio",),
    dataset=DatasetConfig(hub_id="yongyizang/RUListening", split="test"),
    scorer=ScorerConfig("rul_muchomusic"),
    prompt=PROMPT,
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    reported=reported_in((AUDIO_TABLE,), "RUL-MuchoMusic", "", "accuracy"),
    options={"audio_extension": "mp3"},
    smoke=SmokeVariant(fixture="rul_muchomusic", make_fixture=make_smoke_fixture, local_path="RUL-MuchoMusic.json",
                       media_dir="", options={"audio_extension": "wav"}),
))
