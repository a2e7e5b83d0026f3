"""Composing a run config from configs/ with Hydra's compose API and command-line overrides."""

from __future__ import annotations

from omegaconf import DictConfig

from evalkit.config import CONFIG_DIR, ConfigError, RunConfig, validate


def compose(overrides: list[str]) -> DictConfig:
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return hydra_compose(config_name="config", overrides=overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(f"{exc}\n(config groups live in {CONFIG_DIR}; `evalkit tasks` and `evalkit models` list "
                          "the choices)") from exc


def load_run_config(overrides: list[str]) -> RunConfig:
    return validate(compose(overrides))
