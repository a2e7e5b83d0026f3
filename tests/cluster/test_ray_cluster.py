"""cluster=ray on a local Ray cluster started here (a head without CPUs and two 1-CPU worker nodes, so each
replica actor lands on its own worker node): the smoke suite through two transformers replicas, its media decoded
on the worker nodes, gives the one-process run and shares its response-cache keys (a local run is answered from the
Ray run's cache); a file a node cannot read is named before anything decodes; a worker node killed mid-run and,
separately, a driver killed mid-run lose and repeat nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="cluster=ray needs the ray extra (pip install -e '.[ray]')")

from engine.run_helpers import read_lines, smoke_overrides, stable_records  # noqa: E402
from judges.fake_judge_server import KEY, KEY_ENV, FakeJudgeServer  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402

import evalkit.media.pool  # noqa: E402
import evalkit.runners.openai  # noqa: E402
from evalkit.cli import main as cli  # noqa: E402
from evalkit.cluster.ray_media import check_shared_media, decoding_nodes  # noqa: E402
from evalkit.config import ConfigError  # noqa: E402
from evalkit.hydra_config import load_run_config  # noqa: E402
from evalkit.judges.official import WRITINGBENCH  # noqa: E402
from evalkit.pipeline import run_evaluation  # noqa: E402
from evalkit.types import MediaRef  # noqa: E402

from .conftest import N_SMOKE, assert_same_run, kill_session, replica_overrides, start_driver, wait_for_answers  # noqa: E402

WORKER = {"num_cpus": 1}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    started = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    for _ in range(2):
        started.add_node(**WORKER)
    ray.init(address=started.address)
    yield started
    ray.shutdown()
    started.shutdown()


def ray_overrides(tiny_model_dir: Path, tmp_path: Path, cluster: Cluster) -> list[str]:
    return replica_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "runner.batch_size=1",
                             "cluster=ray", f"cluster.address={cluster.address}", "cluster.num_gpus=0")


def wait_for_cpus(expected: float, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while ray.available_resources().get("CPU", 0) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ray.available_resources().get("CPU", 0) == expected


def test_two_ray_replicas_give_the_one_process_run_with_media_decoded_on_the_workers_and_its_cache_keys(
        tmp_path: Path, tiny_model_dir: Path, one_process_run: Path, cluster: Cluster,
        monkeypatch: pytest.MonkeyPatch):
    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("the driver decoded media")

    # the driver's media workers and decoding entry point; the Ray workers import their own, unpatched
    monkeypatch.setattr(evalkit.media.pool, "prepare_item", not_here)
    monkeypatch.setattr(evalkit.media.pool.MediaPool, "prepare", not_here)
    summary = run_evaluation(load_run_config([*ray_overrides(tiny_model_dir, tmp_path, cluster),
                                              "use_response_cache=true"]))
    assert summary.n_generated == N_SMOKE
    assert_same_run(tmp_path / "run", one_process_run)  # records with their media provenance and cache keys
    decoded = list((tmp_path / "cache" / "media" / "decoded").rglob("*.npz"))
    items = {json.dumps({k: v for k, v in m.items() if k != "source"}, sort_keys=True)  # the same bytes, decoded alike
             for r in read_lines(tmp_path / "run" / "samples.jsonl") for m in r["media"]}  # fmt: skip
    assert items and len(decoded) == len(items)  # every item decoded once, by the workers, into the media cache
    wait_for_cpus(2)  # the actors are gone once the run ends

    # the Ray run's response cache answers a local run of the same config in full: they share cache keys
    monkeypatch.undo()
    local = smoke_overrides(tiny_model_dir, tmp_path / "local", tmp_path / "cache", "runner.dtype=float32",
                            "runner.batch_size=1")  # fmt: skip
    again = run_evaluation(load_run_config(local))
    assert (again.n_generated, again.n_cache_hits) == (0, N_SMOKE)
    assert stable_records(tmp_path / "local" / "samples.jsonl") == stable_records(tmp_path / "run" / "samples.jsonl")


def test_media_a_node_cannot_read_are_named_before_anything_decodes(tmp_path: Path, cluster: Cluster,
                                                                   monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "clip.wav").write_bytes(b"RIFF")
    monkeypatch.chdir(tmp_path)  # readable here by its relative name; the worker nodes run in their own folders
    nodes = decoding_nodes()
    assert len(nodes) == 2 and ray.get_runtime_context().get_node_id() not in nodes
    with pytest.raises(ConfigError, match=r"media file clip\.wav is not readable on Ray node .*same path"):
        check_shared_media(nodes, [MediaRef("audio", path="clip.wav")], tmp_path / "cache")
    check_shared_media(nodes, [MediaRef("audio", path=str(tmp_path / "clip.wav")),
                               MediaRef("audio", path=str(tmp_path / "missing.wav"))], tmp_path / "cache")


def test_a_worker_node_killed_mid_run_loses_and_repeats_nothing(tmp_path: Path, tiny_model_dir: Path,
                                                               one_process_run: Path, cluster: Cluster):
    driver = start_driver(ray_overrides(tiny_model_dir, tmp_path, cluster))
    wait_for_answers(driver, tmp_path / "run" / "samples.jsonl", answers=3)
    doomed = cluster.list_all_nodes()[-1]
    cluster.remove_node(doomed, allow_graceful=False)  # its raylet and the replica actor on it die at once
    try:
        assert driver.wait(timeout=300) == 0  # the other replica answered what the dead one held
        assert_same_run(tmp_path / "run", one_process_run)
    finally:
        cluster.add_node(**WORKER)
        wait_for_cpus(2)


def test_a_driver_killed_mid_run_ends_its_actors_and_the_rerun_resumes_exactly(tmp_path: Path, tiny_model_dir: Path,
                                                                              one_process_run: Path, cluster: Cluster):
    overrides = ray_overrides(tiny_model_dir, tmp_path, cluster)
    driver = start_driver(overrides)
    samples = tmp_path / "run" / "samples.jsonl"
    wait_for_answers(driver, samples, answers=3)
    kill_session(driver)
    wait_for_cpus(2)  # Ray ended the dead driver's replica actors: their CPUs are free again
    answered = samples.read_text().count("\n")
    assert 3 <= answered < N_SMOKE

    summary = run_evaluation(load_run_config(overrides))
    assert (summary.n_resumed, summary.n_generated) == (answered, N_SMOKE - answered)
    assert_same_run(tmp_path / "run", one_process_run)


def test_a_judged_task_on_the_cluster_gives_the_local_run_and_rescores_from_the_judge_cache(
        tmp_path: Path, tiny_model_dir: Path, cluster: Cluster, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(KEY_ENV, KEY)  # the driver's: the judge's actor receives it in its runtime environment
    server = FakeJudgeServer([WRITINGBENCH.model], lambda body: (200, {"content": '{"score": 7, "reason": "ok"}'}),
                             api_key=KEY)  # fmt: skip

    def run(name: str, *extra: str) -> Path:
        out = tmp_path / name
        assert cli(["run", "model=tiny_random", f"model.path={tiny_model_dir}", "tasks=[writingbench_smoke]",
                    "runner.dtype=float32", "runner.batch_size=1", f"output_dir={out}",
                    f"cache_dir={tmp_path / f'{name}-cache'}", "judge.use=official",
                    f"judge.base_url={server.base_url}", f"judge.api_key_env={KEY_ENV}", *extra]) == 0  # fmt: skip
        return out

    def scored(out: Path) -> dict:
        return json.loads((out / "scores.json").read_text(encoding="utf-8"))["tasks"]["writingbench_smoke"]

    def judge_report(out: Path) -> dict:
        return scored(out)["judge"]

    try:
        local = run("local")
        assert judge_report(local)["calls_made"] == len(server.bodies) == 3

        def not_here(*args: object) -> None:
            raise AssertionError("the driver called the judge")

        monkeypatch.setattr(evalkit.runners.openai.OpenAIRunner, "generate", not_here)
        on_ray = run("ray", "cluster=ray", f"cluster.address={cluster.address}", "cluster.num_gpus=0")
        assert judge_report(on_ray)["calls_made"] == 3 and len(server.bodies) == 6
        assert (on_ray / "scores.json").read_text() == (local / "scores.json").read_text()
        assert stable_records(on_ray / "samples.jsonl") == stable_records(local / "samples.jsonl")

        assert cli(["rescore", str(on_ray)]) == 0
        assert (judge_report(on_ray)["calls_made"], judge_report(on_ray)["cache_hits"], len(server.bodies)) == (0, 3, 6)
        assert scored(on_ray)["value"] == scored(local)["value"] == pytest.approx(70.0)
    finally:
        server.close()
    wait_for_cpus(2)  # the judge's actor is gone with the run
