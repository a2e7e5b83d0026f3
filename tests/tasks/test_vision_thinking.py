"""The vision suite under a Thinking checkpoint: its budget replaces every task's, and answers are read after the
reasoning block (an unclosed block is an empty answer, counted)."""

from __future__ import annotations

from evalkit.config import StatsConfig
from evalkit.decoding import resolve_decoding
from evalkit.run_folder import SampleRecord
from evalkit.scorecard import score_records
from evalkit.scoring.choice import ChoiceQuestion


def test_thinking_budget_covers_every_vision_task(compose_run):
    run = compose_run("model=qwen3_omni_30b_a3b_thinking", "suite=paper_vision")
    generation_config = {"do_sample": True, "temperature": 0.6, "top_p": 0.95, "top_k": 20}
    for task in run.tasks.values():
        decoding = resolve_decoding(run.model, task, 1234, generation_config)
        assert decoding.max_new_tokens == 32768 and decoding.temperature == 0.6, task.name


def _record(index: int, text: str, reference: ChoiceQuestion) -> SampleRecord:
    return SampleRecord(task="mmstar", sample_id=str(index), index=index, prompt="", media=[], reference=reference,
                        categories={}, cluster=None, cache_key="", response={"text": text})


def test_mmstar_reads_the_answer_after_the_reasoning(compose_run):
    task = compose_run("tasks=[mmstar]").tasks["mmstar"]
    question = ChoiceQuestion("B", {"A": "cat", "B": "dog"})
    records = [_record(0, "<think>Maybe A? No.</think>B", question),  # "A" inside the block must not count
               _record(1, "<think>A or B... still thinking", question)]  # never closed: no answer
    score, scored = score_records(task, records, reasoning=True, stats=StatsConfig(bootstrap_iterations=10))
    assert [r.answer for r in scored] == ["B", ""]
    assert (score.value, score.n_reasoning_unclosed) == (50.0, 1)
