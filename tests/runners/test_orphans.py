"""Engine processes end with evalkit: a watcher ends them once evalkit dies, even by kill -9; a normal close
stops the watcher first, and a process whose pid was reused is never hit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil

from evalkit.runners import orphans

PARENT = textwrap.dedent("""
    import json, subprocess, sys, time
    import psutil
    from evalkit.runners import orphans
    children = [subprocess.Popen(["sleep", "600"]) for _ in range(2)]
    watcher = orphans.watch(orphans.descendants())
    if sys.argv[1] == "close":
        orphans.stop(watcher)
    print(json.dumps([c.pid for c in children]), flush=True)
    time.sleep(600)
""")


def start_parent(mode: str) -> tuple[subprocess.Popen, list[int]]:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, mode], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    return parent, json.loads(parent.stdout.readline())


def alive(pids: list[int]) -> list[int]:
    return [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


def wait_until_gone(pids: list[int], seconds: float = 15.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)


def test_a_kill_9_of_the_parent_ends_the_watched_processes():
    parent, children = start_parent("watch")
    assert alive(children) == children
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert wait_until_gone(children) == []


def test_after_a_normal_close_the_watcher_is_gone_and_touches_nothing():
    parent, children = start_parent("close")
    try:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        time.sleep(2 * orphans.POLL_S + 0.5)
        assert alive(children) == children  # nobody watched them any more
    finally:
        for pid in alive(children):
            os.kill(pid, signal.SIGKILL)
        wait_until_gone(children)


def test_a_pid_with_another_start_time_is_not_ours():
    me = psutil.Process()
    assert orphans._still_ours(me.pid, me.create_time()) is not None
    assert orphans._still_ours(me.pid, me.create_time() - 1.0) is None
