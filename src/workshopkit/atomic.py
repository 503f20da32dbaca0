"""Output written atomically: build beside the target, swap in only when everything succeeded.

``rename`` onto a non-empty folder fails, so a swap is two renames: the old tree moves aside,
the new one moves in, then the old one is deleted. Every folder workshopkit writes carries a
marker file; a folder without it is never replaced or deleted (it is not ours).

One build at a time writes into an output folder: :func:`build_lock` holds an exclusive
``flock`` on a lock file inside it for the whole build. A second build does not wait: it stops
at once with "another build is running (pid N)" and a non-zero exit, because a build queued
behind another would only redo the same work, and a script or an editor must not hang on it.
The kernel releases the lock when its process ends, however it ends (SIGKILL included).
Because only the lock holder makes the temporary trees of a build, whatever such trees the
lock holder finds are left over from a build that was killed, and :func:`sweep` removes them.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from .errors import BuildError

MARKER = ".workshopkit-output"
#: The lock file of an output folder (it holds the pid of the build that has the lock).
LOCK = ".workshopkit-lock"
#: The working folders of ``workshopkit serve``: ``.serve-<pid>-<audience>[-restricted]``.
SERVE_PREFIX = ".serve-"
#: Where a swap moves old trees aside: beside their targets, in the output folder and in ``site/``.
SWAP_PARENTS = ("", "site")
#: Temporary files named ``.<name>.<pid>.tmp`` or ``.<name>.<pid>.tmp.pdf`` (PDF cache, print assets).
_TMP_FILE = re.compile(r"^\..+\.(\d+)\.tmp(\.pdf)?$")
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
_stop_requested = False
_swapped = False  # a swap completed since the last clear_stop()


def request_stop() -> None:
    """Record that the build was asked to stop: it must not swap anything in from now on.

    A signal handler raises an exception too, but Python drops exceptions raised while a
    finaliser runs, so the swap also checks this flag.
    """
    global _stop_requested
    _stop_requested = True


def clear_stop() -> None:
    """Forget an earlier stop request and swap (a new build starts in the same process)."""
    global _stop_requested, _swapped
    _stop_requested = _swapped = False


def swapped() -> bool:
    """Whether a swap completed since :func:`clear_stop`: a stop signal deferred during the swap
    arrives once the new build is in place."""
    return _swapped


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


# --------------------------------------------------------------------------------------------
# Processes


def process_start(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from /proc), or "" if unknown.

    A pid and its start time name a process for good: the pid alone may be reused.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()  # field 22 of the line; the list starts at field 3
    except (OSError, IndexError):
        return ""


def pid_alive(pid: int, started: str = "") -> bool:
    """Whether process ``pid`` runs (and, when ``started`` is known, is the one that started then)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return True
    if started:
        now = process_start(pid)
        return not now or now == started
    return True


# --------------------------------------------------------------------------------------------
# Ownership


def mark(folder: Path, key: str = "") -> None:
    """Mark ``folder`` as workshopkit's; ``key`` (a digest of what it was made from) lets the
    next build reuse the folder when nothing it depends on changed (see :func:`marked_key`)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "Built by workshopkit; replaced on every build.\n" + (f"key: {key}\n" if key else "")
    # Replaced, never written in place: the marker of a reused folder is a link to the live one.
    tmp = folder / f"{MARKER}.{os.getpid()}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def marked_key(folder: Path) -> str:
    """The key a folder was marked with ('' when it has none, or is not workshopkit's)."""
    if not is_marked(folder):
        return ""
    try:
        with open(folder / MARKER, encoding="utf-8") as f:
            text = f.read(4096)
    except (OSError, UnicodeDecodeError):
        return ""
    return next((line[5:].strip() for line in text.splitlines() if line.startswith("key: ")), "")


def is_marked(folder: Path) -> bool:
    """A real folder (not a symbolic link) holding the marker as a regular file."""
    try:
        return stat.S_ISDIR(os.lstat(folder).st_mode) and stat.S_ISREG(os.lstat(folder / MARKER).st_mode)
    except OSError:
        return False


def check_owned(target: Path) -> None:
    if (target.exists() or target.is_symlink()) and not is_marked(target):
        raise BuildError(f"{target} exists but was not made by workshopkit (no {MARKER} file); "
                         "move it away or choose another output folder")


# --------------------------------------------------------------------------------------------
# The build lock and the sweep


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block; fail at once if another build has it.

    The lock file is opened without following a symbolic link and is not inherited by child
    processes (PDF workers), so the lock ends with this process.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BuildError(f"{path} is a symbolic link; remove it") from None
        raise
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise BuildError(f"another build is running (pid {holder}); wait for it or stop it") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _pid_of(name: str) -> int | None:
    """The pid in ``.staging-<pid>-…``, ``.old-<pid>-…`` or ``.serve-<pid>-…``."""
    try:
        return int(name.split("-")[1])
    except (IndexError, ValueError):
        return None


def serve_owner(folder: Path) -> tuple[int, str] | None:
    """The process (pid, start time) that owns a serve working folder, or None."""
    pid = _pid_of(folder.name)
    if pid is None:
        return None
    try:
        started = (folder / ".owner").read_text(encoding="ascii").split()[1]
    except (OSError, IndexError, UnicodeDecodeError):
        started = ""
    return pid, started


def _remove(path: Path) -> None:
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        pass


def sweep_serve(out: Path) -> None:
    """Remove the working folders of ``serve`` processes that are gone (killed, or a crash)."""
    with contextlib.suppress(OSError):
        for entry in out.iterdir():
            if entry.name.startswith(SERVE_PREFIX) and is_marked(entry):
                owner = serve_owner(entry)
                if owner is not None and owner[0] != os.getpid() and not pid_alive(*owner):
                    _remove(entry)


def sweep(out: Path) -> None:
    """Remove what killed builds left in ``out``: staging trees, old trees moved aside by a
    swap (in ``out`` and ``out/site``), temporary files of the PDF cache and the print assets,
    and the working folders of ``serve`` processes that are gone.

    Call it holding :func:`build_lock`: only a build holding the lock makes these, so every one
    found is a leftover (whatever process now has its pid).
    """
    if not out.is_dir() or out.is_symlink():
        return
    for parent in SWAP_PARENTS:
        folder = out / parent if parent else out
        if folder.is_symlink() or not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.name.startswith((".staging-", ".old-")) and _pid_of(entry.name) is not None:
                _remove(entry)
    cache = out / ".cache"
    if cache.is_dir() and not cache.is_symlink():
        for dirpath, _dirnames, filenames in os.walk(cache):  # os.walk does not follow links
            for name in filenames:
                if _TMP_FILE.match(name):
                    _remove(Path(dirpath) / name)
    sweep_serve(out)


def staging(out: Path) -> Path:
    """A fresh, marked temporary folder inside ``out`` (same filesystem, so renames are atomic).

    Sweeps leftovers first: call it holding :func:`build_lock`.
    """
    out.mkdir(parents=True, exist_ok=True)
    sweep(out)
    folder = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=out))
    mark(folder)
    return folder


# --------------------------------------------------------------------------------------------
# The swap


def swap_in(pairs: list[tuple[Path, Path]]) -> None:
    """Move each new tree onto its target; the old targets are deleted only at the end.

    If a rename fails (a read-only or full file system), the renames done so far are undone,
    so the previous build stays whole.
    """
    global _swapped
    for _, target in pairs:
        check_owned(target)
    olds: list[tuple[Path, Path]] = []  # (moved-aside old tree, its target)
    done: list[tuple[Path, Path]] = []  # (new tree, its target), swapped in
    with _signals_deferred():
        if _stop_requested:
            raise BuildError("the build was interrupted; the previous build is unchanged")
        try:
            for new, target in pairs:
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    old = target.parent / f".old-{os.getpid()}-{target.name}-{os.urandom(4).hex()}"
                    os.rename(target, old)
                    olds.append((old, target))
                os.rename(new, target)
                done.append((new, target))
        except BaseException:
            for new, target in reversed(done):
                with contextlib.suppress(OSError):
                    os.rename(target, new)
            for old, target in reversed(olds):
                with contextlib.suppress(OSError):
                    os.rename(old, target)
            raise
        _swapped = True
        for old, _ in olds:
            shutil.rmtree(old, ignore_errors=True)


def discard(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
