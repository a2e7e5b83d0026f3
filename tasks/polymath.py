"""PolyMATH (Qwen/PolyMath: 18 language configs, each with splits low, medium, high, top of 125 problems; 9,000
in all), scored as QwenLM/PolyMath @ fbf4e41 eval/run_eval.py does (evalkit.scoring.boxed_math, scorer polymath):
the first boxed answer, per language the difficulty-weighted accuracy (levels weighted 1, 2, 4, 8, over 15), the
benchmark number the mean over languages.

Rows: id, question, answer (LaTeX). Categories: language, level.
Prompt: the question, a newline, then the language's own boxed-answer note from the repository's instruction.py
(`query_dic`, kept byte for byte, its "\\{\\}" included); the paper's language-control suffixes are not sent
(evalkit's choice: the Qwen3 report does not say it used them). Answer checking is math-verify's, not the
repository's latex2sympy-based math_equal (see evalkit/scoring/boxed_math.py); its language-consistency numbers
are not computed.
options.levels: the difficulty splits read (all four by default; the weighting needs all four); they replace
dataset.split, which only names the first.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.boxed_math import LANGUAGE_KEY, LEVEL_KEY, POLYMATH_LEVELS
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "question", "answer")
BOXED_INSTRUCTION = {
    "en": "Note: Please put the final answer in the $\\boxed\\{\\}$.",
    "zh": "注意：请将最终答案放在 $\\boxed\\{\\}$ 中。",
    "ar": "ملاحظة: يُرجى وضع الإجابة النهائية في $\\boxed\\{\\}$.",
    "bn": "বিঃদ্রঃ: অনুগ্রহ করে চূড়ান্ত উত্তরটি $\\boxed\\{\\}$ এর মধ্যে রাখুন।",
    "de": "Hinweis: Bitte setzen Sie die endgültige Antwort in $\\boxed\\{\\}$.",
    "es": "Nota: Por favor, coloque la respuesta final en el $\\boxed\\{\\}$.",
    "fr": "Remarque : Veuillez mettre la réponse finale dans le $\\boxed\\{\\}$.",
    "id": "Catatan: Silakan letakkan jawaban akhir di dalam $\\boxed\\{\\}$.",
    "it": "Nota: Per favore, metti la risposta finale nel $\\boxed\\{\\}$.",
    "ja": "注意：最終的な答えを $\\boxed\\{\\}$ に入れてください。",
    "ko": "참고: 최종 답안을 $\\boxed\\{\\}$ 안에 넣어 주세요.",
    "ms": "Nota: Sila letakkan jawapan akhir dalam $\\boxed\\{\\}$.",
    "pt": "Nota: Por favor, coloque a resposta final no $\\boxed\\{\\}$.",
    "ru": "Примечание: Пожалуйста, поместите окончательный ответ в $\\boxed\\{\\}$.",
    "sw": "Kumbuka: Tafadhali weka jibu la mwisho katika $\\boxed\\{\\}$.",
    "te": "గమనిక: దయచేసి తుది జవాబును $\\boxed\\{\\}$ లో ఉంచండి.",
    "th": "หมายเหตุ: กรุณาใส่คำตอบสุดท้ายใน $\\boxed\\{\\}$.",
    "vi": "Lưu ý: Vui lòng đặt câu trả lời cuối cùng trong $\\boxed\\{\\}$.",
}


def _levels(config: TaskConfig) -> list[str]:
    levels = list(config.options["levels"])
    unknown = [level for level in levels if level not in POLYMATH_LEVELS]
    if unknown or not levels:
        raise ConfigError(f"task {config.name!r}: options.levels={levels}; choose from {list(POLYMATH_LEVELS)}")
    return levels


def check(config: TaskConfig) -> None:
    unknown = [language for language in config.dataset.subsets if language not in BOXED_INSTRUCTION]
    if unknown or not config.dataset.subsets:
        raise ConfigError(f"task {config.name!r}: dataset.subsets {unknown or '[]'}; PolyMATH's languages are "
                          f"{sorted(BOXED_INSTRUCTION)}")
    for level in _levels(config):
        datasets_io.check(dataclasses.replace(config.dataset, split=level), COLUMNS)


def load_samples(config: TaskConfig) -> LoadedTask:
    samples, provenance = [], {}
    for level in _levels(config):
        loaded = datasets_io.load(dataclasses.replace(config.dataset, split=level), COLUMNS)
        provenance[level] = loaded.provenance
        samples += [
            Sample(task=config.name, sample_id=f"{part.subset}-{level}-{row['id']}",
                   messages=user_turn([], format_prompt(config, config.prompt, question=row["question"],
                                                        instruction=BOXED_INSTRUCTION[part.subset])),
                   reference=str(row["answer"]), categories={LANGUAGE_KEY: part.subset, LEVEL_KEY: level})
            for part in loaded.parts for row in part.records()
        ]  # fmt: skip
    return LoadedTask(samples, {"levels": provenance})


def make_smoke_fixture(folder: Path) -> None:
    problems = {
        "en": ["What is $3+4$?", "Compute $\\frac{1}{2}+\\frac{1}{4}$.", "Solve $2x=10$ for $x$.", "What is $7^2$?"],
        "zh": ["$3+4$ 等于多少？", "计算 $\\frac{1}{2}+\\frac{1}{4}$。", "解方程 $2x=10$。", "$7^2$ 等于多少？"],
    }
    answers = ["7", "$\\frac{3}{4}$", "5", "49"]
    for language, questions in problems.items():
        (folder / language).mkdir()
        for index, level in enumerate(POLYMATH_LEVELS):
            row = {"id": str(index), "question": questions[index], "answer": answers[index]}
            (folder / language / f"{level}.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n",
                                                              encoding="utf-8")


register(TaskSpec(
    name="polymath",
    title="PolyMATH, 18 languages x 4 levels x 125 problems, difficulty-weighted accuracy (first boxed answer)",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="Qwen/PolyMath", subsets=sorted(BOXED_INSTRUCTION), split="low"),
    scorer=ScorerConfig("polymath"),
    prompt="{question}\n{instruction}",
    prompt_fields=("question", "instruction"),
    load=load_samples,
    check=check,
    reported=reported_in(TEXT_TABLES, "PolyMATH", "", "score"),
    max_new_tokens=16384,
    options={"levels": list(POLYMATH_LEVELS)},
    smoke=SmokeVariant(fixture="polymath", make_fixture=make_smoke_fixture, subsets=("en", "zh")),
))
