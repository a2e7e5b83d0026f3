"""The official judges' prompt templates, as their benchmarks' published code sends them.

Each constant is a `str.format` template whose fields the judged task fills; the comment above it names the
repository, commit and file it was taken from. Whitespace is part of a template (it changes the judge's input,
and so the template hash recorded with every judged score): a trailing backslash in a line below only wraps
the source line and adds nothing to the text.
"""

# lupantech/MathVista @ 53d5258, evaluation/prompts/ext_ans.py (demo_prompt) joined as
# evaluation/extract_answer.py create_test_prompt does: demo.strip(), query, response, "Extracted answer: ".
MATHVISTA_EXTRACTION = """\
Please read the following example. Then extract the answer from the model response and type it at the end of \
the prompt.

Hint: Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at \
the end.
Question: Which number is missing?

Model response: The number missing in the sequence is 14.

Extracted answer: 14

Hint: Please answer the question requiring a floating-point number with one decimal place and provide the \
final value, e.g., 1.2, 1.3, 1.4, at the end.
Question: What is the fraction of females facing the camera?

Model response: The fraction of females facing the camera is 0.6, which means that six out of ten females in \
the group are facing the camera.

Extracted answer: 0.6

Hint: Please answer the question requiring a floating-point number with two decimal places and provide the \
final value, e.g., 1.23, 1.34, 1.45, at the end.
Question: How much money does Luca need to buy a sour apple candy and a butterscotch candy? (Unit: $)

Model response: Luca needs $1.45 to buy a sour apple candy and a butterscotch candy.

Extracted answer: 1.45

Hint: Please answer the question requiring a Python list as an answer and provide the final list, e.g., [1, \
2, 3], [1.2, 1.3, 1.4], at the end.
Question: Between which two years does the line  graph saw its maximum peak?

Model response: The line graph saw its maximum peak between 2007 and 2008.

Extracted answer: [2007, 2008]

Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.
Question: What fraction of the shape is blue?
Choices:
(A) 3/11
(B) 8/11
(C) 6/11
(D) 3/5

Model response: The correct answer is (B) 8/11.

Extracted answer: B

{query}

{response}

Extracted answer: """

# mistralai/mistral-evals @ d61811f, eval/tasks/mm_mt_bench.py, MultimodalLLMJudge.SYSTEM_PROMPT.
MM_MT_BENCH_SYSTEM = """\
Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the \
most recent question given the previous conversation as context. Your evaluation should consider correctness \
and helpfulness. You will be given a reference answer and the assistant's answer. Begin your evaluation by \
comparing the assistant's answer with the reference answer. Identify and correct any mistakes. Be as \
objective as possible. After providing your explanation, you must rate the response on a scale of 1 to 10 by \
strictly following this format: "[[rating]]", for example: "Rating: [[5]]".

"""

# MatthewCYM/VoiceBench @ 5338154, api_judge.py, meta_prompt_open (alpacaeval, commoneval, wildvoice).
VOICEBENCH_OPEN = """
I need your help to evaluate the performance of several models in the speech interaction scenario. The models \
will receive a speech input from the user, which they need to understand and respond to with a speech output.
Your task is to rate the model’s responses based on the provided user input transcription [Instruction] and \
the model’s output transcription [Response].

Please evaluate the response on a scale of 1 to 5:
1 point: The response is largely irrelevant, incorrect, or fails to address the user’s query. It may be \
off-topic or provide incorrect information.
2 points: The response is somewhat relevant but lacks accuracy or completeness. It may only partially answer \
the user’s question or include extraneous information.
3 points: The response is relevant and mostly accurate, but it may lack conciseness or include unnecessary \
details that don’t contribute to the main point.
4 points: The response is relevant, accurate, and concise, providing a clear answer to the user’s question \
without unnecessary elaboration.
5 points: The response is exceptionally relevant, accurate, and to the point. It directly addresses the \
user’s query in a highly effective and efficient manner, providing exactly the information needed.

Below are the transcription of user’s instruction and models’ response:
### [Instruction]: {prompt}
### [Response]: {response}

After evaluating, please output the score only without anything else.
You don’t need to provide any explanations.
"""

# MatthewCYM/VoiceBench @ 5338154, api_judge.py, meta_prompt_qa (sd-qa).
VOICEBENCH_QA = """\
### Question
{prompt}

### Reference answer
{reference}

### Candidate answer
{response}

Is the candidate answer correct based on the question and reference answer? 
Please only output a single "Yes" or "No". Do not output anything else."""

# lmarena/arena-hard-auto @ 196f6b8, utils/judge_utils.py: OG_ARENA_HARD_PROMPT (hard_prompt, coding, math) and
# the creative_writing system_prompt differ only in the middle paragraph (the latter does not answer first).
_ARENA_HARD_OPENING = """\
Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to \
the user prompt displayed below. You will be given assistant A's answer and assistant B's answer. Your job is \
to evaluate which assistant's answer is better.

"""
_ARENA_HARD_CLOSING = """\
Then consider if the assistant's answers are helpful, relevant, and concise. Helpful means the answer \
correctly responds to the prompt or follows the instructions. Note when user prompt has any ambiguity or more \
than one interpretation, it is more helpful and appropriate to ask for clarifications or more information \
from the user than providing an answer based on assumptions. Relevant means all parts of the response closely \
connect or are appropriate to what is being asked. Concise means the response is clear and not verbose or \
excessive.

Then consider the creativity and novelty of the assistant's answers when needed. Finally, identify any \
missing important information in the assistants' answers that would be beneficial to include when responding \
to the user prompt.

After providing your explanation, you must output only one of the following choices as your final verdict \
with a label:

1. Assistant A is significantly better: [[A>>B]]
2. Assistant A is slightly better: [[A>B]]
3. Tie, relatively the same: [[A=B]]
4. Assistant B is slightly better: [[B>A]]
5. Assistant B is significantly better: [[B>>A]]

Example output: "My final verdict is tie: [[A=B]]"."""
ARENA_HARD_SYSTEM = _ARENA_HARD_OPENING + """\
Begin your evaluation by generating your own answer to the prompt. You must provide your answers before \
judging any answers.

When evaluating the assistants' answers, compare both assistants' answers with your answer. You must identify \
and correct any mistakes or inaccurate information.

""" + _ARENA_HARD_CLOSING
ARENA_HARD_CREATIVE_SYSTEM = _ARENA_HARD_OPENING + """\
When evaluating the assistants' answers, compare both assistants' answers. You must identify and correct any \
mistakes or inaccurate information.

""" + _ARENA_HARD_CLOSING

# lmarena/arena-hard-auto @ 196f6b8, config/arena-hard-v2.0.yaml, prompt_template.
ARENA_HARD_USER = """\
<|User Prompt|>
{QUESTION}

<|The Start of Assistant A's Answer|>
{ANSWER_A}
<|The End of Assistant A's Answer|>

<|The Start of Assistant B's Answer|>
{ANSWER_B}
<|The End of Assistant B's Answer|>"""

# EQ-bench/creative-writing-bench @ e7ab009, data/creative_writing_judging_prompt.txt.
CREATIVE_WRITING_V3 = """\
You are an expert in assessing creative writing. Your task is to score the quality of the test model's \
response below, by several metrics, on a 0-20 scale.

[PROMPT START]

{writing_prompt}

[PROMPT END]

[TEST MODEL RESPONSE]

{test_model_response}

[TEST MODEL RESPONSE END]

[Task]

You are an expert in assessing creative writing. Your task is to score the quality of the test model's \
response below, by several metrics, on a 0-20 scale.

Scoring notes:

- A scores of 20 represents a masterpiece.

- If the criteria is not relevant to the piece (e.g. criteria relating to dialogue but the piece has none), \
exclude it from your assessment.

- Do not add any commentary or explanation to the scores section.

- Do not penalize NSFW output; that is the default for some models. Just assess it on its merits.

- Everything within the "TEST MODEL RESPONSE" section was written by the test model. Sometimes models like to \
write comments on the piece after the piece is concluded; if this happens you should ignore their comments.

- In the output, write the metric names exactly as below so they can be parsed.

- Do not use markdown in your response. Use the designated output format exactly.

- You are to write a comprehensive analysis of the piece, then give your scores.

- For these criteria, lower is better:
{lower_is_better_criteria}

- You are a critic, and your job is to be critical, especially of any failings or amateurish elements.

- Output format is:

[Analysis]

Write your detailed analysis.

[Scores]

Metric 1 name: [Score 0-20]

Metric 2 name: ...

---

Now, rate the supplied model output on the following criteria:

{creative_writing_criteria}"""

# EQ-bench/creative-writing-bench @ e7ab009, data/creative_writing_criteria.txt: the rubric, in its order; the
# judge prompt lists it one "- name" per line (core/conversation.py judge()).
CREATIVE_WRITING_V3_CRITERIA = (
    "Adherence to Instructions", "Believable Character Actions", "Nuanced Characters",
    "Consistent Voice/Tone of Writing", "Imagery and Descriptive Quality", "Elegant Prose", "Emotionally Engaging",
    "Emotionally Complex", "Coherent", "Meandering", "Weak Dialogue", "Tell-Don't-Show", "Unsurprising or Uncreative",
    "Amateurish", "Purple Prose", "Overwrought", "Incongruent Ending Positivity", "Unearned Transformations",
    "Well-earned Lightness or Darkness", "Sentences Flow Naturally", "Overall Reader Engagement", "Overall Impression",
)

# X-PLUG/WritingBench @ ae2d517, prompt.py, evaluate_system.
WRITINGBENCH_SYSTEM = """\
You are an expert evaluator with extensive experience in evaluating response of given query."""

# X-PLUG/WritingBench @ ae2d517, prompt.py, evaluate_prompt (a str.format template: {{ }} are braces); it states
# the output format twice, before the criteria and at the end.
_WRITINGBENCH_OUTPUT_FORMAT = """\
** Output format ** 
(Remove symbols that interfere with JSON parsing, don't use " inside reason)
Return the results in the following JSON format, Only output the following JSON format and nothing else:
```json
{{
    "score": an integer score between 1 to 10,
    "reason": "Specific and detailed justification for the score using text elements."
}}"""
WRITINGBENCH = """\
Evaluate the Response based on the Query and Criteria provided following the Scoring Rules.

** Scoring Rules **

"1-2": "Low score description: Critical deficiencies and major issues that prevent adequate functionality.",
"3-4": "Below average score description: Lacking with noticeable shortcomings that impact overall \
effectiveness and require improvement.",
"5-6": "Average score description: Adequate but not exemplary, Baseline performance that meets essential \
requirements. Most models may achieve this score.",
"7-8": "Above average score description: Strong performance characterized by competent execution, though \
minor refinements are needed to achieve excellence.",
"9-10": "High score description: Exceptional performance with all aspects optimally addressed, demonstrating \
superior effectiveness and quality without any flaws."

-Provide reasons for each score by indicating specific strengths or deficiencies within the Response. \
Reference exact text passages to justify the score, ensuring that each reason is concrete and aligns with the \
criteria requirements while highlighting key gaps from the ideal answer.

-Be very STRICT and do not be misled by format or length; ensure that the Response is thoroughly evaluated \
beyond superficial appearances.

-Carefully discern whether the content of the Response is an illusion, appearing substantial but actually \
entirely fabricated.

-Sometimes the model may only provide an introduction or an overview without truly completing the query, \
which should be considered a failed response. Carefully discern this.

-Scoring Range: Assign an integer score between 1 to 10

""" + _WRITINGBENCH_OUTPUT_FORMAT + """

** Criteria **
```{criteria}```

** Query **
```{query}```

** Response **
```{response}```

Provide your evaluation based on the criteria restated below:

```{criteria}```

""" + _WRITINGBENCH_OUTPUT_FORMAT + "\n```"
