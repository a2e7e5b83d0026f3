"""VLMEvalKit's multiple-choice prompt (ImageMCQDataset.build_prompt @ open-compass/VLMEvalKit e8e78f05), shared by
the tasks that use it where Qwen publishes no prompt of its own (AI2D, MMStar)."""

from __future__ import annotations

# its trailing space and newline included, as VLMEvalKit writes it
VLMEVAL_MCQ_PROMPT = (
    "Question: {question}\nOptions:\n{options}\nPlease select the correct answer from the options above. \n"
)


def lettered(options: list[str]) -> dict[str, str]:
    return {chr(ord("A") + i): str(text) for i, text in enumerate(options)}


def render_options(options: dict[str, str]) -> str:
    """One "A. text" line per option."""
    return "\n".join(f"{letter}. {text}" for letter, text in options.items())
