"""Synthetic paper-scale inputs (evalkit.scale_media): real shapes and lengths, made on first use and cached in
dataset.media_dir (default <cache_dir>/scale). For capacity plans (`evalkit plan suite=scale`) and throughput
benchmarks; the answers mean nothing, so the scores do not either. Their data being generated already, they have
no smoke variant; the paper reports nothing for them.

Options: kind (speech | sound | images | video) and count (samples). Prompt fields: none.
Reference: a two-option question whose answer is "yes" (scored by the MMAU matcher; the score is noise).
Categories: length bucket (speech, video) or images per prompt.
"""

from __future__ import annotations

from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.datasets_io import resolve_path
from evalkit.registry import TaskSpec, register
from evalkit.scale_media import KINDS, ScaleItem, make_items
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import MediaRef, Sample


def check(config: TaskConfig) -> None:
    kind, count = config.options.get("kind"), config.options.get("count")
    if kind not in KINDS:
        raise ConfigError(f"task {config.name!r}: options.kind={kind!r}; valid: {', '.join(KINDS)}")
    if not isinstance(count, int) or count < 1:
        raise ConfigError(f"task {config.name!r}: options.count={count!r}; use a positive number of samples")
    _media_dir(config)


def _media_dir(config: TaskConfig) -> str:
    if config.dataset.media_dir is None:
        raise ConfigError(f"task {config.name!r}: set dataset.media_dir, the folder the synthetic media are cached in")
    return config.dataset.media_dir


def _sample(config: TaskConfig, item: ScaleItem) -> Sample:
    refs = [MediaRef(item.kind, path=str(path)) for path in item.paths]
    return Sample(
        task=config.name,
        sample_id=item.sample_id,
        messages=user_turn(refs, format_prompt(config, config.prompt)),
        reference=ChoiceQuestion(answer="yes", options={"A": "yes", "B": "no"}),
        categories={"bucket": item.category},
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    folder = resolve_path(_media_dir(config))
    items = make_items(config.options["kind"], config.options["count"], folder)
    return LoadedTask([_sample(config, item) for item in items], {"synthetic": True, "media_dir": str(folder)})


# (kind, input the model is given, count: the GPU benchmark's workloads, prompt, what the items are like)
SCALE_TASKS = (
    ("speech", "audio", 64, "Transcribe the audio into text.", "LibriSpeech/Fleurs-length speech, 2-30 s at 16 kHz"),
    ("sound", "audio", 64, "Is there music in this clip? Answer yes or no.",
     "MMAU-like clips, 10-30 s at 44.1 kHz stereo"),
    ("images", "image", 32, "Do these images show a chart? Answer yes or no.", "MMMU-size images, 1-3 per prompt"),
    ("video", "video", 8, "Does the scene change colour? Answer yes or no.",
     "Video-MME short (1-2 min), medium (4-15 min) and long (30-60 min) videos at fps 2"),
)  # fmt: skip

for _kind, _modality, _count, _prompt, _what in SCALE_TASKS:
    register(TaskSpec(
        name=f"scale_{_kind}",
        title=f"synthetic {_what} (suite=scale; scores mean nothing)",
        modalities=(_modality,),
        dataset=DatasetConfig(hub_id="", split="synthetic", media_dir="${cache_dir}/scale"),
        scorer=ScorerConfig("mmau"),
        prompt=_prompt,
        load=load_samples,
        check=check,
        max_new_tokens=128,
        options={"kind": _kind, "count": _count},
    ))
