"""Engine processes that must not outlive evalkit.

vLLM's EngineCore waits on its sockets without watching the process that started it, so a `kill -9` of evalkit
left it running, holding the GPU's memory, until someone found it. `watch(processes)` starts a watcher process
that waits for its parent (evalkit) to go and then ends them (SIGTERM, SIGKILL after a grace period). Each is
named by pid and start time, so a pid the system has since given to another process is never hit. A normal
close stops the watcher first.

    python -m evalkit.runners.orphans EVALKIT_PID PID:START_TIME ...     (what `watch` starts)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil

POLL_S = 0.5
GRACE_S = 5.0


def descendants() -> list[psutil.Process]:
    """This process's children and theirs (vLLM's EngineCore and its workers)."""
    return psutil.Process().children(recursive=True)


def watch(processes: list[psutil.Process]) -> subprocess.Popen | None:
    """A watcher ending `processes` once this process dies; None when there is nothing to watch."""
    named = [f"{p.pid}:{p.create_time()!r}" for p in processes if p.is_running()]
    if not named:
        return None
    return subprocess.Popen([sys.executable, "-m", "evalkit.runners.orphans", str(os.getpid()), *named],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, close_fds=True)


def stop(watcher: subprocess.Popen | None) -> None:
    if watcher is not None and watcher.poll() is None:
        watcher.kill()
        watcher.wait()


def _still_ours(pid: int, started: float) -> psutil.Process | None:
    try:
        process = psutil.Process(pid)
        return process if process.create_time() == started else None
    except psutil.Error:
        return None


def _main(argv: list[str]) -> None:
    parent, named = int(argv[0]), [item.split(":", 1) for item in argv[1:]]
    while os.getppid() == parent:  # evalkit's death hands this process to another parent (also before we looked)
        time.sleep(POLL_S)
    survivors = [p for p in (_still_ours(int(pid), float(started)) for pid, started in named) if p is not None]
    for process in survivors:
        try:
            process.terminate()
        except psutil.Error:
            continue
    _, alive = psutil.wait_procs(survivors, timeout=GRACE_S)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            continue


if __name__ == "__main__":
    _main(sys.argv[1:])
