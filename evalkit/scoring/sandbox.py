"""Running generated programs: one fresh process per program, in its own temporary folder, under resource limits,
without network, killed with its whole process group at the wall-clock limit.

Limits (set in the child with resource.setrlimit before it executes the toolchain): CPU seconds, address space
(per toolchain: the JVM, Node and Mono reserve far more virtual memory than they use, so theirs is larger), file
size, and no core files. Network: the child runs under `unshare --net` (a new network namespace holding only a
down loopback device) when this process may create one (root, or user namespaces allowed); otherwise programs
run WITH network, and every result says so in `network_isolated` (recorded per sample), never silently.

A toolchain is the language's compile step (if any) and run step, as MultiPL-E's evaluators invoke them
(nuprl/MultiPL-E evaluation/src/eval_<lang>.py): the status names follow theirs (OK, SyntaxError for a failed
compile, Exception, Timeout). A language whose executables are missing here is reported as unavailable, with the
missing executables named, before anything runs.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
OUTPUT_LIMIT = 4096  # bytes of stdout/stderr kept per program (for the record; tests pass by exit status)
JAVATUPLES = "/usr/share/java/javatuples.jar"  # Debian libjavatuples-java; MultiPL-E's Java tests use Pair etc.


@dataclass(frozen=True)
class Toolchain:
    """How one language's program is built and run. Commands are templates over {source} (the program file),
    {folder} (its private temporary folder) and {python} (this interpreter)."""

    language: str  # MultiPL-E's language code (py, cpp, java, ...)
    name: str  # shown to users and models
    file_name: str  # the program's file name inside its folder
    run: tuple[str, ...]
    build: tuple[str, ...] = ()
    memory_mib: int = 2048  # address-space limit
    parse_error_marker: str | None = None  # stdout text that marks a syntax error (PHP prints it there)
    failure_marker: str | None = None  # stderr text that marks a failed test although the exit status is 0
    env: tuple[tuple[str, str], ...] = ()  # extra environment of the run step

    def executables(self) -> list[str]:
        return [command[0] for command in (self.build, self.run) if command and not command[0].startswith("{")]


TOOLCHAINS: dict[str, Toolchain] = {t.language: t for t in (
    Toolchain("py", "Python", "program.py", ("{python}", "{source}")),
    Toolchain("js", "JavaScript", "program.js", ("node", "{source}"), memory_mib=16384),
    Toolchain("ts", "TypeScript", "program.ts", ("node", "{folder}/program.js"),
              build=("tsc", "--target", "esnext", "--lib", "esnext", "{source}"), memory_mib=16384),
    Toolchain("cpp", "C++", "program.cpp", ("{folder}/program.out",),
              build=("g++", "-std=c++17", "-o", "{folder}/program.out", "{source}")),
    Toolchain("java", "Java", "Problem.java", ("java", "-ea", "-cp", "{folder}:" + JAVATUPLES, "Problem"),
              build=("javac", "-encoding", "UTF8", "-cp", JAVATUPLES, "-d", "{folder}", "{source}"), memory_mib=16384),
    # Mono's Debug.Assert only reports a failure (and carries on, exit 0) when told to write to stderr
    Toolchain("cs", "C#", "Problem.cs", ("mono", "{folder}/Problem.exe"),
              build=("mcs", "-d:DEBUG", "-r:System.Numerics.dll", "-out:{folder}/Problem.exe", "{source}"),
              memory_mib=16384, failure_marker="System.Diagnostics.DefaultTraceListener.Fail",
              env=(("MONO_TRACE_LISTENER", "Console.Error"),)),
    Toolchain("php", "PHP", "program.php", ("php", "{source}"), parse_error_marker="PHP Parse error"),
    Toolchain("sh", "Bash", "program.sh", ("bash", "{source}")),
)}  # fmt: skip


@dataclass(frozen=True)
class Limits:
    wall_s: float = 15.0  # per step (build, run), as MultiPL-E's safe_subprocess
    cpu_s: int = 15
    file_mib: int = 64


@dataclass(frozen=True)
class Execution:
    """The outcome of one program. status: OK | SyntaxError | Exception | Timeout."""

    status: str
    exit_code: int | None
    stdout: str
    stderr: str
    network_isolated: bool

    @property
    def passed(self) -> bool:
        return self.status == "OK"


def missing_executables(language: str) -> list[str]:
    """The executables a language needs that this machine lacks ([] when it can run)."""
    if language not in TOOLCHAINS:
        raise KeyError(f"no toolchain for language {language!r}; known: {', '.join(TOOLCHAINS)}")
    return [name for name in TOOLCHAINS[language].executables() if shutil.which(name) is None]


@functools.cache
def network_isolation() -> tuple[str, ...]:
    """The command prefix that runs a program without network, or () where none can be had here."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True)
    return (unshare, "--net") if probe.returncode == 0 else ()


def _limit(limits: Limits, memory_mib: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib * MiB, memory_mib * MiB))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mib * MiB, limits.file_mib * MiB))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _step(command: list[str], folder: Path, limits: Limits, toolchain: Toolchain) -> tuple[int | None, str, str]:
    """Run one command in `folder`; (exit code or None at the wall-clock limit, stdout, stderr). The whole
    process group is killed either way, so nothing a program forks outlives it."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "TMPDIR": str(folder),
           "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", **dict(toolchain.env)}  # fmt: skip
    process = subprocess.Popen([*network_isolation(), *command], cwd=folder, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=_limit(limits, toolchain.memory_mib))  # fmt: skip
    try:
        out, err = process.communicate(timeout=limits.wall_s)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        code = None
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if code is None:
        out, err = process.communicate()
    return code, out[:OUTPUT_LIMIT].decode("utf-8", "replace"), err[:OUTPUT_LIMIT].decode("utf-8", "replace")


def execute(language: str, program: str, limits: Limits = Limits()) -> Execution:
    """Build (if the language compiles) and run `program`; passing means exit status 0 within the limits."""
    toolchain = TOOLCHAINS[language]
    isolated = bool(network_isolation())
    with tempfile.TemporaryDirectory(prefix="evalkit-exec-") as tmp:
        folder = Path(tmp)
        source = folder / toolchain.file_name
        source.write_text(program, encoding="utf-8")

        def command(template: tuple[str, ...]) -> list[str]:
            return [part.format(source=source, folder=folder, python=sys.executable) for part in template]

        if toolchain.build:
            code, out, err = _step(command(toolchain.build), folder, limits, toolchain)
            if code != 0:
                status = "Timeout" if code is None else "SyntaxError"
                return Execution(status, code, out, err, isolated)
        code, out, err = _step(command(toolchain.run), folder, limits, toolchain)
    if code is None:
        status = "Timeout"
    elif toolchain.parse_error_marker and toolchain.parse_error_marker in out:
        status = "SyntaxError"
    elif toolchain.failure_marker and toolchain.failure_marker in err:
        status = "Exception"
    else:
        status = "OK" if code == 0 else "Exception"
    return Execution(status, code, out, err, isolated)
