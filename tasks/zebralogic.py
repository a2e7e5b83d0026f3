"""ZebraLogic grid puzzles (allenai/ZebraLogicBench-private, config grid_mode, split test, 1,000 puzzles; gated on
the hub: the public allenai/ZebraLogicBench blanks the solutions), run and scored as ZeroEval, its official
harness, does (evalkit.scoring.zeroeval): the model answers in JSON, the headline is puzzle accuracy.

Rows: id, size ("3*4": houses x attributes), puzzle, solution {header: ["House", ...], rows: [[...], ...]}.
Prompt: ZeroEval's ZEBRA_GRID template (src/templates/ZEBRA_GRID.py, byte for byte: a worked 3-house example, the
puzzle, and the JSON answer skeleton `json.dumps(..., indent=4)` built from the solution's header and houses, as
src/_TEMPLATES.py apply_lgp_grid_template does). Categories: size, and ZeroEval's size group (small / medium /
large / xl, zebra_grid_eval.py). `scorer.options.metric=cell` reports cell accuracy instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.zeroeval import ZebraGrid
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "size", "puzzle", "solution")
SIZE_GROUPS = {
    "small": ("2*2", "2*3", "2*4", "2*5", "2*6", "3*2", "3*3", "4*2"),
    "medium": ("3*4", "3*5", "3*6", "4*3", "4*4", "5*2", "6*2"),
    "large": ("4*5", "5*3", "4*6", "5*4", "6*3"),
    "xl": ("5*5", "6*4", "5*6", "6*5", "6*6"),
}
ZEROEVAL_ZEBRA_PROMPT = (
    "\n# Example Puzzle \n\n"
    "There are 3 houses, numbered 1 to 3 from left to right, as seen from across the street. Each house is occupied "
    "by a different person. Each house has a unique attribute for each of the following characteristics:\n"
    " - Each person has a unique name: `Peter`, `Eric`, `Arnold`.\n"
    " - Each person has a unique favorite drink: `tea`, `water`, `milk`\n\n"
    "## Clues for the Example Puzzle\n\n"
    "1. Peter is in the second house.\n"
    "2. Arnold is directly left of the one who only drinks water.\n"
    "3. The one who only drinks water is directly left of the person who likes milk.\n\n"
    "## Answer to the Example Puzzle\n\n"
    '{{\n    "reasoning": "Given Clue 1, we know Peter is in House 2. According to Clue 2, Arnold is directly left of '
    "the one who only drinks water. The person in House 3 cannot be on the left of anyone, so Arnold must be in "
    "House 1. Thus, Peter drinks water, and Eric lives in House 3. Then, according to Clue 3, Eric drinks milk. "
    'Therefore, Arnold drinks tea.",\n'
    '    "solution": {{\n'
    '        "House 1": {{\n            "Name": "Arnold",\n            "Drink": "tea"\n        }},\n'
    '        "House 2": {{\n            "Name": "Peter",\n            "Drink": "water"\n        }},\n'
    '        "House 3": {{\n            "Name": "Eric",\n            "Drink": "milk"\n        }}\n'
    "    }}\n}}\n\n"
    "# Puzzle to Solve \n\n{puzzle}\n\n\n# Instruction\n\n"
    "Now please solve the above puzzle. Present your reasoning and solution in the following json format:\n\n"
    "{json_template}\n\n"
)


def answer_skeleton(grid: ZebraGrid) -> str:
    """The JSON the model is asked to fill: "___" for the reasoning and for every cell of every house."""
    houses = {f"House {n}": dict.fromkeys(grid.header[1:], "___") for n in range(1, len(grid.rows) + 1)}
    return json.dumps({"reasoning": "___", "solution": houses}, indent=4)


def size_group(size: str) -> str:
    return next((group for group, sizes in SIZE_GROUPS.items() if size in sizes), "other")


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    grid = ZebraGrid.of(row["solution"])
    if not grid.header or grid.header[0] != "House" or not grid.rows:
        raise ConfigError(f"{config.name} puzzle {row['id']}: its solution needs a header starting with 'House' and "
                          f"one row per house; got header {list(grid.header)}")
    text = format_prompt(config, config.prompt, puzzle=row["puzzle"], json_template=answer_skeleton(grid))
    return Sample(task=config.name, sample_id=str(row["id"]), messages=user_turn([], text), reference=grid,
                  categories={"size": row["size"], "size_group": size_group(row["size"])})


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS)
    return LoadedTask([_sample(config, row) for row in loaded.rows], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    puzzles = [
        ("lgp-smoke-2x2-0", "2*2", "There are 2 houses, numbered 1 to 2 from left to right. Names: `Alice`, `Bob`. "
         "Pets: `cat`, `dog`.\n\n## Clues:\n1. Alice is in the first house.\n2. The dog owner is in house 2.",
         ["House", "Name", "Pet"], [["1", "Alice", "cat"], ["2", "Bob", "dog"]]),
        ("lgp-smoke-2x3-0", "2*3", "There are 2 houses. Names: `Carol`, `Dan`. Colors: `red`, `blue`. Drinks: `tea`, "
         "`milk`.\n\n## Clues:\n1. Dan lives in the red house.\n2. Carol drinks tea.\n3. The blue house is first.",
         ["House", "Name", "Color", "Drink"], [["1", "Carol", "blue", "tea"], ["2", "Dan", "red", "milk"]]),
    ]
    with open(folder / "test.jsonl", "w", encoding="utf-8") as f:
        for puzzle_id, size, puzzle, header, rows in puzzles:
            f.write(json.dumps({"id": puzzle_id, "size": size, "puzzle": puzzle,
                                "solution": {"header": header, "rows": rows}, "created_at": "2024-07-03"}) + "\n")


register(TaskSpec(
    name="zebralogic",
    title="ZebraLogic grid mode, 1,000 puzzles, ZeroEval's prompt and JSON parsing, puzzle accuracy",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="allenai/ZebraLogicBench-private", subsets=["grid_mode"], split="test"),
    scorer=ScorerConfig("zebralogic", {"metric": "puzzle"}),
    prompt=ZEROEVAL_ZEBRA_PROMPT,
    prompt_fields=("puzzle", "json_template"),
    load=load_samples,
    check=lambda config: datasets_io.check(config.dataset, COLUMNS),
    reported=reported_in(TEXT_TABLES[:1], "ZebraLogic", "", "score"),
    max_new_tokens=8192,
    smoke=SmokeVariant(fixture="zebralogic", make_fixture=make_smoke_fixture, local_path="test.jsonl", subsets=()),
))
