"""Typed run configuration. Hydra composes YAML from configs/; every section is then merged into its dataclass
here, so an unknown key or a wrong type fails at once naming the key, before any data or model is loaded.

Protocol facts that are unknown (frame cap, Fleurs languages, CER languages, ...) are plain fields here: they
are set in YAML, overridable, and written to every run's manifest with the rest of the resolved config.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from evalkit.judges.spec import JudgeConfig

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
# configs/ and results/reference/ live at the repository root; evalkit/configs and evalkit/reference are symlinks
# to them, which setuptools follows when it builds a wheel, so an installed evalkit finds them at the same place.
CONFIG_DIR = PACKAGE_DIR / "configs"


DEFAULT_DATASET_LOCK = "configs/datasets.lock.json"  # `evalkit lock-datasets` writes it; relative to the repo root
MODEL_VARIANTS = ("instruct", "thinking", "captioner", "tiny")
MODEL_WEIGHTS = ("checkpoint", "random")


class ConfigError(ValueError):
    """A configuration mistake, found before any model is loaded; the message says what to do."""


@dataclass
class ModelConfig:
    name: str
    path: str  # hub id or local checkpoint folder; "" with `build_tiny` means the tiny model cache folder
    revision: str | None = None
    variant: str = "instruct"  # instruct | thinking | captioner | tiny
    profile: str = "qwen3_omni"  # the model family (evalkit/profiles): processor, prompts, media encoding, engines
    modalities: list[str] = field(default_factory=lambda: ["text", "audio", "image", "video"])
    # greedy: temperature 0 (Instruct, Captioner). generation_config: the checkpoint's generation_config.json
    # (Thinking), read from the checkpoint and recorded in the manifest.
    decoding: str = "greedy"
    reasoning: bool = False  # output has a <think>...</think> block; the answer is scored after it
    # A reasoning model needs room to think; the paper does not say how much. Overrides task budgets if set.
    reasoning_max_new_tokens: int | None = None
    dtype: str = "bfloat16"
    # load the talker (spoken output); speech-generation tasks need it, text tasks never use it
    talker: bool = False
    # the talker's codec-token budget per spoken answer (12.5 codes a second): Qwen's generate default, 4096; a
    # random-weight talker rarely stops by itself, so the tiny model's config sets a short one
    talker_max_new_tokens: int = 4096
    build_tiny: bool = False  # build a tiny random-weight Qwen3-Omni on first use (tests, smoke runs)
    # checkpoint: load the folder's weights. random: build the architecture its config.json describes with random
    # weights (a full-size dry run from `evalkit make-model-config`); generation is then restricted to the token
    # ids the tokenizer decodes to text, so outputs are scoreable noise.
    weights: str = "checkpoint"


@dataclass
class RunnerConfig:
    name: str = "transformers"  # transformers | vllm | openai
    # transformers / openai: requests per engine call. vLLM: requests kept in the engine at once (it is fed
    # continuously, so this only needs to exceed max_num_seqs to keep the scheduler busy).
    batch_size: int = 8
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    dtype: str | None = None  # overrides model.dtype (parity tests run float32)
    attn_implementation: str | None = None  # e.g. flash_attention_2 on GPU
    seed: int = 1234
    # vLLM (the model card's recipe where it has one)
    max_model_len: int = 32768
    max_num_seqs: int = 8
    limit_mm_per_prompt: dict[str, int] = field(default_factory=lambda: {"image": 3, "video": 3, "audio": 3})
    tensor_parallel_size: int = 1
    data_parallel_size: int = 1
    # replicas of a batch runner (data_parallel_size > 1, cluster=ray): how long a partial batch waits after its
    # first request for more. The driver hands a burst over one request at a time; starting on the first alone
    # costs a whole extra engine call per burst (Triton's max_queue_delay). 0: start at once.
    batch_wait_s: float = 0.01
    gpu_memory_utilization: float = 0.9
    enforce_eager: bool = False
    # Any other vLLM engine argument by its EngineArgs name (max_num_batched_tokens, compilation_config, ...);
    # checked against the installed vLLM before the model loads.
    engine_args: dict[str, Any] = field(default_factory=dict)
    compile_cache_dir: str | None = None  # vLLM's compilation cache (VLLM_CACHE_ROOT); null = <cache_dir>/vllm
    # vLLM's batch-invariant kernels (VLLM_BATCH_INVARIANT): greedy outputs that do not depend on which requests
    # share a batch, at a throughput cost (`python -m bench.gpu --part invariant` measures both on an H200)
    batch_invariant: bool = False
    # OpenAI-compatible server
    base_url: str | None = None
    served_model: str | None = None
    api_key_env: str = "OPENAI_API_KEY"  # the key is read from this variable and never written to results
    concurrency: int = 8
    timeout_s: float = 600.0
    max_retries: int = 5


CLUSTERS = ("local", "ray")


@dataclass
class ClusterConfig:
    """Where the engines run. local: this machine (`runner.data_parallel_size` replicas in its processes).
    ray: `replicas` engine replicas as Ray actors, each with `num_gpus` GPUs and `num_cpus` cores of a Ray cluster,
    the media decoding and the scoring of tasks without a judge as Ray tasks, the judges' engines as Ray actors
    (evalkit.cluster)."""

    name: str = "local"
    address: str = "auto"  # ray: auto (the running cluster: RAY_ADDRESS or one started on this node), local, host:port
    replicas: int = 2
    num_gpus: float | None = None  # per replica; null: runner.tensor_parallel_size on GPUs, 0 with runner.device=cpu
    num_cpus: float = 1.0  # per replica; Ray also limits the replica's threads to it (OMP_NUM_THREADS)


@dataclass
class DatasetConfig:
    hub_id: str
    subsets: list[str] = field(default_factory=list)  # hub configs (MMMU: 30 subjects); empty = the default
    split: str = "test"
    revision: str | None = None
    # Overrides the hub: a `save_to_disk` folder, or a folder/file of parquet, json or jsonl in the hub schema.
    local_path: str | None = None
    media_dir: str | None = None  # where media named by the rows live (Video-MME videos, MMAU audio)


@dataclass
class DatasetsConfig:
    """Which commits hub datasets are loaded at (evalkit.dataset_lock)."""

    # the lock file of `evalkit lock-datasets` (relative to the repository root); null: none. The default may be
    # absent (then only pins in code or config apply); a file named here must exist.
    lock: str | None = DEFAULT_DATASET_LOCK
    require_pinned: bool = False  # true: a hub dataset at no pinned commit is an error before any model loads


@dataclass
class MediaConfig:
    sample_rate: int = 16000
    fps: float = 2.0
    min_frames: int = 4
    max_frames: int = 768  # Qwen's frame cap is unknown; official media utils default to 768
    max_pixels: int = 768 * 28 * 28  # per video frame (official media utils' VIDEO_MAX_PIXELS)
    min_pixels: int = 128 * 28 * 28
    frame_factor: int = 32  # frame sides are rounded to multiples of this (Qwen3-Omni: patch 16 x merge 2)
    image_max_pixels: int = 12845056  # processor default
    use_audio_in_video: bool = False


@dataclass
class ScorerConfig:
    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaskConfig:
    """One task of a run: its registered spec's defaults (evalkit.registry) with the user's overrides applied."""

    name: str  # the registered task (`evalkit tasks`); its module loads the dataset and builds prompts
    dataset: DatasetConfig
    scorer: ScorerConfig
    prompt: str  # a format string; each task module documents its fields
    media: MediaConfig = field(default_factory=MediaConfig)
    max_new_tokens: int = 256
    limit: int | None = None  # first N samples, for quick looks; recorded in the manifest
    options: dict[str, Any] = field(default_factory=dict)  # loader options, documented per task module


SPEECH_EVAL_MODES = ("official", "proxy")


@dataclass
class SpeechEvalConfig:
    """How spoken answers are heard. `official`: SEED-TTS eval's models, from local copies (Whisper-large-v3 for
    English and other non-Chinese text, Paraformer-zh for Chinese, WavLM-large + ECAPA-TDNN speaker verification);
    `proxy`: small models that install from PyPI (evalkit.listening), whose numbers are never set beside the paper's."""

    mode: str = "proxy"
    whisper_large_v3: str | None = None  # local folder of openai/whisper-large-v3 (transformers format)
    paraformer_zh: str | None = None  # local folder of FunASR's paraformer-zh model
    wavlm_large_sv: str | None = None  # wavlm_large_finetune.pth, UniSpeech's speaker-verification checkpoint
    unispeech_sv_code: str | None = None  # UniSpeech downstreams/speaker_verification folder (seed-tts-eval ships it)


@dataclass
class FailurePolicy:
    # Per task: >= 1 a count, < 1 a fraction of the task's samples; the run aborts when a task goes beyond it.
    max_failures: float = 0.05


@dataclass
class StatsConfig:
    bootstrap_iterations: int = 1000
    confidence: float = 0.95
    seed: int = 0


@dataclass
class RunConfig:
    model: ModelConfig
    runner: RunnerConfig
    tasks: dict[str, TaskConfig]
    suite: str | None  # the suite chosen, or None when tasks=[...] chose the tasks
    output_dir: str
    cache_dir: str
    resume: bool = True
    use_response_cache: bool = True
    media_workers: int | None = None  # decoding processes; None: half the CPU cores, 2 to 8 (evalkit.media.pool)
    failures: FailurePolicy = field(default_factory=FailurePolicy)
    speech_eval: SpeechEvalConfig = field(default_factory=SpeechEvalConfig)
    stats: StatsConfig = field(default_factory=StatsConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)  # who scores the judged tasks (evalkit.judges)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)  # where the engines run (local, ray)
    datasets: DatasetsConfig = field(default_factory=DatasetsConfig)  # dataset revision pins (evalkit.dataset_lock)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plain_mapping(node: Any, where: str, *, resolve: bool = False) -> dict[str, Any]:
    """An OmegaConf mapping as a plain dict (OmegaConf's own types allow a list, a string or None here)."""
    container = OmegaConf.to_container(node, resolve=resolve) if OmegaConf.is_config(node) else node
    if not isinstance(container, dict):
        raise ConfigError(f"{where or 'the config'} must be a mapping, not {type(container).__name__}")
    return {str(key): value for key, value in container.items()}


def mapping_node(node: Any, where: str) -> DictConfig:
    """`node` (OmegaConf.create/load/merge's result) as the mapping a run config is."""
    if not isinstance(node, DictConfig):
        raise ConfigError(f"{where} must be a mapping, not {type(node).__name__}")
    return node


def typed(schema: type, node: Any, where: str) -> Any:
    """`node` merged into the dataclass `schema`; a mistake is one ConfigError line naming the key under `where`."""
    from omegaconf.errors import OmegaConfBaseException

    try:
        merged = OmegaConf.merge(OmegaConf.structured(schema), node)
        return OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise ConfigError(omegaconf_error_line(exc, where)) from exc


def omegaconf_error_line(exc: Exception, where: str) -> str:
    """OmegaConf's message spans lines (message, full_key, object_type): one line naming the dotted key (`where`
    is the section's path from the run config's root, "" for the root) and the keys valid there."""
    key = ".".join(part for part in (where, getattr(exc, "full_key", "") or "") if part)
    keys = valid_keys_beside(f"{key}.x" if key == where else key)
    listed = f"; valid keys there: {', '.join(keys)}" if keys else ""
    return f"{key or 'config'}: {str(exc).splitlines()[0]}{listed}"


def _field_names(schema: type) -> list[str]:
    return [f.name for f in dataclasses.fields(schema)]


def valid_keys_beside(dotted: str) -> list[str] | None:
    """The keys a config section allows, for the section holding `dotted` (`runner.batchsize` -> the runner's
    keys; `tasks.<name>.media.fsp` -> the media keys), or None when the path leads nowhere known."""
    schema: Any = RunConfig
    parts = dotted.split(".")[:-1]
    index = 0
    while index < len(parts):
        kind = typing.get_type_hints(schema).get(parts[index])
        if kind is None:
            return None
        if typing.get_origin(kind) is dict:  # a named entry (a task): skip its name
            kind, index = typing.get_args(kind)[1], index + 1
        kind = next((a for a in typing.get_args(kind) if a is not type(None)), kind)  # X | None -> X
        if not dataclasses.is_dataclass(kind):
            return None
        schema, index = kind, index + 1
    return _field_names(schema)


def _check_cluster(run: RunConfig) -> None:
    cluster = run.cluster
    if cluster.name not in CLUSTERS:
        raise ConfigError(f"cluster={cluster.name!r}; valid: {', '.join(CLUSTERS)}")
    if cluster.name == "local":
        return
    if run.runner.name == "openai":
        raise ConfigError("cluster=ray replicates a local engine (runner=vllm or transformers); a server scales itself")
    if run.runner.data_parallel_size > 1:
        raise ConfigError("cluster=ray: set the number of replicas with cluster.replicas, not "
                          "runner.data_parallel_size")
    if cluster.replicas < 1:
        raise ConfigError(f"cluster.replicas={cluster.replicas}: give at least 1")
    if run.runner.batch_wait_s < 0:
        raise ConfigError(f"runner.batch_wait_s={run.runner.batch_wait_s}: give 0 (start at once) or more seconds")


def validate(cfg: DictConfig, tasks: dict[str, TaskConfig]) -> RunConfig:
    """Turn a composed Hydra config and the run's task configs into typed dataclasses, failing with the key on
    any mistake."""
    if "failed_counts_as_wrong" in (cfg.get("failures") or {}):
        raise ConfigError(
            "failures.failed_counts_as_wrong was removed: scores.json now holds both the official number (value, the "
            "benchmark's own denominator) and the strict one (strict_value, failures counted wrong); drop the setting"
        )
    model = typed(ModelConfig, cfg.model, "model")
    # resolved, so the runner may refer to run settings (compile_cache_dir: ${cache_dir}/vllm)
    runner = typed(RunnerConfig, plain_mapping(cfg.runner, "runner", resolve=True), "runner")
    top = {k: v for k, v in plain_mapping(cfg, "", resolve=True).items() if k not in ("model", "runner", "tasks")}
    run = typed(RunConfig, {**top, "model": asdict(model), "runner": asdict(runner), "tasks": {}}, "")
    run.tasks = tasks
    if run.runner.name not in ("transformers", "vllm", "openai"):
        raise ConfigError(f"runner.name={run.runner.name!r}; valid: transformers, vllm, openai")
    if run.model.decoding not in ("greedy", "generation_config"):
        raise ConfigError(f"model.decoding={run.model.decoding!r}; valid: greedy, generation_config")
    if run.model.variant not in MODEL_VARIANTS:
        raise ConfigError(f"model.variant={run.model.variant!r}; valid: {', '.join(MODEL_VARIANTS)}")
    _check_cluster(run)
    try:
        run.judge.check()
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    if run.model.weights not in MODEL_WEIGHTS:
        raise ConfigError(f"model.weights={run.model.weights!r}; valid: {', '.join(MODEL_WEIGHTS)}")
    if run.model.weights == "random" and run.runner.name == "openai":
        raise ConfigError("model.weights=random needs a local engine (runner=vllm or transformers); a server "
                          "answers with the weights it loaded")
    if run.speech_eval.mode not in SPEECH_EVAL_MODES:
        raise ConfigError(f"speech_eval.mode={run.speech_eval.mode!r}; valid: {', '.join(SPEECH_EVAL_MODES)}")
    for task in run.tasks.values():
        if (voice := task.options.get("voice")) is not None:
            if not run.model.talker:
                raise ConfigError(f"task {task.name!r} generates speech (voice {voice!r}); set model.talker=true")
            # the listening mode is the run's; the scorer records it, so scores.json says which mode made a number,
            # and reports keep a proxy number out of the paper's columns (its metric is proxy_*)
            task.scorer.options["mode"] = run.speech_eval.mode
    return run
