"""cluster=ray on a local Ray cluster started here (a head without CPUs and two 1-CPU worker nodes, so each
replica actor lands on its own worker node): the smoke suite through two transformers replicas gives the
one-process run; a worker node killed mid-run and, separately, a driver killed mid-run lose and repeat nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="cluster=ray needs the ray extra (pip install -e '.[ray]')")

from ray.cluster_utils import Cluster  # noqa: E402

from evalkit.hydra_config import load_run_config  # noqa: E402
from evalkit.pipeline import run_evaluation  # noqa: E402

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


def test_two_ray_replicas_give_the_one_process_run(tmp_path: Path, tiny_model_dir: Path, one_process_run: Path,
                                                   cluster: Cluster):
    summary = run_evaluation(load_run_config(ray_overrides(tiny_model_dir, tmp_path, cluster)))
    assert summary.n_generated == N_SMOKE
    assert_same_run(tmp_path / "run", one_process_run)
    wait_for_cpus(2)  # the actors are gone once the run ends


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
