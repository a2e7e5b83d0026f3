"""The declared official judges: their prompt texts are pinned by hash (each was checked character for character
against the benchmark's code at the cited commit when written), and a spec refuses inconsistent settings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evalkit.judges import official
from evalkit.judges.spec import JudgeConfig

PINNED = {  # template SHA-256 prefixes, as scores.json records them
    "MATHVISTA_EXTRACTION": "6ddcae5e95292528", "MM_MT_BENCH": "62ee0d306ca55457",
    "VOICEBENCH_OPEN": "451f9ec8001b5d70", "VOICEBENCH_QA": "50a126d41828629d", "ARENA_HARD_V2": "b8fe3289932e0302",
    "ARENA_HARD_V2_CREATIVE": "32f5b0e26ed06f5d", "CREATIVE_WRITING_V3": "650da667804d81f5",
    "WRITINGBENCH": "fc1705ec0531f6af",
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_template_hashes_are_pinned(name: str) -> None:
    assert getattr(official, name).template.sha256.startswith(PINNED[name])


def test_mathvista_prompt_is_demo_query_response() -> None:
    rendered = official.MATHVISTA_EXTRACTION.template.messages({"query": "Q?", "response": "It is 3."})
    assert rendered[0][0] == "user" and len(rendered) == 1
    assert rendered[0][1].endswith("Extracted answer: B\n\nQ?\n\nIt is 3.\n\nExtracted answer: ")


def test_a_template_field_the_task_does_not_give_is_named() -> None:
    with pytest.raises(ValueError, match="needs the field 'response'"):
        official.MATHVISTA_EXTRACTION.template.messages({"query": "Q?"})


def test_inconsistent_draws_are_refused() -> None:
    with pytest.raises(ValueError, match="one sample is aggregated as 'single'"):
        replace(official.MM_MT_BENCH, samples=3)
    with pytest.raises(ValueError, match="one sample is aggregated as 'single'"):
        JudgeConfig(use="substitute", model="m", samples=3).spec_for(official.MM_MT_BENCH)


def test_a_substitute_keeps_the_official_template_and_parser() -> None:
    spec = JudgeConfig(use="substitute", model="gpt-4o-2024-08-06").spec_for(official.VOICEBENCH_OPEN)
    assert spec != official.VOICEBENCH_OPEN
    assert (spec.template, spec.verdict, spec.samples, spec.temperature) == (
        official.VOICEBENCH_OPEN.template, "score_1_to_5", 3, 0.5)
    assert JudgeConfig(use="official").spec_for(official.VOICEBENCH_OPEN) is official.VOICEBENCH_OPEN
    assert JudgeConfig().spec_for(official.VOICEBENCH_OPEN) is None
