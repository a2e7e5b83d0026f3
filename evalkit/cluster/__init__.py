"""Running a run's engines and scoring on a Ray cluster (`cluster=ray`): the connection here, the engine replicas
as actors in ray_replicas, the media decoding as Ray tasks on the worker nodes in ray_media, the judges' engines as
actors in ray_judges, the scoring of tasks as Ray tasks in ray_scoring. Ray is imported only when chosen
(`pip install evalkit[ray]`)."""

from __future__ import annotations

from evalkit.config import ClusterConfig, ConfigError


def connect(cluster: ClusterConfig) -> None:
    """Join the Ray cluster `cluster.address` names (once per process): auto, the running one (RAY_ADDRESS or
    `ray start --head` on this node); local, a new one in this process; host:port, the head node's."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(f"cluster=ray needs Ray, which does not import here ({exc}); install evalkit[ray]") from exc
    if ray.is_initialized():
        return
    if cluster.address == "local":
        ray.init(include_dashboard=False)
        return
    try:
        ray.init(address=cluster.address)
    except ConnectionError as exc:
        raise ConfigError(f"cluster.address={cluster.address}: no Ray cluster answers there ({exc}); start one with "
                          "`ray start --head`, or set cluster.address=local to start one in this process") from exc
