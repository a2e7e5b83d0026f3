"""Arena-Hard v2 style control: o200k_base token counts (the rank file is tiktoken's, byte for byte), the markdown
counts and covariates by hand, and the fitted win rate against the official show_result.py's on two made-up cases
(tests/fixtures/judges/arena_hard_v2_style_made_up.json says how they were made and run)."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest

from evalkit.scoring.arena_hard import ArenaHardQuestion, ArenaHardScorer, battle_stats, model_battles, read_questions
from evalkit.scoring.arena_style import (
    StyleCounts,
    answer_metadata,
    fit_bradley_terry,
    standardised,
    style_differences,
)
from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.o200k import O200K_SHA256, PATTERN, SPECIAL_TOKENS, o200k_encoding, rank_file_bytes

CASES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "judges" /
                    "arena_hard_v2_style_made_up.json").read_text(encoding="utf-8"))["cases"]
MARKDOWN = ("# Title\n## Sub\n#NoSpace\n1. one\n2. two\n- a\n  * b\n+ c\n**bold** and __also__ and **not\nbold**\n"
            "```\n# in code\n- in code\n```\n")


def test_the_bundled_ranks_are_tiktokens_o200k_base(monkeypatch: pytest.MonkeyPatch) -> None:
    from tiktoken_ext import openai_public

    asked = {}

    def no_download(url: str, expected_hash: str) -> dict[bytes, int]:
        asked.update(url=url, expected_hash=expected_hash)
        return o200k_encoding()._mergeable_ranks

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", no_download)
    official = openai_public.o200k_base()
    assert asked["expected_hash"] == O200K_SHA256 and asked["url"].endswith("/o200k_base.tiktoken")
    assert (official["pat_str"], official["special_tokens"]) == (PATTERN, SPECIAL_TOKENS)
    encoding = o200k_encoding()
    # the OpenAI cookbook's o200k_base examples
    assert encoding.encode("tiktoken is great!") == [83, 8251, 2488, 382, 2212, 0]
    assert encoding.encode("hello world") == [24912, 2375]
    assert encoding.n_vocab == 200019


def test_a_rank_file_is_checked_by_its_sha256(tmp_path: Path) -> None:
    plain = tmp_path / "o200k_base.tiktoken"
    plain.write_bytes(rank_file_bytes(None))
    packed = tmp_path / "o200k_base.tiktoken.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert rank_file_bytes(str(plain)) == rank_file_bytes(str(packed))
    plain.write_bytes(plain.read_bytes()[:-20])
    with pytest.raises(ValueError, match=f"{plain} is not tiktoken's o200k_base.tiktoken: sha256"):
        rank_file_bytes(str(plain))
    with pytest.raises(ValueError, match="cannot be read"):
        rank_file_bytes(str(tmp_path / "missing"))


def test_answer_metadata_counts_as_gen_answer() -> None:
    # "## Sub" is no h1 (#{1} then a space), "#NoSpace" no header, a bold span ends on its line, and the ``` block's
    # header and list item are removed before counting; tokens are counted on the whole answer
    metadata = answer_metadata(MARKDOWN, o200k_encoding())
    assert metadata == {"token_len": len(o200k_encoding().encode(MARKDOWN)),
                        "header_count": {"h1": 1, "h2": 1, "h3": 0, "h4": 0, "h5": 0, "h6": 0},
                        "list_count": {"ordered": 2, "unordered": 3}, "bold_count": {"**": 1, "__": 1}}
    assert StyleCounts.from_metadata(metadata) == StyleCounts(metadata["token_len"], 2, 5, 2)
    assert answer_metadata("<|endoftext|>", o200k_encoding())["token_len"] == 7  # special tokens read as text
    with pytest.raises(ValueError, match="metadata without header_count, list_count, bold_count"):
        StyleCounts.from_metadata({"token_len": 3})


def test_style_differences_and_standardising_by_hand() -> None:
    model, baseline = StyleCounts(100, 2, 3, 0), StyleCounts(300, 0, 3, 1)
    length, headers, lists, bold = style_differences(model, baseline)
    assert length == pytest.approx(-0.5)
    assert headers == pytest.approx((2 / 101) / (2 / 101 + 1))
    assert lists == pytest.approx((3 / 101 - 3 / 301) / (3 / 101 + 3 / 301 + 1))
    assert bold == pytest.approx(-(1 / 301) / (1 / 301 + 1))
    assert style_differences(StyleCounts(0, 0, 0, 0), StyleCounts(0, 0, 0, 0)) == (0.0, 0.0, 0.0, 0.0)
    # rows 0 (once) and 3 (twice): mean 2, sample standard deviation sqrt(3); a constant column becomes zeros
    z = standardised(np.array([[0.0, 5.0], [3.0, 5.0]]), np.array([1.0, 2.0]))
    assert z[:, 0] == pytest.approx([-2 / math.sqrt(3), 1 / math.sqrt(3)]) and not z[:, 1].any()


def official_rows(case: dict) -> tuple[np.ndarray, np.ndarray]:
    """The battles as show_result.py lays them out: per judged question in file order, game 2's then game 1's."""
    outcomes, differences = [], []
    for _, game1, game2, model, baseline in case["questions"]:
        if game1 is None or game2 is None:
            continue
        difference = style_differences(StyleCounts.from_metadata(model), StyleCounts.from_metadata(baseline))
        for outcome in model_battles(game1, game2):
            outcomes.append(outcome)
            differences.append(difference)
    return np.array(outcomes), np.array(differences)


def question_scores(case: dict) -> list[SampleScore]:
    return [SampleScore(uid, battle_stats(model_battles(game1, game2), StyleCounts.from_metadata(model),
                                          StyleCounts.from_metadata(baseline)))
            for uid, game1, game2, model, baseline in case["questions"] if game1 is not None and game2 is not None]


@pytest.mark.parametrize("case", CASES, ids=["near-even", "model-ahead"])
def test_equals_the_official_show_result_on_made_up_cases(case: dict) -> None:
    official = case["official"]
    outcomes, differences = official_rows(case)
    assert len(outcomes) == official["battles"]
    weights = np.ones(len(outcomes))
    z = standardised(differences, weights)
    # the fit on all battles; the scorer's per-question rows (battles grouped by outcome) give the same number
    win_rate = 100 / (1 + math.exp(-fit_bradley_terry(outcomes, z, weights)))
    assert win_rate == pytest.approx(official["full_fit_win_rate"], abs=1e-3)
    scores = question_scores(case)
    assert ArenaHardScorer().aggregate(scores) == pytest.approx(official["full_fit_win_rate"], abs=1e-3)
    assert ArenaHardScorer(style_control=False).aggregate(scores) == pytest.approx(official["plain_win_rate"])
    # show_result's printed number: the median of 100 fits on resampled battles, its draws re-made from the seed
    draws = np.random.RandomState(official["bootstrap_seed"]).randint(0, len(outcomes), size=(100, len(outcomes)))
    boot = [100 / (1 + math.exp(-fit_bradley_terry(outcomes[d], z[d], weights[d]))) for d in draws]
    assert np.quantile(boot, [0.5, 0.05, 0.95]) == pytest.approx(
        [official["bootstrap_median"], official["bootstrap_5"], official["bootstrap_95"]], abs=1e-3)


def test_all_ties_are_an_even_match_whatever_the_style() -> None:
    scores = [SampleScore(str(n), battle_stats((0.5, 0.5), StyleCounts(50 + 40 * n, n % 3, n, 1), StyleCounts(
        400, 1, 2, n % 2))) for n in range(12)]
    # the optimum is exactly 50 (every coefficient 0); show_result's 50 L-BFGS steps from 0.5 stop 0.003 short
    assert ArenaHardScorer().aggregate(scores) == pytest.approx(50.0, abs=0.01)
    assert ArenaHardScorer().aggregate([]) == 0.0


def test_the_scorer_counts_the_models_answer_and_an_unanswered_one_as_empty() -> None:
    from evalkit.judges.engine import Judgement
    from evalkit.judges.verdicts import parse_verdict

    baseline = StyleCounts(120, 0, 4, 2)
    question = ArenaHardQuestion("q1", "hard_prompt", "question", "baseline answer", baseline)
    verdicts = tuple(Judgement(f"q1#game{n}", parse_verdict("pairwise_label", f"[[{label}]]", {}))
                     for n, label in ((1, "B>A"), (2, "A>>B")))
    answered, unanswered = ArenaHardScorer().score_judged(
        [ScoreInput("q1", MARKDOWN, question), ScoreInput("q2", None, json.loads(json.dumps(
            {"uid": "q2", "category": "hard_prompt", "prompt": "p", "baseline_answer": "b",
             "baseline_style": {"tokens": 9.0, "headers": 1.0, "lists": 0.0, "bold": 0.0}})))],
        [verdicts, ()])
    tokens = float(len(o200k_encoding().encode(MARKDOWN)))
    assert answered.stats == {"correct": 4.0, "total": 4.0, "battles_won": 4.0, "battles_tied": 0.0,
                              "battles_lost": 0.0, "model_tokens": tokens, "model_headers": 2.0, "model_lists": 5.0,
                              "model_bold": 2.0, "baseline_tokens": 120.0, "baseline_headers": 0.0,
                              "baseline_lists": 4.0, "baseline_bold": 2.0}
    assert unanswered.failed and unanswered.excluded and unanswered.stats == {
        "correct": 0.0, "total": 2.0, "battles_won": 0.0, "battles_tied": 0.0, "battles_lost": 2.0,
        "model_tokens": 0.0, "model_headers": 0.0, "model_lists": 0.0, "model_bold": 0.0, "baseline_tokens": 9.0,
        "baseline_headers": 1.0, "baseline_lists": 0.0, "baseline_bold": 0.0}


def test_a_baseline_answer_without_metadata_is_named(tmp_path: Path) -> None:
    (tmp_path / "question.jsonl").write_text(json.dumps(
        {"uid": "u1", "category": "hard_prompt", "subcategory": "math", "prompt": "p"}) + "\n", encoding="utf-8")
    answers = tmp_path / "model_answer" / "o3-mini-2025-01-31.jsonl"
    answers.parent.mkdir()
    answers.write_text(json.dumps({"uid": "u1", "messages": [{"role": "assistant", "content": {"answer": "a"}}],
                                   "metadata": {"token_len": 1}}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{answers}: the answer to u1 has unusable metadata: metadata without"):
        read_questions(tmp_path / "question.jsonl", "hard_prompt")
    with pytest.raises(ValueError, match="'u1' has no baseline_style: it was recorded before style control"):
        ArenaHardQuestion.of({"uid": "u1", "category": "hard_prompt", "prompt": "p", "baseline_answer": "a"})
