"""Where one pass's main thread spent its time with the engine: vLLM's `LLMEngine.add_request` (input processing:
the multimodal processor, hashing, tokenizing) and `step` (waiting for the engine core's next outputs, then
detokenizing them), recorded by wrapping both on the engine instance, which bare vLLM's `generate` and evalkit's
runner both go through. What is neither is the caller's own work: evalkit's phases and its waits for media, or
nothing much for bare vLLM.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EngineTimeline:
    started: float = field(default_factory=time.perf_counter)
    ended: float | None = None  # when the block ended
    adds: list[tuple[float, float]] = field(default_factory=list)  # (start, end) seconds after `started`
    steps: list[tuple[float, float]] = field(default_factory=list)
    finishes: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Seconds after the pass began: first and last request handed over, first and last answer finished; the
        main thread's seconds inside add_request and step; the number of steps, and those (and their seconds) taken
        before the last request was handed over, which held back the feeding."""
        wall = (self.ended or time.perf_counter()) - self.started
        add_s = sum(end - start for start, end in self.adds)
        step_s = sum(end - start for start, end in self.steps)
        last_add = self.adds[-1][0] if self.adds else 0.0
        feeding_steps = [(start, end) for start, end in self.steps if start < last_add]
        return {
            "wall_s": round(wall, 3),
            "first_add_s": _rounded(self.adds[0][0] if self.adds else None),
            "last_add_s": _rounded(self.adds[-1][1] if self.adds else None),
            "first_finish_s": _rounded(min(self.finishes, default=None)),
            "last_finish_s": _rounded(max(self.finishes, default=None)),
            "add_s": round(add_s, 3),
            "step_s": round(step_s, 3),
            "other_s": round(wall - add_s - step_s, 3),
            "steps": len(self.steps),
            "steps_while_feeding": len(feeding_steps),
            "step_s_while_feeding": round(sum(end - start for start, end in feeding_steps), 3),
        }


@contextmanager
def engine_timeline(engine: Any) -> Iterator[EngineTimeline]:
    """Record `engine`'s add_request and step calls (a vLLM LLMEngine) until the block ends."""
    timeline = EngineTimeline()
    add, step = engine.add_request, engine.step

    def timed_add(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return add(*args, **kwargs)
        finally:
            timeline.adds.append((start - timeline.started, time.perf_counter() - timeline.started))

    def timed_step() -> Any:
        start = time.perf_counter()
        outputs = step()
        end = time.perf_counter() - timeline.started
        timeline.steps.append((start - timeline.started, end))
        timeline.finishes.extend(end for output in outputs if getattr(output, "finished", False))
        return outputs

    engine.add_request, engine.step = timed_add, timed_step
    try:
        yield timeline
    finally:
        timeline.ended = time.perf_counter()
        del engine.add_request, engine.step  # the class's own methods again


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
