"""Composing a run config from configs/ with Hydra's compose API and command-line overrides."""

from __future__ import annotations

import re

from omegaconf import DictConfig

from evalkit.config import CONFIG_DIR, ConfigError, RunConfig, valid_keys_beside, validate


def compose(overrides: list[str]) -> DictConfig:
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return hydra_compose(config_name="config", overrides=overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(f"{exc}{_valid_keys_hint(str(exc))}\n(config groups live in {CONFIG_DIR}; `evalkit tasks` "
                          "and `evalkit models` list the choices)") from exc


def _valid_keys_hint(message: str) -> str:
    """For an override of a key that does not exist, the keys that do (Hydra names only the bad one)."""
    found = re.search(r"Could not override '([^']+)'", message)
    keys = valid_keys_beside(found.group(1)) if found else None
    return f"\nvalid keys there: {', '.join(keys)}" if keys else ""


def load_run_config(overrides: list[str]) -> RunConfig:
    return validate(compose(overrides))
