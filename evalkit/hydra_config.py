"""Composing a run config from the command line.

Hydra composes model/, runner/, suite/, cluster/ and the top-level keys from configs/. The tasks come from the registry
(evalkit.registry): `tasks=[a,b]` names them, or a suite (configs/suite/NAME.yaml: its `tasks` list and any
run-level settings). Each task's TaskConfig is its spec's defaults with the `tasks.<name>.<key>=value` overrides
applied; those overrides are taken out of the Hydra overrides first, since a task is not a Hydra config group.
Every mistake is one ConfigError line naming the key and the valid choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from omegaconf import DictConfig, ListConfig, OmegaConf

from evalkit.config import (
    CONFIG_DIR,
    ConfigError,
    RunConfig,
    TaskConfig,
    mapping_node,
    omegaconf_error_line,
    valid_keys_beside,
    validate,
)
from evalkit.registry import all_specs, smoke_task_names, task_spec, unknown_task_message

GROUPS = ("model", "runner", "suite", "cluster")
# tasks.<name>.<key>=value (also +/++ spelled), or ~tasks.<name>.<key> to delete an entry of a dict (options)
_TASK_OVERRIDE = re.compile(r"^(?:\+{0,2}|(?P<delete>~))tasks\.(?P<task>[^.=]+)\.(?P<key>[^=]+?)(?:=(?P<value>.*))?$",
                            re.DOTALL)


@dataclass
class _Overrides:
    hydra: list[str] = field(default_factory=list)
    # task -> [(dotted key, value)]; value None: delete the key
    per_task: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    chooses_tasks: bool = False  # tasks=[...] given
    chooses_suite: bool = False  # suite=NAME given


def config_names(group: str) -> list[str]:
    """The options of a config group; names starting with "_" are shared parts, not selectable configs."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml") if not p.stem.startswith("_"))


def _split(overrides: list[str]) -> _Overrides:
    split = _Overrides()
    for override in overrides:
        per_task = _TASK_OVERRIDE.match(override)
        key, _, value = override.partition("=")
        if per_task and (per_task["delete"] is None) == (per_task["value"] is not None):
            split.per_task.setdefault(per_task["task"], []).append((per_task["key"], per_task["value"]))
            continue
        whole_task = re.fullmatch(r"[+~]*tasks?(\.[^.]+)?", key) is not None and key != "tasks"
        if "@" in key or whole_task:  # a task group spelling, or adding/removing a whole task
            raise ConfigError(f"{override!r}: choose tasks with tasks=[name,...] and change one with "
                              "tasks.<name>.<key>=value (`evalkit tasks` lists the names)")
        if key in GROUPS and value not in config_names(key):
            raise ConfigError(f"{key}={value!r}: unknown {key}; valid: {', '.join(config_names(key))}")
        split.chooses_tasks |= key == "tasks"
        split.chooses_suite |= key == "suite"
        split.hydra.append(override)
    if split.chooses_tasks and split.chooses_suite:
        raise ConfigError("give suite=NAME or tasks=[name,...], not both (a suite is a named list of tasks)")
    if split.chooses_tasks:
        split.hydra.append("~suite")  # the default suite's run-level settings must not ride along
    return split


def _run_label(*, _root_: DictConfig) -> str:
    """The suite's name, or the chosen tasks' names: the default output_dir starts with it."""
    if _root_.get("suite"):
        return str(_root_.suite)
    names = list(_root_.get("tasks") or [])
    return "+".join(names) if len(names) <= 3 else f"{names[0]}+{len(names) - 1}more"


def _register_resolvers() -> None:
    if not OmegaConf.has_resolver("run_label"):
        OmegaConf.register_new_resolver("run_label", _run_label)
        OmegaConf.register_new_resolver("smoke_tasks", smoke_task_names)  # suite smoke_all: every smoke variant


def compose(overrides: list[str]) -> DictConfig:
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    _register_resolvers()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return hydra_compose(config_name="config", overrides=overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        first = str(exc).strip().splitlines()[0].rstrip(".")
        raise ConfigError(f"{first}{_valid_keys_hint(str(exc))} (`evalkit tasks` and `evalkit models` list the "
                          "choices)") from exc


def _valid_keys_hint(message: str) -> str:
    """For an override of a key that does not exist, the keys that do (Hydra names only the bad one)."""
    found = re.search(r"Could not override '([^']+)'", message)
    keys = valid_keys_beside(found.group(1)) if found else None
    return f"; valid keys there: {', '.join(keys)}" if keys else ""


def task_names(cfg: DictConfig) -> list[str]:
    """The run's tasks: the composed `tasks` list (the suite's, or tasks=[...]), each registered and runnable."""
    chosen = cfg.get("tasks")  # a ListConfig, or a list from the smoke_tasks resolver
    names = [chosen] if isinstance(chosen, str) else list(chosen) if isinstance(chosen, (list, ListConfig)) else None
    if not names or not all(isinstance(n, str) for n in names):
        shown = OmegaConf.to_container(chosen) if isinstance(chosen, ListConfig) else chosen
        raise ConfigError(f"tasks={shown!r}: choose tasks=[name,...] or suite=NAME (suites: "
                          f"{', '.join(config_names('suite'))}; `evalkit tasks` lists the tasks)")
    specs = all_specs()
    for name in names:
        if name not in specs:
            raise ConfigError(f"tasks: {unknown_task_message(name, list(specs))}")
        if not specs[name].runnable:
            raise ConfigError(f"tasks: {name!r} is score-only (no loader yet): use `evalkit score --task {name}`")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"tasks: {', '.join(repeated)} listed twice")
    return names


def suite_tasks(suite: str) -> list[str]:
    """The tasks a suite file lists, checked against the registry."""
    _register_resolvers()
    path = CONFIG_DIR / "suite" / f"{suite}.yaml"
    return task_names(mapping_node(OmegaConf.load(path), str(path)))


def task_config(name: str, overrides: list[tuple[str, str | None]], run: DictConfig | None = None) -> TaskConfig:
    """The registered spec's TaskConfig with `tasks.<name>.<key>=value` overrides applied (values parse as YAML)
    and `~tasks.<name>.<key>` entries deleted. Interpolations resolve against the run's settings (`run`): the
    scale tasks cache their media under ${cache_dir}."""
    from omegaconf.errors import OmegaConfBaseException

    node = OmegaConf.structured(task_spec(name).task_config())
    for key, value in overrides:
        if key == "name":
            raise ConfigError(f"tasks.{name}.name: a task's name is fixed; choose another task with tasks=[...]")
        try:
            if value is None:
                _delete(node, key, name)
            else:
                node = OmegaConf.merge(node, OmegaConf.from_dotlist([f"{key}={value}"]))
        except OmegaConfBaseException as exc:
            raise ConfigError(omegaconf_error_line(exc, f"tasks.{name}")) from exc
    run_settings = [str(k) for k in run if k != "tasks"] if run is not None else []
    context = OmegaConf.masked_copy(run, run_settings) if run is not None else OmegaConf.create()
    context.task = node
    try:
        task = OmegaConf.to_object(context.task)
        assert isinstance(task, TaskConfig)  # a structured config's object is its dataclass
        return task
    except OmegaConfBaseException as exc:
        raise ConfigError(omegaconf_error_line(exc, f"tasks.{name}")) from exc


def _delete(node: DictConfig, key: str, task: str) -> None:
    parent_key, _, leaf = key.rpartition(".")
    parent = OmegaConf.select(node, parent_key) if parent_key else node
    if not isinstance(parent, DictConfig) or leaf not in parent or OmegaConf.get_type(parent) is not dict:
        raise ConfigError(f"~tasks.{task}.{key}: only an existing entry of a dict (options, scorer.options) can be "
                          "deleted")
    del parent[leaf]


def load_run_config(overrides: list[str]) -> RunConfig:
    split = _split(overrides)
    cfg = compose(split.hydra)
    names = task_names(cfg)
    outside = sorted(set(split.per_task) - set(names))
    if outside:
        raise ConfigError(f"tasks.{outside[0]}.*: {outside[0]!r} is not among this run's tasks ({', '.join(names)})")
    return validate(cfg, {name: task_config(name, split.per_task.get(name, []), cfg) for name in names})
