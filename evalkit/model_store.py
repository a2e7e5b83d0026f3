"""Where a model's checkpoint lives: a local folder, a hub snapshot (downloaded on machines that reach the
hub), or the tiny random model built on first use."""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

from evalkit.config import ConfigError, ModelConfig

TINY_FOLDER = "tiny-qwen3-omni"


# The files that render prompts (processor, tokenizer, chat template) without the weights.
PROCESSOR_FILES = ["*.json", "*.jinja", "*.txt", "*.model", "*.tiktoken"]


def resolve_model_path(model: ModelConfig, cache_dir: Path, weights: bool = True) -> str:
    if model.build_tiny:
        folder = Path(model.path) if model.path else cache_dir / TINY_FOLDER
        _ensure_tiny(folder)
        return _checkpoint_folder(str(folder))
    if not model.path:
        raise ConfigError(f"model {model.name!r} has no path; set model.path=<hub id or local folder>")
    if Path(model.path).is_dir():
        return _checkpoint_folder(model.path)
    if model.path.endswith(".gguf"):  # a single-file checkpoint (weights, tokenizer and chat template inside)
        if not Path(model.path).is_file():
            raise ConfigError(f"model.path={model.path!r}: no such GGUF file; download it or fix model.path")
        return model.path
    if model.path.startswith((".", "/", "~")):
        raise ConfigError(f"model.path={model.path!r} is not a folder; point it at a checkpoint folder or a hub id")
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(model.path, revision=model.revision,
                                 allow_patterns=None if weights else PROCESSOR_FILES)
    except Exception as exc:  # noqa: BLE001 - hub errors come in many types; the advice is the same
        raise ConfigError(
            f"could not get {model.path!r} (revision {model.revision}) from the hub: {exc}. On a machine without "
            "hub access, download the checkpoint elsewhere and set model.path=<local folder>."
        ) from exc


def _checkpoint_folder(path: str) -> str:
    """A local folder, refused before anything loads when it holds no model config."""
    if not (Path(path) / "config.json").is_file():
        raise ConfigError(
            f"model.path={path!r} has no config.json, so it is not a checkpoint folder; point model.path at the "
            "folder holding config.json (and the processor files), or at a hub id, or write a config-only folder "
            "with `evalkit make-model-config` (then model.weights=random)"
        )
    return path


def _ensure_tiny(folder: Path) -> None:
    """Build once per builder version; a lock keeps two runs starting together from building into one folder."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        from evalkit.tiny_model import MARKER_FILE, build_tiny_model, is_current

        if is_current(folder):
            return
        if folder.exists() and any(folder.iterdir()) and not (folder / MARKER_FILE).exists():
            raise ConfigError(f"{folder} is not a tiny evalkit model; model.build_tiny=true would overwrite it")
        shutil.rmtree(folder, ignore_errors=True)  # empty, or a tiny model of an older builder version
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        build_tiny_model(partial)
        partial.rename(folder)  # a build killed midway leaves only the .partial folder
