"""Media decoded on the Ray cluster's worker nodes (cluster=ray), never in the driver.

`RayMediaPool` is evalkit.media.pool.MediaPool's counterpart, with the same `prepare` stream (each request's media
in input order, NotReady while the next one is still decoding, at most `max_in_flight` ahead). Each request's media
are decoded by `prepare_item` (the same decoders, and the decoded-media cache under the run's cache_dir) in a Ray
task placed on a node other than the driver's. The task returns two objects: the media's provenance (or the
MediaError that names the file), which the driver fetches, and the decoded arrays, which stay in the object store
of the node that decoded them until the replica actor that answers the request takes them
(`PreparedRequest.held_media`). So the driver computes the response-cache key from the same provenance a local run
hashes (the keys, records and cache hits of local and Ray runs are the same) without ever holding a decoded array.
Decoded objects lost with their node are decoded again by Ray from the task's lineage.

The worker nodes open the media at the paths the dataset names: the data must be on a filesystem every node
mounts at the same path. `check_shared_media` asks every decoding node, before any decoding, and names the first
file a node cannot read.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from evalkit.config import ClusterConfig, ConfigError, MediaConfig
from evalkit.media.pool import Item, K, Prepared, prepare_item
from evalkit.media.qwen_rules import VideoPlan
from evalkit.media.source import MediaError
from evalkit.types import HeldMedia, MediaData, MediaRef, NotReady

Summary = tuple[Mapping[str, Any], ...] | MediaError  # what the driver fetches of a decoded request


def decode_on_worker(refs: tuple[MediaRef, ...], config: MediaConfig, cache_dir: Path,
                     plans: tuple[VideoPlan | None, ...]) -> tuple[Summary, tuple[MediaData, ...] | None]:  # fmt: skip
    """A Ray task (two returns): the media's provenance or MediaError, and the decoded media."""
    decoded: Prepared = prepare_item(refs, config, cache_dir, plans)
    if isinstance(decoded, MediaError):
        return decoded, None
    return tuple(dict(item.provenance) for item in decoded), decoded


def decoding_nodes() -> list[str]:
    """The live nodes other than the driver's (all of them on a one-node cluster, which has no other)."""
    import ray

    here = ray.get_runtime_context().get_node_id()
    alive = [node["NodeID"] for node in ray.nodes() if node["Alive"]]
    return [node for node in alive if node != here] or [here]


class RayMediaPool:
    """Each request's media decoded by a Ray task on the decoding nodes, in turn; the tasks reserve no cores (like
    the local media workers beside an engine), and at most `max_in_flight` are decoding or waiting to be taken."""

    def __init__(self, cluster: ClusterConfig, cache_dir: Path, max_in_flight: int) -> None:
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from evalkit.cluster import connect

        connect(cluster)
        self.cache_dir, self.max_in_flight = cache_dir.resolve(), max_in_flight
        self.nodes = decoding_nodes()
        task = ray.remote(decode_on_worker)
        # soft: a node that died meanwhile is replaced by any other
        self._tasks: Iterator[Any] = itertools.cycle([
            task.options(num_cpus=0, num_returns=2, scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=True))
            for node in self.nodes])  # fmt: skip

    def prepare(self, items: Iterable[Item[K]],
                poll: bool = False) -> Iterator[tuple[K, Prepared | HeldMedia] | NotReady]:  # fmt: skip
        """As MediaPool.prepare; a request's decoded media come as HeldMedia (a request without media as ())."""
        # key, references, (the summary's ObjectRef and its future, the decoded media's ObjectRef) when decoding
        pending: deque[tuple[K, Sequence[MediaRef], tuple[Any, Future, Any] | None]] = deque()
        for key, refs, config, plans in items:
            decoding = None
            if refs:
                summary, data = next(self._tasks).remote(tuple(refs), config, self.cache_dir, tuple(plans))
                decoding = (summary, summary.future(), data)
            pending.append((key, refs, decoding))
            while len(pending) >= self.max_in_flight:
                yield self._ready_or_not(pending, poll)
        while pending:
            yield self._ready_or_not(pending, poll)

    @staticmethod
    def _ready_or_not(pending: deque, poll: bool) -> tuple[Any, Prepared | HeldMedia] | NotReady:
        key, refs, decoding = pending[0]
        if decoding is None:
            pending.popleft()
            return key, ()
        _, summary, data = decoding
        if poll and not summary.done():
            return NotReady(summary)
        pending.popleft()
        from ray.exceptions import RayError

        try:
            result = summary.result()
        except RayError as error:  # the task failed past its retries (its worker or node died each time)
            first = str(error).strip().splitlines()[0]
            return key, MediaError(f"{', '.join(ref.label for ref in refs)}: decoding on the cluster failed ({first})")
        return key, result if isinstance(result, MediaError) else HeldMedia(result, data)

    def close(self) -> None:
        """Nothing to let go: the tasks end by themselves and their objects with the driver's references."""


def check_shared_media(nodes: Sequence[str], refs: Iterable[MediaRef], cache_dir: Path) -> None:
    """Every decoding node can read every media file the driver can (a file the driver cannot read either fails
    as its sample's media failure, as in a local run) and write the decoded-media cache; else a ConfigError naming
    the node and the first file."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    paths = sorted({ref.path for ref in refs if ref.path is not None and os.access(ref.path, os.R_OK)})
    check = ray.remote(_unreadable)
    found = ray.get([check.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False))
                     .remote(paths, str(cache_dir.resolve())) for node in nodes])  # fmt: skip
    for node, (host, unreadable, cache_problem) in zip(nodes, found, strict=True):
        if unreadable:
            raise ConfigError(
                f"media file {unreadable[0]} is not readable on Ray node {host} ({node[:12]}), nor are "
                f"{len(unreadable) - 1} more: cluster=ray decodes media on the worker nodes, so the data must be on a "
                "filesystem every node mounts at the same path (absolute paths; a relative one is read from each "
                "node's own working directory)"
            )
        if cache_problem:
            raise ConfigError(f"Ray node {host} ({node[:12]}) cannot write the decoded-media cache {cache_dir} "
                              f"({cache_problem}); give every node a writable cache_dir at the same path")


def _unreadable(paths: list[str], cache_dir: str) -> tuple[str, list[str], str | None]:
    """On one node: its host name, the paths it cannot read, and why it cannot write `cache_dir` (None: it can)."""
    import socket

    problem = None
    try:
        os.makedirs(cache_dir, exist_ok=True)
        if not os.access(cache_dir, os.W_OK):
            problem = "not writable"
    except OSError as exc:
        problem = str(exc)
    return socket.gethostname(), [path for path in paths if not os.access(path, os.R_OK)], problem
