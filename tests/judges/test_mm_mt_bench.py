"""MM-MT-Bench: the turns as mistral-evals builds them, the judge's input against the official replay, the mean
against the official aggregate_metrics, and a run whose judge requests carry the conversation's image.

The official numbers below come from mistralai/mistral-evals @ d61811f (eval/tasks/mm_mt_bench.py) run outside
this repository: `MultimodalLLMJudge._get_judge_prompt` on the conversation in `test_judge_input_*`, and
`MultimodalMTBench.aggregate_metrics` on the ratings in `test_mean_*`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_judge_server import KEY_ENV, user_text

from evalkit.cli import main as cli
from evalkit.judges.official import MM_MT_BENCH
from evalkit.registry import task_spec
from evalkit.scoring.base import SampleScore, ScoreInput, aggregate_with_categories
from evalkit.scoring.mm_mt_bench import ConversationTurn, MMMTBenchScorer, judge_conversation, mm_mt_bench_categories
from evalkit.task import load_task
from evalkit.types import MediaPart, TextPart

# _get_judge_prompt([[image_url chunk, "How many bars?"], "Which is tallest?"], ["Three bars.", "The middle one."],
# "The left one."): one text chunk (the image chunk is returned, not appended)
OFFICIAL_REPLAY = ("<|The Start of Conversation with User|>\n\n### User:\nHow many bars?\n\n### Reference answer:\n"
                   "Three bars.\n\n### User:\nWhich is tallest?\n\n### Reference answer:\nThe middle one.\n\n\n\n"
                   "### Assistant's answer:\nThe left one.\n\n<|The End of Conversation with User|>\n\n\n")


def test_judge_input_is_the_official_replay():
    turn = ConversationTurn(("How many bars?", "Which is tallest?"), ("Three bars.", "The middle one."), "Charts")
    assert judge_conversation(turn, "The left one.") == OFFICIAL_REPLAY


def test_mean_and_breakdown_are_the_official_aggregate():
    ratings = [(8, "Charts", 0), (6, "Charts", 1), (9, "Misc", 0), (3, "Charts", 0), (7, "Misc", 1), (10, "Misc", 2)]
    scores = [SampleScore(str(i), {"rating": float(r), "total": 1.0}, categories=mm_mt_bench_categories(c, t))
              for i, (r, c, t) in enumerate(ratings)]
    result = aggregate_with_categories(MMMTBenchScorer(), scores)
    assert result.value == pytest.approx(7.166666666666667)  # micro_average_score
    official = {"Charts": 5.666666666666667, "Misc": 8.666666666666666, "turn 0": 6.666666666666667, "turn 1": 6.5,
                "turn 2": 10.0}  # "<key>_average"
    assert result.by_category == pytest.approx(official)
    assert sum(result.by_category.values()) / len(result.by_category) == pytest.approx(7.5)  # macro_average_score


def test_turns_carry_the_reference_answers_as_history():
    config = task_spec("mm_mt_bench_smoke").task_config()
    samples = load_task(config).samples
    assert [s.sample_id for s in samples] == ["0-0", "0-1", "1-0"]
    second = samples[1]
    assert [m.role for m in second.messages] == ["user", "assistant", "user"]
    assert isinstance(second.messages[0].parts[0], MediaPart) and second.messages[0].parts[1] == \
        TextPart("How many bars does the chart show?")
    assert second.messages[1].parts == (TextPart("The chart shows three bars."),)  # the reference, not the model's
    assert second.reference == ConversationTurn(
        ("How many bars does the chart show?", "Which bar is the tallest?"),
        ("The chart shows three bars.", "The middle bar is the tallest."), "Charts")
    assert second.categories == {"category": "Charts", "turn": "turn 1"} and second.cluster == "0"


def test_bad_conversation_names_the_row(tmp_path: Path):
    import datasets

    rows = [{"conversation": json.dumps([{"role": "user", "content": "no image"}, {"role": "assistant",
                                                                                  "content": "x"}]),
             "image": None, "category": "Misc"}]
    datasets.Dataset.from_list(rows).to_parquet(tmp_path / "eval.parquet")
    config = task_spec("mm_mt_bench").task_config()
    config.dataset.local_path = str(tmp_path / "eval.parquet")
    with pytest.raises(ValueError, match="mm_mt_bench conversation 0: the first user message must begin with its "
                                         "image"):
        load_task(config)


def test_a_turn_without_its_image_is_not_judged_blind():
    """Scoring a run folder alone (evalkit rescore): the image is not at hand, so the turn fails with the reason."""
    item = ScoreInput("0-0", "answer", ConversationTurn(("q",), ("a",), "Misc"))
    assert MMMTBenchScorer().judge_requests([item]) == [()]
    (score,) = MMMTBenchScorer().score_judged([item], [()])
    assert score.failed and "must see the conversation's image" in score.detail["judge_error"]


def test_a_run_shows_the_judge_the_image(start_judge_server, tmp_path: Path, tiny_model_dir: Path) -> None:
    def answer(body):
        return 200, {"content": "Fine. Rating: [[9]]" if "chart" in user_text(body) else "Rating: [[4]]"}

    server = start_judge_server([MM_MT_BENCH.model], answer)
    out = tmp_path / "run"
    overrides = ["model=tiny_random", f"model.path={tiny_model_dir}", "tasks=[mm_mt_bench_smoke]",
                 f"output_dir={out}", f"cache_dir={tmp_path / 'cache'}", "judge.use=official",
                 f"judge.base_url={server.base_url}", f"judge.api_key_env={KEY_ENV}"]
    assert cli(["run", *overrides]) == 0
    score = json.loads((out / "scores.json").read_text())["tasks"]["mm_mt_bench_smoke"]
    assert score["value"] == pytest.approx((9 + 9 + 4) / 3) and score["n_failed"] == 0
    assert score["by_category"]["turn 1"] == 9.0 and score["judge"]["calls_made"] == 3
    for body in server.bodies:
        system, user = body["messages"]
        assert system["role"] == "system" and system["content"][0]["text"] == MM_MT_BENCH.template.system
        kinds = [part["type"] for part in user["content"]]
        assert kinds == ["image_url", "text"] and user["content"][0]["image_url"]["url"].startswith(
            "data:image/png;base64,")
    second_turn = next(b for b in server.bodies if "Which bar is the tallest?" in user_text(b))
    assert "### Reference answer:\nThe chart shows three bars.\n\n### User:\nWhich bar" in user_text(second_turn)
    assert cli(["run", *overrides]) == 0  # again: every verdict from the judge cache
    assert json.loads((out / "scores.json").read_text())["tasks"]["mm_mt_bench_smoke"]["judge"]["cache_hits"] == 3
    assert len(server.bodies) == 3
