"""Read official speech prediction files into ScoreInputs, with the scorer that scores them.

Formats, told apart by content:
- Qwen results (Qwen2-Audio eval_audio/evaluate_asr.py / evaluate_st.py dumps): records {"gt", "response",
  "source", ...}, as one JSON array (what the scripts write) or one object per line. The official scripts print one
  number per `source`, so the source becomes the category {"source": ...}.
- AudioBench ASR logs (AudioLLMs/AudioBench log_for_all_models/*/<task>_wer_score.json): {"wer", "sample_wer":
  [{"reference", "prediction", "wer"}]}. Their strings were already normalized by AudioBench's preprocess_text_asr
  (empty ones replaced by "empty"), so its logged corpus WER is reproduced with normalizer="none".
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from evalkit.registry import OfficialFormat
from evalkit.scoring.asr import AsrScorer
from evalkit.scoring.base import PredictionFiles, ScoreInput, Scorer
from evalkit.scoring.bleu import TARGET_LANGUAGE_KEY, BleuScorer

QWEN_KEYS = ("gt", "response", "source")
QWEN_FORMAT = "Qwen results (a JSON array, or JSON lines, of objects with keys gt, response, source)"
AUDIOBENCH_FORMAT = "an AudioBench ASR log (a JSON object with key sample_wer: [{reference, prediction, ...}])"


def _parse(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        content = json.loads(text)
    except json.JSONDecodeError:
        content = None
    if isinstance(content, list) or _is_audiobench(content):
        return content
    # JSON lines (a one-line file also parsed above, as one object); not splitlines: U+2028 may sit in a string
    try:
        return [json.loads(line) for line in text.split("\n") if line.strip()]
    except json.JSONDecodeError:
        return None


def _is_qwen(content: Any) -> bool:
    return (isinstance(content, list) and bool(content)
            and all(isinstance(r, dict) and all(k in r for k in QWEN_KEYS) for r in content))


def _is_audiobench(content: Any) -> bool:
    return (isinstance(content, dict) and isinstance(content.get("sample_wer"), list)
            and all(isinstance(r, dict) and "reference" in r and "prediction" in r for r in content["sample_wer"]))


def s2tt_target_language(source: str) -> str:
    """evaluate_st.py: the target language is the second-to-last `_` field of the source (covost2_en_zh_test)."""
    parts = source.split("_")
    if len(parts) < 2:
        raise ValueError(f"source {source!r} does not name a target language as <...>_<tgt>_<split>")
    return parts[-2]


def _qwen_inputs(rows: list[dict[str, Any]], translation: bool) -> list[ScoreInput]:
    inputs = []
    for i, row in enumerate(rows):
        categories = {"source": row["source"]}
        if translation:
            categories[TARGET_LANGUAGE_KEY] = s2tt_target_language(row["source"])
        sample_id = str(row.get("audio_path") or f"{row['source']}/{i}")
        inputs.append(ScoreInput(sample_id, row["response"], row["gt"], categories))
    return inputs


def _audiobench_inputs(rows: list[dict[str, Any]]) -> list[ScoreInput]:
    return [ScoreInput(str(i), row["prediction"], row["reference"]) for i, row in enumerate(rows)]


def asr_format(language: str, unit: str) -> OfficialFormat:
    """The official ASR files of a task in `language`, scored as the official script scores them: the language
    comes from the task (the script's --dataset), never from the rows."""
    return OfficialFormat(partial(read_asr, language=language, unit=unit), f"{QWEN_FORMAT} or {AUDIOBENCH_FORMAT}",
                          takes=("normalizer",))


def read_asr(files: PredictionFiles, language: str, unit: str) -> tuple[Scorer, list[ScoreInput]]:
    content = _parse(files.predictions)
    scorer = AsrScorer(language=language, unit=unit, normalizer=files.normalizer or "qwen")
    if _is_qwen(content):
        return scorer, _qwen_inputs(content, translation=False)
    if _is_audiobench(content):
        return scorer, _audiobench_inputs(content["sample_wer"])
    raise ValueError(
        f"{files.predictions}: unrecognized prediction file; expected {QWEN_FORMAT} or {AUDIOBENCH_FORMAT}"
    )


def read_s2tt(files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    """BLEU on the raw strings (no normalizer exists for it), each source with its target language's tokenizer;
    the file may hold several language pairs."""
    content = _parse(files.predictions)
    if not _is_qwen(content):
        raise ValueError(f"{files.predictions}: unrecognized speech-translation file; expected {QWEN_FORMAT}")
    return BleuScorer(), _qwen_inputs(content, translation=True)


S2TT_FORMAT = OfficialFormat(read_s2tt, QWEN_FORMAT)
