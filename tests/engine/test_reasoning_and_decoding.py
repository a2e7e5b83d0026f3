import json
from pathlib import Path

import pytest

from evalkit.config import DatasetConfig, ModelConfig, ScorerConfig, TaskConfig
from evalkit.decoding import read_generation_config, resolve_decoding
from evalkit.scoring.reasoning import split_reasoning


@pytest.mark.parametrize(
    ("text", "answer", "closed"),
    [
        ("<think>\nlet me see\n</think>\n\nB", "B", True),
        ("let me see</think>B", "B", True),  # the template opened the block in the prompt
        ("a</think>b</think> C ", "C", True),  # the answer follows the last close
        ("<think>I keep thinking", "", False),
        ("no tags at all", "", False),
        ("", "", False),
    ],
)
def test_split_reasoning(text: str, answer: str, closed: bool) -> None:
    split = split_reasoning(text)
    assert (split.answer, split.closed) == (answer, closed)


def task(max_new_tokens: int = 256) -> TaskConfig:
    return TaskConfig(name="t", dataset=DatasetConfig(hub_id="h"), scorer=ScorerConfig(name="s"),
                      prompt="p", max_new_tokens=max_new_tokens)


def test_greedy_for_instruct() -> None:
    decoding = resolve_decoding(ModelConfig(name="m", path="p"), task(), seed=7, generation_config=None)
    assert (decoding.do_sample, decoding.temperature, decoding.max_new_tokens, decoding.seed) == (False, 0.0, 256, 7)
    assert decoding.policy == "greedy"


def test_thinking_uses_the_checkpoint_generation_config(tmp_path: Path) -> None:
    (tmp_path / "generation_config.json").write_text(
        json.dumps({"do_sample": True, "temperature": 0.6, "top_p": 0.95, "top_k": 20, "repetition_penalty": 1.05})
    )
    generation_config = read_generation_config(str(tmp_path), None)
    model = ModelConfig(name="m", path=str(tmp_path), decoding="generation_config", reasoning=True,
                        reasoning_max_new_tokens=32768)
    decoding = resolve_decoding(model, task(), seed=1234, generation_config=generation_config)
    assert (decoding.do_sample, decoding.temperature, decoding.top_p, decoding.top_k) == (True, 0.6, 0.95, 20)
    assert decoding.repetition_penalty == 1.05 and decoding.max_new_tokens == 32768
    assert decoding.policy == "sampling"


def test_missing_generation_config_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="model.decoding=greedy"):
        read_generation_config(str(tmp_path), None)
