"""Each judged benchmark's official judge, as its published evaluation code runs it.

A judged task names one of these as its official judge; a run may substitute another (`judge.use=substitute`),
and its scores are then marked as judged by a substitute. Where the official code leaves a setting to its
defaults or to the user, the comment says which value is declared and why.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from evalkit.judges import templates
from evalkit.judges.spec import JudgeSpec, JudgeTemplate


def _hosted(model: str, template: JudgeTemplate, **settings: Any) -> JudgeSpec:
    """An official judge behind a hosted chat-completions API, named after its template: the model id is a dated
    snapshot, so there is no hub revision."""
    return JudgeSpec(name=template.name, model=model, revision=None, backend="openai", template=template, **settings)


# lupantech/MathVista @ 53d5258: evaluation/extract_answer.py asks the model for the short answer in a
# response; the README says GPT-4, whose engine in the first release (ed0d56d, --llm_engine) is gpt-4-0613;
# models/gpt.py: temperature 0, max_tokens 1024, n 1, user message only. (ed0d56d's helper ignored --llm_engine
# and called gpt-3.5-turbo with 256 tokens; the leaderboard numbers predate the fix.)
MATHVISTA_EXTRACTION = _hosted(
    model="gpt-4-0613",
    template=JudgeTemplate("mathvista_extraction", "lupantech/MathVista@53d5258", templates.MATHVISTA_EXTRACTION),
    temperature=0.0, max_tokens=1024, verdict="extracted_answer",
    source="lupantech/MathVista@53d5258 evaluation/extract_answer.py, models/gpt.py",
)

# mistralai/mistral-evals @ d61811f, eval/tasks/mm_mt_bench.py: JUDGES = {gpt-4o-2024-05-13}, temperature 0,
# JUDGE_MAX_TOKENS 2048, the system prompt below, the replayed conversation (with the image) as the user turn.
MM_MT_BENCH = _hosted(
    model="gpt-4o-2024-05-13",
    template=JudgeTemplate("mm_mt_bench", "mistralai/mistral-evals@d61811f", "{conversation}",
                           system=templates.MM_MT_BENCH_SYSTEM),
    temperature=0.0, max_tokens=2048, verdict="rating_1_to_10",
    source="mistralai/mistral-evals@d61811f eval/tasks/mm_mt_bench.py",
)

# MatthewCYM/VoiceBench @ 5338154, api_judge.py: gpt-4o-mini (no dated snapshot named; gpt-4o-mini-2024-07-18
# is the only one), temperature 0.5, top_p 0.95, n 3, max_tokens 1024, a fixed system message; the open subsets'
# score is the mean of the three draws (src/evaluator/open.py), sd-qa's the majority of three yes/no draws.
_VOICEBENCH_SYSTEM = "You are a helpful assistant who tries to help answer the user's question."
VOICEBENCH_OPEN = _hosted(
    model="gpt-4o-mini-2024-07-18",
    template=JudgeTemplate("voicebench_open", "MatthewCYM/VoiceBench@5338154", templates.VOICEBENCH_OPEN,
                           system=_VOICEBENCH_SYSTEM),
    temperature=0.5, top_p=0.95, max_tokens=1024, samples=3, aggregation="mean", verdict="score_1_to_5",
    source="MatthewCYM/VoiceBench@5338154 api_judge.py, src/evaluator/open.py",
)
VOICEBENCH_QA = replace(
    VOICEBENCH_OPEN,
    name="voicebench_qa",
    template=JudgeTemplate("voicebench_qa", "MatthewCYM/VoiceBench@5338154", templates.VOICEBENCH_QA,
                           system=_VOICEBENCH_SYSTEM),
    aggregation="majority", verdict="yes_no",
    source="MatthewCYM/VoiceBench@5338154 api_judge.py, src/evaluator/qa.py",
)

# lmarena/arena-hard-auto @ 196f6b8, config/arena-hard-v2.0.yaml: judge gpt-4.1 (no snapshot pinned there;
# gpt-4.1-2025-04-14 is the only one), temperature 0, max_tokens 16000; each question is judged twice against
# the baseline (o3-mini-2025-01-31; gemini-2.0-flash-001 for creative writing) with the answers swapped.
ARENA_HARD_V2 = _hosted(
    model="gpt-4.1-2025-04-14",
    template=JudgeTemplate("arena_hard_v2", "lmarena/arena-hard-auto@196f6b8", templates.ARENA_HARD_USER,
                           system=templates.ARENA_HARD_SYSTEM),
    temperature=0.0, max_tokens=16000, verdict="pairwise_label",
    source="lmarena/arena-hard-auto@196f6b8 config/arena-hard-v2.0.yaml, utils/judge_utils.py, gen_judgment.py",
)
ARENA_HARD_V2_CREATIVE = replace(
    ARENA_HARD_V2,
    name="arena_hard_v2_creative_writing",
    template=JudgeTemplate("arena_hard_v2_creative_writing", "lmarena/arena-hard-auto@196f6b8",
                           templates.ARENA_HARD_USER, system=templates.ARENA_HARD_CREATIVE_SYSTEM),
)

# EQ-bench/creative-writing-bench @ e7ab009: README recommends anthropic/claude-3.7-sonnet for leaderboard
# parity; core/conversation.py judges at temperature 0 with max_tokens 1000; score = mean rubric (0..20) x 5.
CREATIVE_WRITING_V3 = _hosted(
    model="claude-3-7-sonnet-20250219",
    template=JudgeTemplate("creative_writing_v3", "EQ-bench/creative-writing-bench@e7ab009",
                           templates.CREATIVE_WRITING_V3),
    temperature=0.0, max_tokens=1000, verdict="rubric_0_to_20",
    verdict_options=(("lower_is_better", (
        "Unearned Transformations", "Incongruent Ending Positivity", "Overwrought", "Purple Prose", "Amateurish",
        "Unsurprising or Uncreative", "Tell-Don't-Show", "Weak Dialogue", "Meandering",
    )),),  # data/negative_criteria.txt
    source="EQ-bench/creative-writing-bench@e7ab009 core/conversation.py, core/scoring.py",
)

# X-PLUG/WritingBench @ ae2d517: the judge changed over time (Claude-3.7-Sonnet from 2025-04-29, Claude-Sonnet-4
# from 2025-09-05, Claude-Sonnet-4.5 from 2025-11-27); Qwen3-Omni (Sept. 2025) does not say which. Declared:
# Claude-3.7-Sonnet, the judge when the Qwen3 2507 models were scored. Scoring parameters (README): top_p 0.95,
# temperature 1.0, max_length 2048; one score 1..10 per criterion, x10 on the leaderboard.
WRITINGBENCH = _hosted(
    model="claude-3-7-sonnet-20250219",
    template=JudgeTemplate("writingbench", "X-PLUG/WritingBench@ae2d517", templates.WRITINGBENCH,
                           system=templates.WRITINGBENCH_SYSTEM),
    temperature=1.0, top_p=0.95, max_tokens=2048, verdict="json_score_1_to_10",
    source="X-PLUG/WritingBench@ae2d517 README.md, prompt.py, evaluator/llm.py, evaluate_benchmark.py",
)
