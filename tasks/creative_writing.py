"""Creative Writing v3 (EQ-bench/creative-writing-bench @ e7ab00917c96aeae577e3eeea15eba882be9d5e0): 32 writing
prompts x 3 iterations = 96 pieces, each judged by the official rubric judge (evalkit.scoring.creative_writing);
the score is the rubric mean x5 (0..100), the number Qwen's tables print (the leaderboard's Elo is not computed).

There is no hub copy: set dataset.local_path to the repository's data/creative_writing_prompts_v3.json, a JSON object
{id: {category, title, writing_prompt, seed_modifiers}}. Iteration i asks the prompt with `<SEED>` replaced by
seed_modifiers[(i - 1) % len] (core/benchmark.py), as the only user turn; options.iterations (3, the README's
recommendation and the leaderboard's) sets how many. Sample ids are "<prompt id>/<iteration>".
Deviations: the official generation samples at temperature 0.7, min_p 0.1, max_tokens 4000 and retries a piece
shorter than 500 characters up to three times; evalkit decodes as the model's profile says (Qwen's settings are
not published) and judges every piece once as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.creative_writing import CreativeWritingPrompt
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

PROMPT_FILE = "creative_writing_prompts_v3.json"
SEED = "<SEED>"
FIELDS = ("writing_prompt", "seed_modifiers")


def read_prompts(config: TaskConfig) -> tuple[dict[str, dict[str, Any]], Path]:
    path = datasets_io.local_file(config.dataset, config.name, f"creative-writing-bench's data/{PROMPT_FILE}")
    try:
        prompts = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(prompts, dict):
        raise ConfigError(f"{path}: expected an object {{id: prompt}}, as {PROMPT_FILE} is")
    for prompt_id, prompt in prompts.items():
        missing = [f for f in FIELDS if not prompt.get(f)]
        if missing:
            raise ConfigError(f"{path}: prompt {prompt_id} has no {', '.join(missing)}")
    return prompts, path


def check(config: TaskConfig) -> None:
    iterations = config.options.get("iterations")
    if not isinstance(iterations, int) or iterations < 1:
        raise ConfigError(f"{config.name}: options.iterations={iterations!r}; give a positive integer (official: 3)")
    read_prompts(config)


def load_samples(config: TaskConfig) -> LoadedTask:
    prompts, path = read_prompts(config)
    samples = []
    for prompt_id, prompt in prompts.items():  # core/benchmark.py's order: prompt, then iteration
        seeds = prompt["seed_modifiers"]
        for iteration in range(1, config.options["iterations"] + 1):
            asked = prompt["writing_prompt"].replace(SEED, seeds[(iteration - 1) % len(seeds)])
            samples.append(Sample(
                task=config.name, sample_id=f"{prompt_id}/{iteration}",
                messages=user_turn([], format_prompt(config, config.prompt, prompt=asked)),
                reference=CreativeWritingPrompt(prompt_id, prompt["writing_prompt"]),
            ))
    return LoadedTask(samples, datasets_io.local_file_provenance(path, len(prompts)))


def make_smoke_fixture(folder: Path) -> None:
    prompts = {
        "1": {"category": "nature", "title": "Rain",
              "writing_prompt": f"Write a short scene about rain on a tin roof. {SEED} Third person, 100 words.",
              "seed_modifiers": ["Include a cat.", "Set it at night."]},
        "2": {"category": "humour", "title": "Lost Sock",
              "writing_prompt": f"Write a comic monologue by a lost sock. {SEED} First person, 100 words.",
              "seed_modifiers": ["Mention the washing machine."]},
    }
    (folder / PROMPT_FILE).write_text(json.dumps(prompts, indent=2) + "\n", encoding="utf-8")


register(TaskSpec(
    name="creative_writing_v3",
    title="Creative Writing v3, 32 prompts x 3 iterations: the official rubric judge (Claude 3.7 Sonnet), mean x5",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="", split="test"),
    scorer=ScorerConfig("creative_writing_v3"),
    prompt="{prompt}",
    prompt_fields=("prompt",),
    load=load_samples,
    check=check,
    reported=reported_in(TEXT_TABLES, "Creative Writing v3", "", "score"),
    max_new_tokens=4000,  # the official generation's max_tokens
    options={"iterations": 3},
    smoke=SmokeVariant(fixture="creative_writing_v3", make_fixture=make_smoke_fixture, local_path=PROMPT_FILE,
                       options={"iterations": 1}),
))
