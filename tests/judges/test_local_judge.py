"""The tiny random Qwen3-Omni as a LOCAL judge through the transformers runner. Its verdicts are noise: the test
asserts the plumbing (an unparsable verdict fails its item with the reason, counts, the cache)."""

from __future__ import annotations

from pathlib import Path

from evalkit.judges.engine import Judge, JudgeEngines, JudgeItem
from evalkit.judges.official import VOICEBENCH_OPEN, VOICEBENCH_QA
from evalkit.judges.spec import JudgeConfig


def test_tiny_model_as_local_judge(tiny_model_dir: Path, tmp_path: Path) -> None:
    config = JudgeConfig(use="substitute", model=str(tiny_model_dir), backend="transformers", samples=1,
                         max_tokens=6, device="cpu", dtype="float32", batch_size=4)
    spec = config.spec_for(VOICEBENCH_OPEN)
    assert (spec.backend, spec.samples, spec.aggregation, spec.temperature) == ("transformers", 1, "single", 0.5)
    items = [JudgeItem(f"s{i}", {"prompt": f"question {i}", "response": f"answer {i}"}) for i in range(3)]
    judge = Judge(spec, config, tmp_path / "judge.sqlite")
    judgements, tally = judge.judge(items)
    judge.close()
    assert (tally.calls_made, tally.cache_hits, tally.judged) == (3, 0, 3)
    # random weights (seed 0) answer gibberish: every item fails closed as unparsable, none gets a default score
    assert tally.failed == 3 and tally.failure_reasons == {"unparsable verdict": 3}
    assert all(j.verdict is None and j.error.startswith("unparsable verdict: no 1-5 score in") for j in judgements)
    assert all(len(j.outputs) == 1 and j.outputs[0] for j in judgements)

    again = Judge(spec, config, tmp_path / "judge.sqlite")
    judgements_again, tally_again = again.judge(items)
    assert again.engines.loaded == 0  # all cached: the engine was never loaded
    again.close()
    assert (tally_again.calls_made, tally_again.cache_hits) == (0, 3)
    assert judgements_again == judgements


def test_judges_of_one_model_share_its_engine(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Two prompts of one judge model (as Arena-Hard's two) load the model once."""
    config = JudgeConfig(use="substitute", model=str(tiny_model_dir), backend="transformers", samples=1,
                         max_tokens=2, device="cpu", dtype="float32")
    engines = JudgeEngines()
    for official in (VOICEBENCH_OPEN, VOICEBENCH_QA):
        spec = config.spec_for(official)
        assert spec is not None
        judge = Judge(spec, config, None, engines)
        _, tally = judge.judge([JudgeItem("s", {"prompt": "q", "reference": "r", "response": "a"})])
        judge.close()
        assert tally.calls_made == 1
    assert engines.loaded == 1
    engines.close()
