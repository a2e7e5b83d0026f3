"""A hosted judge through OpenAIRunner against a fake server: what it sends, what it caches, how it fails."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fake_judge_server import KEY_ENV, user_text

from evalkit.judges.engine import Judge, JudgeItem
from evalkit.judges.official import MM_MT_BENCH, VOICEBENCH_OPEN, VOICEBENCH_QA
from evalkit.judges.spec import JudgeConfig

MODEL = MM_MT_BENCH.model


def endpoint(server, **overrides) -> JudgeConfig:
    return JudgeConfig(use="official", base_url=server.base_url, api_key_env=KEY_ENV, max_retries=1,
                       timeout_s=10, **overrides)


def by_conversation(replies: dict[str, tuple[int, dict]]):
    """Answers keyed by the judged text (the template's whole user message is "{conversation}")."""
    return lambda body: replies[user_text(body)]


def test_request_body_temperature_and_cache(start_judge_server, tmp_path: Path) -> None:
    server = start_judge_server([MODEL], by_conversation({
        "q1": (200, {"content": "Fine answer. Rating: [[8]]"}),
        "q2": (200, {"content": "Rating: [[3.5]]"}),
    }))
    items = [JudgeItem("s1", {"conversation": "q1"}), JudgeItem("s2", {"conversation": "q2"})]
    judge = Judge(MM_MT_BENCH, endpoint(server), tmp_path / "judge.sqlite")
    judgements, tally = judge.judge(items)
    judge.close()
    assert [j.verdict for j in judgements] == [8.0, 3.5]
    assert (tally.calls_made, tally.cache_hits, tally.failed) == (2, 0, 0)
    body = server.bodies[0]
    assert body["model"] == "gpt-4o-2024-05-13"
    assert body["temperature"] == 0.0 and body["max_tokens"] == 2048 and body["n"] == 1
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][0]["content"][0]["text"].startswith("Please act as an impartial judge")

    again = Judge(MM_MT_BENCH, endpoint(server), tmp_path / "judge.sqlite")  # a re-run: all from the cache
    judgements_again, tally_again = again.judge(items)
    again.close()
    assert (tally_again.calls_made, tally_again.cache_hits) == (0, 2)
    assert judgements_again == judgements
    assert len(server.bodies) == 2


def test_fail_closed_on_error_refusal_and_garbage(start_judge_server, tmp_path: Path) -> None:
    server = start_judge_server([MODEL], by_conversation({
        "boom": (500, {}),
        "refuse": (200, {"content": None, "refusal": "I can't help with that."}),
        "garbage": (200, {"content": "I think it is quite good"}),
        "out of range": (200, {"content": "[[11]]"}),
        "good": (200, {"content": "[[7]]"}),
    }))
    items = [JudgeItem(k, {"conversation": k}) for k in ("boom", "refuse", "garbage", "out of range", "good")]
    judge = Judge(MM_MT_BENCH, endpoint(server), tmp_path / "judge.sqlite")
    judgements, tally = judge.judge(items)
    errors = {j.sample_id: j.error for j in judgements}
    assert errors["boom"].startswith("judge error: RequestFailed: HTTP 500")
    assert errors["refuse"].startswith("judge refused")
    assert errors["garbage"].startswith("unparsable verdict: no [[rating]]")
    assert errors["out of range"] == "unparsable verdict: score 11 outside 1..10"
    assert errors["good"] is None and judgements[-1].verdict == 7.0
    assert all(j.verdict is None for j in judgements[:4])  # never a default score
    assert tally.failed == 4
    assert tally.failure_reasons == {"judge error": 1, "judge refused": 1, "unparsable verdict": 2}
    # a server error is not cached (asked again next time); answers the judge gave are
    _, second = judge.judge(items)
    judge.close()
    assert (second.calls_made, second.cache_hits) == (1, 4)


def test_samples_mean_and_majority(start_judge_server, tmp_path: Path) -> None:
    """VoiceBench's judge: three draws at temperature 0.5 (seeds differ), averaged or voted."""
    def answer(body):
        seed = body["seed"]
        if "Candidate answer" in user_text(body):  # the sd-qa template
            return 200, {"content": {1234: "Yes", 1235: "no", 1236: "yes."}[seed]}
        return 200, {"content": {1234: "4", 1235: "5", 1236: "[[3]]"}[seed]}

    server = start_judge_server([VOICEBENCH_OPEN.model], answer)
    judge = Judge(VOICEBENCH_OPEN, endpoint(server), tmp_path / "judge.sqlite")
    [open_judgement], tally = judge.judge([JudgeItem("a", {"prompt": "hi", "response": "hello"})])
    assert open_judgement.verdict == pytest.approx(4.0) and tally.calls_made == 3
    assert {b["temperature"] for b in server.bodies} == {0.5} and {b["top_p"] for b in server.bodies} == {0.95}
    qa = Judge(VOICEBENCH_QA, endpoint(server), tmp_path / "judge.sqlite")
    [qa_judgement], _ = qa.judge([JudgeItem("b", {"prompt": "p", "reference": "r", "response": "x"})])
    assert qa_judgement.verdict == "yes"
    tied = Judge(replace(VOICEBENCH_QA, samples=2), endpoint(server), tmp_path / "judge.sqlite")
    [tie], _ = tied.judge([JudgeItem("c", {"prompt": "p", "reference": "r", "response": "x"})])
    assert tie.error == "unparsable verdict: no majority among ['yes', 'no']"
    for j in (judge, qa, tied):
        j.close()
