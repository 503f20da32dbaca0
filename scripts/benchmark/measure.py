"""Measuring one stage: wall time, CPU time and peak memory, in a process of its own.

:func:`run_child` starts ``python -m benchmark --child <spec>`` (with ``scripts/`` and ``src/``
on the Python path and a fixed ``SOURCE_DATE_EPOCH``) and reads back the result line the child
prints; in the child, :func:`measure` times the stage and :class:`WorkerWatch` samples the peak
memory of the PDF render workers.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import BenchError

RESULT_MARK = "WORKSHOPKIT-BENCH-RESULT "
FIXED_EPOCH = "1767225600"  # 2026-01-01: print documents carry a date; keep it fixed across runs
#: The folder that holds this package (``scripts/``) and the repository's ``src/``.
SCRIPTS = Path(__file__).resolve().parents[1]
SRC = SCRIPTS.parent / "src"


def _snapshot() -> tuple[float, Any, Any]:
    return (time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN))


def _cpu(r: Any) -> float:
    return float(r.ru_utime + r.ru_stime)


def _descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux /proc)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        kids: list[int] = []
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                kids += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
        out += kids
        todo += kids
    return out


class WorkerWatch:
    """Samples the peak RSS (VmHWM) of this process's PDF worker processes while a stage runs.

    ``ru_maxrss`` of RUSAGE_CHILDREN is not the worker's own peak: a child started with fork +
    exec keeps the parent's RSS at the fork as its maximum. VmHWM belongs to the worker's own
    address space; sampled every ``interval`` seconds, the last value seen of each worker is its
    peak up to at most that long before it exited.
    """

    def __init__(self, interval: float = 0.1):
        import threading

        self.interval = interval
        self.peaks: dict[int, int] = {}  # pid -> VmHWM in KiB
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerWatch:
        if Path("/proc/self/task").is_dir():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        for pid in _descendants(os.getpid()):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"spawn_main" not in cmd and b"forkserver" not in cmd:
                    continue  # not a pool worker (fc-list, the resource tracker, mkdocs …)
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]))
            except (OSError, ValueError):
                continue


def measure(fn: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    """Run ``fn`` and return its wall time, CPU time and peak memory (plus what it returns)."""
    import gc

    gc.collect()
    with WorkerWatch() as watch:
        w0, s0, c0 = _snapshot()
        extra = fn() or {}
        w1, s1, c1 = _snapshot()
    workers = sorted(watch.peaks.values())
    return {
        # PDF render workers seen (a pool replaces its workers every few documents) and the
        # largest peak RSS of one of them
        "workers_seen": len(workers),
        "worker_peak_mb": workers[-1] / 1024 if workers else 0.0,
        "worker_peaks_mb": [round(k / 1024, 1) for k in workers],
        "wall": w1 - w0,
        "cpu_self": _cpu(s1) - _cpu(s0),
        "cpu_children": _cpu(c1) - _cpu(c0),
        "cpu": (_cpu(s1) - _cpu(s0)) + (_cpu(c1) - _cpu(c0)),
        # ru_maxrss is in KiB on Linux; it is the peak of the whole process (prerequisites too)
        "rss_mb": s1.ru_maxrss / 1024,
        "rss_before_mb": s0.ru_maxrss / 1024,
        # the largest child waited for in this process's life (a forked child counts the parent's
        # RSS at the fork; see WorkerWatch for the render workers' own peaks)
        "rss_children_mb": c1.ru_maxrss / 1024,
        **extra,
    }


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = FIXED_EPOCH
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    env.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    path = [str(SCRIPTS), str(SRC)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(path)
    return env


def run_child(spec: dict[str, Any], timeout: float = 7200) -> dict[str, Any]:
    """Run the stage ``spec`` describes in a new Python process and return its measurement."""
    cmd = [sys.executable, "-m", "benchmark", "--child", json.dumps(spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_child_env(), timeout=timeout, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result: dict[str, Any] = json.loads(line[len(RESULT_MARK):])
            return result
    raise BenchError(f"stage {spec['stage']} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
