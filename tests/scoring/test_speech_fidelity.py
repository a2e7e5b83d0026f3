"""The speech scorers against the official scripts' own numbers on shared/fidelity, and the file readers.

Expected values were produced by running the official code unmodified outside this repo:
- Qwen ASR: QwenLM/Qwen2-Audio @ 595360e eval_audio/evaluate_asr.py (scoring code of 10cb8d8), its rank-0 block
  (group by source, remove_sp, compute_wer) with sacrebleu 1.5.1, editdistance 0.8.1, zhconv 1.4.3; it prints
  `wer: <4 decimals>` (a fraction); (errors, reference tokens) come from summing its ed.eval calls.
- Qwen S2TT: eval_audio/evaluate_st.py (10cb8d8), sacrebleu 1.5.1 corpus_bleu; mecab-python3 1.0.12, ipadic 1.0.0.
- AudioBench: AudioLLMs/AudioBench @ e991641 logs; jiwer 3.0.5 compute_measures on the logged strings gives the
  logged corpus `wer` exactly (re-running compute_score re-normalizes and differs for whisper_large_v3: 0.018749...).
"""

import json
from pathlib import Path

import pytest

from evalkit.official_files import read_official
from evalkit.scoring.asr import AsrScorer
from evalkit.scoring.base import PredictionFiles, aggregate_with_categories
from evalkit.scoring.bleu import BleuScorer

FIDELITY = Path(__file__).resolve().parents[2].parent / "shared" / "fidelity"

# case folder, evalkit task, {source: (edit distance, reference tokens, printed wer)}
QWEN_ASR = [
    ("qwen_asr_normalization_en", "librispeech_test_clean",  # official --dataset librispeech (en)
     {"librispeech_test_clean": (51, 1635, "0.0312"), "cv15_en_test": (46, 1204, "0.0382")}),
    ("qwen_asr_normalization_zh", "fleurs_zh",  # --dataset aishell2 (zh)
     {"aishell2_test": (55, 1067, "0.0515"), "fleurs_zh_test": (84, 1095, "0.0767")}),
    ("qwen_asr_normalization_yue", "fleurs_yue",  # --dataset cv15_yue (yue)
     {"cv15_yue_test": (89, 1631, "0.0546")}),
    ("qwen_asr_normalization_multi", "fleurs_fr",  # --dataset cv15_fr (fr: basic normalizer, words, for all six)
     {"cv15_fr_test": (46, 434, "0.1060"), "cv15_de_test": (60, 1061, "0.0566"),
      "fleurs_es_test": (52, 412, "0.1262"), "fleurs_ja_test": (14, 65, "0.2154"),
      "fleurs_ko_test": (44, 250, "0.1760"), "cv15_ru_test": (45, 271, "0.1661")}),
]

# source: (printed bleu, full-precision score, counts, totals, sys_len, ref_len)
QWEN_S2TT = {
    "covost2_en_zh_test": ("70.1464", 70.14642214615418, [603, 476, 373, 286], [656, 597, 538, 479], 656, 693),
    "covost2_en_ja_test": ("63.3603", 63.36030767384497, [551, 416, 318, 245], [636, 577, 518, 459], 636, 674),
    "covost2_en_de_test": ("51.3481", 51.34809077783218, [474, 307, 206, 139], [494, 435, 376, 317], 494, 599),
    "covost2_zh_en_test": ("54.5957", 54.59571088729084, [461, 308, 205, 134], [551, 492, 433, 374], 551, 521),
}

# case folder: (errors, reference words, logged wer)
AUDIOBENCH = {
    "audiobench_librispeech_test_clean_qwen2_audio_7b_instruct": (1863, 53014, 0.035141660693401744),
    "audiobench_librispeech_test_clean_whisper_large_v3": (996, 53014, 0.01878749009695552),
}


def load_speech_predictions(task, predictions, normalizer=None):
    return read_official(task, PredictionFiles(predictions, normalizer=normalizer))


def _case(folder: str) -> Path:
    path = FIDELITY / folder
    if not path.is_dir():
        pytest.skip(f"fidelity case {folder} not found under {FIDELITY} (shared/ sits beside the checkout)")
    return path


def _by_source(scores):
    groups = {}
    for s in scores:
        groups.setdefault(s.categories["source"], []).append(s)
    return groups


@pytest.mark.parametrize(("folder", "task", "expected"), QWEN_ASR, ids=[c[0] for c in QWEN_ASR])
def test_qwen_asr_matches_evaluate_asr(folder, task, expected):
    scorer, inputs = load_speech_predictions(task, _case(folder) / "asr_results.jsonl")
    groups = _by_source(scorer.score(inputs))
    assert list(groups) == list(expected)  # same sources, in the official print order
    for source, (errors, ref_tokens, printed) in expected.items():
        group = groups[source]
        assert sum(s.stats["errors"] for s in group) == errors
        assert sum(s.stats["ref_tokens"] for s in group) == ref_tokens
        value = scorer.aggregate(group)
        assert value == pytest.approx(100 * errors / ref_tokens, rel=1e-12)
        assert f"{value / 100:.4f}" == printed


def test_qwen_s2tt_matches_evaluate_st():
    scorer, inputs = load_speech_predictions("fleurs_s2tt_en_zh", _case("qwen_s2tt_bleu") / "st_results.jsonl")
    groups = _by_source(scorer.score(inputs))
    assert list(groups) == list(QWEN_S2TT)
    for source, (printed, score, counts, totals, sys_len, ref_len) in QWEN_S2TT.items():
        group = groups[source]
        assert [sum(s.stats[f"correct_{n}"] for s in group) for n in range(1, 5)] == counts
        assert [sum(s.stats[f"total_{n}"] for s in group) for n in range(1, 5)] == totals
        assert (sum(s.stats["sys_len"] for s in group), sum(s.stats["ref_len"] for s in group)) == (sys_len, ref_len)
        value = scorer.aggregate(group)
        assert value == pytest.approx(score, abs=1e-9)
        assert f"{value:.4f}" == printed


@pytest.mark.parametrize("folder", sorted(AUDIOBENCH))
def test_audiobench_log_matches_logged_corpus_wer(folder):
    errors, words, logged = AUDIOBENCH[folder]
    scorer, inputs = load_speech_predictions("librispeech_test_clean",
                                             _case(folder) / "librispeech_test_clean_wer_score.json", "none")
    assert len(inputs) == 2617
    scores = scorer.score(inputs)
    assert (sum(s.stats["errors"] for s in scores), sum(s.stats["ref_tokens"] for s in scores)) == (errors, words)
    assert scorer.aggregate(scores) == pytest.approx(100 * logged, rel=1e-12)


# ---- file readers (synthetic files, no fidelity data needed)

ROWS = [{"gt": "A B", "response": "a b", "source": "covost2_en_zh_test", "audio_path": "x/0.wav"},
        {"gt": "C", "response": "d", "source": "covost2_en_de_test", "audio_path": "x/1.wav"}]


@pytest.mark.parametrize("layout", ["array", "lines"])
def test_qwen_results_as_array_or_lines(tmp_path, layout):
    path = tmp_path / "results.json"
    text = json.dumps(ROWS) if layout == "array" else "\n".join(json.dumps(r) for r in ROWS) + "\n"
    path.write_text(text, encoding="utf-8")
    scorer, inputs = load_speech_predictions("fleurs_en", path)
    assert isinstance(scorer, AsrScorer) and (scorer.language, scorer.unit, scorer.normalizer) == ("en", "wer", "qwen")
    assert [(i.sample_id, i.prediction, i.reference, dict(i.categories)) for i in inputs] == [
        ("x/0.wav", "a b", "A B", {"source": "covost2_en_zh_test"}),
        ("x/1.wav", "d", "C", {"source": "covost2_en_de_test"}),
    ]
    assert aggregate_with_categories(scorer, scorer.score(inputs)).by_category == {
        "covost2_en_de_test": 100.0, "covost2_en_zh_test": 0.0}


def test_s2tt_target_language_from_source(tmp_path):
    path = tmp_path / "st.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS), encoding="utf-8")
    scorer, inputs = load_speech_predictions("fleurs_s2tt_en_zh", path)
    assert isinstance(scorer, BleuScorer) and scorer.target_language is None
    assert [i.categories["target_language"] for i in inputs] == ["zh", "de"]


@pytest.mark.parametrize(("task", "language", "unit"), [("librispeech_test_other", "en", "wer"),
                                                        ("fleurs_zh", "zh", "cer"), ("fleurs_yue", "yue", "cer"),
                                                        ("fleurs_ko", "ko", "cer"), ("fleurs_de", "de", "wer")])
def test_task_language_and_unit(tmp_path, task, language, unit):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(ROWS[0]), encoding="utf-8")
    scorer, _ = load_speech_predictions(task, path, normalizer="none")
    assert (scorer.language, scorer.unit, scorer.normalizer) == (language, unit, "none")


def test_audiobench_log_reader(tmp_path):
    path = tmp_path / "log.json"
    path.write_text(json.dumps({"wer": 0.5, "sample_wer": [{"reference": "a b", "prediction": "a", "wer": 0.5}]}))
    scorer, inputs = load_speech_predictions("librispeech_test_clean", path, "none")
    assert [(i.sample_id, i.prediction, i.reference) for i in inputs] == [("0", "a", "a b")]


@pytest.mark.parametrize("content", ['{"foo": 1}', '[{"gt": "a"}]', "not json\n", "[]"])
def test_unrecognized_file_names_file_and_formats(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="bad.json.*Qwen results.*AudioBench"):
        load_speech_predictions("librispeech_test_clean", path)
    with pytest.raises(ValueError, match="bad.json.*Qwen results"):
        load_speech_predictions("fleurs_s2tt_en_zh", path)


@pytest.mark.parametrize("task", ["librispeech", "mmau", "fleurs_"])
def test_unknown_task(tmp_path, task):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(ROWS[0]), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown task"):
        load_speech_predictions(task, path)
