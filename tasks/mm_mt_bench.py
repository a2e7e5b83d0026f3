"""MM-MT-Bench (mistralai/MM-MT-Bench, split eval: multi-turn conversations about one image each), judged turn by
turn by the official judge (scorer mm_mt_bench: gpt-4o-2024-05-13 rates 1-10 against the reference answer; the
number is the mean rating over turns). Without a judge (`judge.use=none`) the task is NOT SCORED.

As mistral-evals (eval/tasks/mm_mt_bench.py @ d61811f) builds its requests: one sample per user turn, holding the
conversation up to that turn with the dataset's reference answers as the earlier assistant turns (not the model's
own earlier answers), the image first in the first user message; temperature 0, up to 4096 new tokens
(DEFAULT_MAX_TOKENS). No instruction is added: the conversation is the prompt.

Rows: conversation (a JSON list of chat messages, user and assistant alternating, the first user message's content
a list of chunks beginning with {"type": "image"}), image, category.
Reference: ConversationTurn. Categories: category and turn. Cluster: the conversation (its turns share an image).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.mm_mt_bench import ConversationTurn, mm_mt_bench_categories
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, media_cell
from evalkit.types import MediaPart, Message, Part, Sample, TextPart

COLUMNS = ("conversation", "image", "category")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def _texts(content: Any, where: str) -> list[str]:
    """A message's text chunks in order (a plain string is one chunk); image chunks are left out."""
    if isinstance(content, str):
        return [content]
    if not isinstance(content, list):
        raise ValueError(f"{where}: content is neither text nor a list of chunks")
    return [chunk["text"] for chunk in content if chunk.get("type") == "text"]


def _turn_samples(config: TaskConfig, index: int, row: dict[str, Any]) -> list[Sample]:
    where = f"{config.name} conversation {index}"
    try:
        messages = json.loads(row["conversation"])
    except (TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{where}: `conversation` is not a JSON list of messages ({exc})") from None
    roles = [m.get("role") for m in messages]
    if not messages or len(messages) % 2 or roles != ["user", "assistant"] * (len(messages) // 2):
        raise ValueError(f"{where}: expected user and assistant messages alternating, ending with an answer; got "
                         f"{roles}")
    first = messages[0]["content"]
    if not isinstance(first, list) or not first or first[0].get("type") != "image":
        raise ValueError(f"{where}: the first user message must begin with its image chunk, as the dataset does")
    image = media_cell("image", row["image"], where)
    history: list[Message] = []
    questions: list[str] = []
    answers: list[str] = []
    samples = []
    for position in range(0, len(messages), 2):
        texts = _texts(messages[position]["content"], f"{where} message {position}")
        parts: list[Part] = [MediaPart(image)] if position == 0 else []
        history.append(Message("user", (*parts, *(TextPart(t) for t in texts))))
        questions.append("".join(texts))  # the official replay joins a message's text chunks
        answers.append("".join(_texts(messages[position + 1]["content"], f"{where} message {position + 1}")))
        turn = position // 2
        samples.append(Sample(
            task=config.name, sample_id=f"{index}-{turn}", messages=tuple(history),
            reference=ConversationTurn(tuple(questions), tuple(answers), row["category"]),
            categories=mm_mt_bench_categories(row["category"], turn), cluster=str(index),
        ))
        history.append(Message("assistant", (TextPart(answers[-1]),)))  # the reference answer, as officially
    return samples


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"image": "image"})
    rows = loaded.rows
    return LoadedTask([s for i, row in enumerate(rows) for s in _turn_samples(config, i, row)], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    import datasets
    from PIL import ImageDraw

    def chart(d: ImageDraw.ImageDraw) -> None:
        for x, h in ((8, 20), (28, 40), (48, 10)):
            d.rectangle([x, 60 - h, x + 10, 60], fill="black")

    def image_turn(text: str) -> list[dict[str, str]]:
        return [{"type": "image"}, {"type": "text", "text": text}]

    rows = [
        {"conversation": json.dumps([
            {"role": "user", "content": image_turn("How many bars does the chart show?")},
            {"role": "assistant", "content": "The chart shows three bars."},
            {"role": "user", "content": "Which bar is the tallest?"},
            {"role": "assistant", "content": "The middle bar is the tallest."},
        ]), "image": png(chart), "category": "Charts"},
        {"conversation": json.dumps([
            {"role": "user", "content": image_turn("Describe the image in one sentence.")},
            {"role": "assistant", "content": "A white square with a blue square inside it."},
        ]), "image": png(lambda d: d.rectangle([16, 16, 48, 48], fill="blue")), "category": "Misc"},
    ]  # fmt: skip
    features = datasets.Features({"conversation": datasets.Value("string"), "image": datasets.Image(),
                                  "category": datasets.Value("string")})
    write_parquet(rows, features, folder / "eval.parquet")


register(TaskSpec(
    name="mm_mt_bench",
    title="MM-MT-Bench eval, multi-turn image conversations, each turn rated 1-10 by the official GPT-4o judge",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="mistralai/MM-MT-Bench", split="eval"),
    scorer=ScorerConfig("mm_mt_bench"),
    load=load_samples,
    check=check,
    reported=reported_in(VISION_TABLES, "MM-MT-Bench", "", "judge_score"),
    max_new_tokens=4096,
    smoke=SmokeVariant(fixture="mm_mt_bench", make_fixture=make_smoke_fixture, local_path="eval.parquet"),
))
