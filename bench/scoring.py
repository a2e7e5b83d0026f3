"""(c) Scoring throughput: WER over 100k utterance pairs with evalkit's ASR scorer (jiwer underneath, Qwen's
normalizer on top) beside a bare corpus call of jiwer, and MMMU answer parsing of 100k responses."""

from __future__ import annotations

import random
import time
from typing import Any

VOCAB = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "it",
    "that",
    "was",
    "he",
    "for",
    "on",
    "are",
    "with",
    "as",
    "his",
    "they",
    "be",
    "at",
    "one",
    "have",
    "this",
    "from",
    "or",
    "had",
    "by",
    "hot",
    "word",
    "but",
    "what",
    "some",
    "we",
    "can",
    "out",
    "other",
    "were",
    "all",
    "there",
    "when",
    "up",
    "use",
    "your",
    "how",
    "said",
    "an",
    "each",
    "she",
    "which",
    "do",
    "their",
    "time",
    "if",
    "will",
    "way",
    "about",
    "many",
    "then",
    "them",
    "write",
    "would",
    "like",
    "so",
    "these",
    "her",
    "long",
    "make",
    "thing",
    "see",
    "him",
    "two",
    "has",
    "look",
    "more",
    "day",
    "could",
    "go",
    "come",
    "did",
    "number",
    "sound",
    "no",
    "most",
    "people",
    "my",
    "over",
    "know",
    "water",
    "than",
    "call",
    "first",
    "who",
    "may",
    "down",
]
STYLES = (
    "The answer is ({letter}).",
    "{letter}",
    "I think the correct option is {letter}. {text}",
    "Looking at the figure, {text} fits best.",
    "None of these seem right to me.",
)


def utterance_pairs(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """(reference, hypothesis): 8-25 word sentences, hypotheses with ~10% substitutions, deletions, insertions."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        ref = [rng.choice(VOCAB) for _ in range(rng.randint(8, 25))]
        hyp = []
        for word in ref:
            roll = rng.random()
            if roll < 0.04:
                hyp.append(rng.choice(VOCAB))
            elif roll < 0.07:
                continue
            else:
                hyp.append(word)
            if rng.random() < 0.03:
                hyp.append(rng.choice(VOCAB))
        pairs.append((" ".join(ref).capitalize() + ".", " ".join(hyp)))
    return pairs


def run(n: int) -> list[dict[str, Any]]:
    return [_wer(n), _mmmu(n)]


def _wer(n: int) -> dict[str, Any]:
    try:
        import jiwer

        from evalkit.scoring.base import ScoreInput
        from evalkit.scoring.registry import build_unjudged_scorer

        scorer = build_unjudged_scorer("asr", language="en")
    except (ImportError, KeyError) as error:
        return {"benchmark": "wer_scoring", "skipped": f"evalkit.scoring.asr not available ({error})"}
    pairs = utterance_pairs(n)
    items = [ScoreInput(sample_id=str(i), prediction=hyp, reference=ref) for i, (ref, hyp) in enumerate(pairs)]
    start = time.perf_counter()
    value = scorer.aggregate(scorer.score(items))
    ours = time.perf_counter() - start
    start = time.perf_counter()
    bare = jiwer.wer([r for r, _ in pairs], [h for _, h in pairs])
    bare_s = time.perf_counter() - start
    return {
        "benchmark": "wer_scoring",
        "input": f"{n} synthetic English utterance pairs, ~10% word errors",
        "seconds": {"evalkit": ours, "jiwer_corpus_call": bare_s},
        "pairs_per_s": {"evalkit": n / ours, "jiwer_corpus_call": n / bare_s},
        "wer_percent": {"evalkit (Qwen normalizer)": value, "jiwer (unnormalized)": 100 * bare},
        "note": "evalkit normalizes each pair (Qwen's English normalizer) and keeps per-utterance error counts",
    }


def _mmmu(n: int) -> dict[str, Any]:
    try:
        from evalkit.scoring.base import ScoreInput
        from evalkit.scoring.choice import ChoiceQuestion
        from evalkit.scoring.registry import build_unjudged_scorer

        scorer = build_unjudged_scorer("mmmu")
    except (ImportError, KeyError) as error:
        return {"benchmark": "mmmu_parsing", "skipped": f"evalkit.scoring.mmmu not available ({error})"}
    rng = random.Random(1)
    items = []
    for i in range(n):
        options = {letter: " ".join(rng.choice(VOCAB) for _ in range(4)) for letter in "ABCD"}
        letter = rng.choice("ABCD")
        response = rng.choice(STYLES).format(letter=letter, text=options[letter])
        reference = ChoiceQuestion(answer=rng.choice("ABCD"), options=options)
        items.append(ScoreInput(sample_id=f"validation_Art_{i}", prediction=response, reference=reference))
    start = time.perf_counter()
    value = scorer.aggregate(scorer.score(items))
    seconds = time.perf_counter() - start
    return {
        "benchmark": "mmmu_parsing",
        "input": f"{n} synthetic multiple-choice responses in 5 styles (letter, sentence, option text, none)",
        "seconds": {"evalkit": seconds},
        "responses_per_s": {"evalkit": n / seconds},
        "accuracy_percent": value,
    }
