"""LiveBench's box reading (LiveBench/LiveBench @ f3501c7, livebench/process_results/util.py), which its graders
share: the last `\\boxed{...}` and its content."""

from __future__ import annotations


def last_boxed(text: str) -> str | None:
    """util.last_boxed_only_string: the last `\\boxed{...}` (or `\\fbox{...}`) with balanced braces, "$" removed;
    a `\\boxed ` (with a space) form wins and runs to the next "$"."""
    if "\\boxed " in text:
        return "\\boxed " + text.split("\\boxed ")[-1].split("$")[0]
    start = text.rfind("\\boxed")
    if start < 0:
        start = text.rfind("\\fbox")
        if start < 0:
            return None
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if text[i] == "}" and depth == 0:
            return text[start:i + 1].replace("$", "").replace("fbox", "boxed")
    return None


def unboxed(boxed: str) -> str | None:
    """util.remove_boxed; None where the official assertion would fail (a `\\boxedX{...}` that is no box)."""
    if boxed.startswith("\\boxed "):
        return boxed[len("\\boxed "):]
    if boxed.startswith("\\boxed{") and boxed.endswith("}"):
        return boxed[len("\\boxed{"):-1]
    return None
