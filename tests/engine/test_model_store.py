import json
from pathlib import Path

import pytest

from evalkit.config import ConfigError, ModelConfig
from evalkit.model_store import resolve_model_path
from evalkit.tiny_model import BUILDER_VERSION, MARKER_FILE


def tiny(path: str = "") -> ModelConfig:
    return ModelConfig(name="tiny_random", path=path, variant="tiny", build_tiny=True)


def test_tiny_model_is_built_once_and_rebuilt_for_a_new_builder_version(tmp_path: Path) -> None:
    folder = Path(resolve_model_path(tiny(), tmp_path))
    assert folder == tmp_path / "tiny-qwen3-omni" and (folder / "config.json").exists()
    weights = next(folder.glob("*.safetensors"))
    built = weights.stat().st_mtime_ns
    assert Path(resolve_model_path(tiny(), tmp_path)) == folder
    assert weights.stat().st_mtime_ns == built  # reused, not rebuilt

    marker = folder / MARKER_FILE
    marker.write_text(json.dumps({**json.loads(marker.read_text()), "builder_version": BUILDER_VERSION - 1}))
    resolve_model_path(tiny(), tmp_path)
    assert json.loads(marker.read_text())["builder_version"] == BUILDER_VERSION


def test_a_foreign_folder_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not a tiny evalkit model"):
        resolve_model_path(tiny(str(tmp_path / "mine")), tmp_path)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_a_missing_local_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a folder"):
        resolve_model_path(ModelConfig(name="m", path=str(tmp_path / "nowhere")), tmp_path)
