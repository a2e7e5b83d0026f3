"""Model profiles, one module per family; `model.profile` in a model config picks one by name.

Adding a family: a module here defining a ModelProfile subclass and `PROFILE`, listed below, plus a
configs/model/<name>.yaml that sets `profile: <its name>`.
"""

from __future__ import annotations

from evalkit.config import ConfigError
from evalkit.profiles import causal_lm, hosted, qwen2_5_omni, qwen3_omni, whisper
from evalkit.profiles.base import ModelProfile

PROFILES: dict[str, ModelProfile] = {
    module.PROFILE.name: module.PROFILE for module in (qwen3_omni, qwen2_5_omni, whisper, hosted, causal_lm)
}


def get_profile(name: str) -> ModelProfile:
    if name not in PROFILES:
        raise ConfigError(f"model.profile={name!r}; valid: {', '.join(sorted(PROFILES))}")
    return PROFILES[name]
