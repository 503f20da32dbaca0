"""Output written atomically: build beside the target, swap in only when everything succeeded.

``rename`` onto a non-empty folder fails, so a swap is two renames: the old tree moves aside,
the new one moves in, then the old one is deleted. Every output folder carries a marker file;
a folder without it is never replaced or deleted (it is not ours).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from .errors import BuildError

MARKER = ".workshopkit-output"
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
_stop_requested = False


def request_stop() -> None:
    """Record that the build was asked to stop: it must not swap anything in from now on.

    A signal handler raises an exception too, but Python drops exceptions raised while a
    finaliser runs, so the swap also checks this flag.
    """
    global _stop_requested
    _stop_requested = True


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGTERM and SIGINT until the block ends: a swap is done whole, never half.

    The handlers are replaced rather than the signals masked: a mask holds only in the thread
    that set it, and the kernel may hand the signal to another thread (e.g. a progress display).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
    for sig in _STOP_SIGNALS:
        signal.signal(sig, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            signal.raise_signal(received[0])


def sweep(folder: Path) -> None:
    """Remove temporary trees left by builds that were killed (their process is gone)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        name = entry.name
        if not (name.startswith(".staging-") or ".old-" in name):
            continue
        try:
            pid = int(name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid == os.getpid() or not _pid_alive(pid):
            shutil.rmtree(entry, ignore_errors=True)


def staging(out: Path) -> Path:
    """A fresh temporary folder inside ``out`` (same filesystem, so renames are atomic)."""
    out.mkdir(parents=True, exist_ok=True)
    sweep(out)
    return Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=out))


def mark(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("Built by workshopkit; replaced on every build.\n", encoding="utf-8")


def check_owned(target: Path) -> None:
    if target.exists() and not (target / MARKER).exists():
        raise BuildError(f"{target} exists but was not made by workshopkit (no {MARKER} file); "
                         "move it away or choose another output folder")


def swap_in(pairs: list[tuple[Path, Path]]) -> None:
    """Move each new tree onto its target; the old targets are deleted only at the end."""
    for _, target in pairs:
        check_owned(target)
    olds: list[Path] = []
    with _signals_deferred():
        if _stop_requested:
            raise BuildError("the build was interrupted; the previous build is unchanged")
        for new, target in pairs:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                old = target.parent / f".old-{os.getpid()}-{target.name}-{os.urandom(4).hex()}"
                os.rename(target, old)
                olds.append(old)
            os.rename(new, target)
        for old in olds:
            shutil.rmtree(old, ignore_errors=True)


def discard(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
