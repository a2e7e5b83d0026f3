"""Loading local copies in the hub schema, and the errors that name what is wrong."""

from __future__ import annotations

import json

import datasets
import pytest
from PIL import Image

from evalkit import datasets_io
from evalkit.config import REPO_ROOT, DatasetConfig
from evalkit.datasets_io import DatasetError

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "smoke"


def librispeech(**changes) -> DatasetConfig:
    config = DatasetConfig(hub_id="openslr/librispeech_asr", subsets=["clean"], split="test",
                           local_path="tests/fixtures/smoke/librispeech")
    for key, value in changes.items():
        setattr(config, key, value)
    return config


def test_relative_local_path_resolves_against_repo_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    loaded = datasets_io.load(librispeech(), ["id", "text"], {"audio": "audio"})
    assert loaded.provenance["local_path"] == str(FIXTURES / "librispeech")
    assert loaded.parts[0].rows["id"] == ["9001-1-0000", "9001-1-0001"]


def test_a_local_load_asks_no_server(monkeypatch):
    """datasets' packaged builders count each load with a request to the hub; for local files evalkit skips it
    (and leaves the setting as it found it)."""
    import datasets.load

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_UPDATE_DOWNLOAD_COUNTS", True)
    asked = []
    monkeypatch.setattr(datasets.load, "get_session", lambda: asked.append("session") or pytest.fail("no request"))
    datasets_io.load(librispeech(), ["id"], {})
    assert asked == [] and datasets.config.HF_UPDATE_DOWNLOAD_COUNTS is True


def test_media_columns_stay_encoded():
    rows = datasets_io.load(librispeech(), ["audio"], {"audio": "audio"}).parts[0].rows
    assert rows.features["audio"] == datasets.Audio(sampling_rate=None, decode=False)
    cell = rows[0]["audio"]
    assert cell["path"] == "9001-1-0000.flac" and cell["bytes"][:4] == b"fLaC"


def test_provenance_records_source_and_rows():
    provenance = datasets_io.load(librispeech(subsets=["clean", "other"])).provenance
    assert provenance["source"] == "local" and provenance["split"] == "test" and provenance["rows"] == 4
    assert set(provenance["subsets"]) == {"clean", "other"}
    assert all(len(s["fingerprint"]) == 16 for s in provenance["subsets"].values())


def test_missing_local_path_is_named():
    with pytest.raises(DatasetError, match=r"dataset.local_path .*/nowhere does not exist"):
        datasets_io.check(librispeech(local_path="nowhere"))


def test_unknown_subset_lists_what_is_there():
    present = r"unknown subset 'dirty'.*present in .*: \['clean.parquet', 'other.parquet'\]"
    with pytest.raises(DatasetError, match=present):
        datasets_io.check(librispeech(subsets=["dirty"]))


def test_missing_column_names_the_column_and_file():
    with pytest.raises(DatasetError, match=r"clean.parquet lacks column\(s\) \['sentence'\]; present: \[.*'text'"):
        datasets_io.check(librispeech(), ["id", "sentence"])


def test_missing_media_dir_is_named():
    with pytest.raises(DatasetError, match="dataset.media_dir .*/no_videos is not a folder"):
        datasets_io.check(librispeech(media_dir="no_videos"))


def test_no_source_at_all():
    with pytest.raises(DatasetError, match="hub_id is empty and dataset.local_path is not set"):
        datasets_io.check(DatasetConfig(hub_id=""))


def test_save_to_disk_folder_and_split(tmp_path):
    rows = datasets.Dataset.from_dict({"id": ["a", "b"], "text": ["X", "Y"]})
    datasets.DatasetDict({"test": rows}).save_to_disk(str(tmp_path / "saved"))
    config = DatasetConfig(hub_id="x/y", split="test", local_path=str(tmp_path / "saved"))
    assert datasets_io.load(config, ["id", "text"]).parts[0].rows["text"] == ["X", "Y"]
    config.split = "validation"
    with pytest.raises(DatasetError, match=r"has no split 'validation'; splits: \['test'\]"):
        datasets_io.load(config)


def test_jsonl_folder_and_column_check(tmp_path):
    folder = tmp_path / "rows"
    folder.mkdir()
    (folder / "part-0.jsonl").write_text("\n".join(json.dumps({"id": i, "q": f"q{i}"}) for i in range(3)) + "\n")
    config = DatasetConfig(hub_id="x/y", local_path=str(folder))
    datasets_io.check(config, ["id", "q"])
    assert datasets_io.load(config).parts[0].rows["q"] == ["q0", "q1", "q2"]
    with pytest.raises(DatasetError, match=r"part-0.jsonl lacks column\(s\) \['answer'\]"):
        datasets_io.check(config, ["answer"])


def test_folder_without_data_files(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(DatasetError, match="no save_to_disk dataset and no .parquet/.jsonl/.json/.csv files"):
        datasets_io.check(DatasetConfig(hub_id="x/y", local_path=str(tmp_path)))


def test_hub_loads_one_subset_at_a_time(monkeypatch):
    """The hub path asks datasets for each subset with the configured split and revision (no network here)."""
    calls = []

    def fake_load_dataset(path, name, split, revision, trust_remote_code):
        calls.append((path, name, split, revision, trust_remote_code))
        if name == "Nope":
            raise ValueError("BuilderConfig 'Nope' not found. Available: ['Art', 'Math']")
        return datasets.Dataset.from_dict({"id": [f"validation_{name}_1"]})

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    config = DatasetConfig(hub_id="MMMU/MMMU", subsets=["Art", "Math"], split="validation", revision="abc123")
    loaded = datasets_io.load(config, ["id"])
    assert calls == [("MMMU/MMMU", "Art", "validation", "abc123", None),
                     ("MMMU/MMMU", "Math", "validation", "abc123", None)]
    assert [p.subset for p in loaded.parts] == ["Art", "Math"]
    assert loaded.provenance["source"] == "hub" and loaded.provenance["revision"] == "abc123"
    config.subsets = ["Nope"]
    with pytest.raises(DatasetError, match=r"could not load MMMU/MMMU subset 'Nope' split 'validation'.*Available"):
        datasets_io.load(config)


def test_a_hub_snapshot_folder_reads_only_the_configured_split(tmp_path):
    import pandas as pd

    art = tmp_path / "mmmu" / "Art"
    art.mkdir(parents=True)
    for split in ("dev", "validation", "test"):
        pd.DataFrame({"id": [f"{split}_Art_1"]}).to_parquet(art / f"{split}-00000-of-00001.parquet")
    config = DatasetConfig(hub_id="MMMU/MMMU", subsets=["Art"], split="validation", local_path=str(tmp_path / "mmmu"))
    assert datasets_io.load(config, ["id"]).parts[0].rows["id"] == ["validation_Art_1"]
    config.split = "train"
    with pytest.raises(DatasetError, match="none of split 'train'"):
        datasets_io.check(config, ["id"])


def test_rows_formatted_a_batch_at_a_time_equal_the_rows_one_at_a_time(tmp_path):
    image = tmp_path / "red.png"
    Image.new("RGB", (4, 3), "red").save(image)
    features = datasets.Features({
        "id": datasets.Value("string"),
        "label": datasets.ClassLabel(names=["no", "yes"]),
        "turns": datasets.Sequence({"role": datasets.Value("string"), "n": datasets.Value("int32")}),
        "picture": datasets.Image(decode=False),
        "maybe": datasets.Value("float32"),
    })
    rows = datasets.Dataset.from_dict({
        "id": [f"r{i}" for i in range(5)],
        "label": [0, 1, 1, 0, 1],
        "turns": [[{"role": "user", "n": i}, {"role": "assistant", "n": i + 1}] for i in range(5)],
        "picture": [str(image), None, str(image), None, None],
        "maybe": [0.5, None, 1.5, None, 2.5],
    }, features=features)
    expected = list(rows)
    assert list(datasets_io.batched_rows(rows, batch_size=2)) == expected
    assert expected[0]["turns"] == {"role": ["user", "assistant"], "n": [0, 1]}  # datasets' own shape, kept
    assert expected[1]["picture"] is None and expected[0]["picture"]["path"] == str(image)
