"""``workshopkit serve``: a live preview that never crashes on bad content.

A watchdog observer watches ``modules/``, ``curriculum/``, ``seeds/`` and ``mkdocs.yml``; each
save (debounced) runs :func:`regenerate`, which rewrites the generated docs folder
``build/.gen/<audience>/`` only when the content is valid. Stock ``mkdocs serve`` watches that
folder and reloads the browser. On invalid content the diagnostics are printed and the previous
generated pages stay as they were, so the browser keeps showing the last good version.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from .build import BuildOptions, load_checked, views_for
from .errors import ContentError, Diagnostic, WorkshopkitError
from .markdown import load_site_config
from .strings import load_strings

WATCHED_DIRS = ("modules", "curriculum", "seeds")
WATCHED_FILES = ("mkdocs.yml",)
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".kate-swp", ".part")
DEBOUNCE_SECONDS = 0.25
SHOWN_SUFFIXES = {".yml", ".yaml", ".md", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf"}


def gen_dir(out: Path, audience: str) -> Path:
    """The generated folder of one audience: ``<out>/.gen/<audience>/`` (as ``workshopkit build``)."""
    return out / ".gen" / audience


def regenerate(root: Path, audience: str, out: Path, *, include_restricted: bool = False,
               log: Callable[[str], None] | None = None) -> tuple[bool, list[Diagnostic]]:
    """Check the content and rewrite ``<out>/.gen/<audience>/`` (docs + mkdocs.yml).

    Returns ``(True, [])`` when the pages were regenerated, or ``(False, diagnostics)`` when the
    content (or the site configuration) has errors; then nothing is written, so the previously
    generated pages stay in place.
    """
    from .site.generate import SiteGenerator
    from .site.mkdocs_adapter import derive_config, write_docs

    root = Path(root).resolve()
    out = Path(out).resolve()
    try:
        project, warnings = load_checked(root)
        config = load_site_config(root)
    except ContentError as exc:
        return False, sorted(exc.diagnostics)
    except WorkshopkitError as exc:  # e.g. mkdocs.yml is not valid YAML
        return False, [Diagnostic("mkdocs.yml", 0, 0, "", str(exc))]
    opts = BuildOptions(root=root, out=out, audiences=(audience,), include_restricted=include_restricted,
                        site=True, pdf=False)
    view = views_for(project, opts)[audience]
    strings = load_strings("en")
    guide = None
    if audience == "facilitator":
        from .guide import editor_guide

        guide = editor_guide()
    files = SiteGenerator(view, config, root, strings, editor_guide=guide).generate()
    suffix = strings["facilitator_edition"] if audience == "facilitator" else strings["participant_manual"]
    cfg = derive_config(config, files, audience, suffix)
    writes = write_docs(files, gen_dir(out, audience), cfg)
    if log:
        note = f", {warnings} warning(s) (run workshopkit check)" if warnings else ""
        log(f"{len(files.pages)} pages, {writes} file(s) updated{note}")
    return True, []


def is_watched(path: str | Path, root: Path) -> bool:
    """Whether a changed file should trigger a regeneration."""
    p = Path(path)
    name = p.name
    if name.startswith((".#", "#")) or name.endswith(IGNORED_SUFFIXES) or name.startswith(".") and name != ".":
        return False
    try:
        rel = p.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    parts = rel.parts
    if not parts:
        return False
    if len(parts) == 1:
        return parts[0] in WATCHED_FILES or parts[0] in WATCHED_DIRS
    return parts[0] in WATCHED_DIRS


class Watcher:
    """Debounced file watcher: calls ``on_change`` once after a burst of saves settles."""

    def __init__(self, root: Path, on_change: Callable[[list[str]], None], debounce: float = DEBOUNCE_SECONDS):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.root = root.resolve()
        self.on_change = on_change
        self.debounce = debounce
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # type: ignore[no-untyped-def]
                if event.event_type in ("opened", "closed_no_write"):
                    return
                if event.is_directory and event.event_type == "modified":
                    return  # a file inside changed; that file has its own event
                if event.is_directory and event.event_type in ("created", "moved"):
                    watcher._watch_new(Path(getattr(event, "dest_path", "") or event.src_path), created=True)
                for attr in ("src_path", "dest_path"):
                    path = getattr(event, attr, "")
                    if path and is_watched(path, watcher.root):
                        watcher._touch(str(path))

        self.observer = Observer()
        self._handler = Handler()
        self._watched: set[str] = set()
        for name in WATCHED_DIRS:
            self._watch_new(self.root / name)
        self.observer.schedule(self._handler, str(self.root), recursive=False)  # mkdocs.yml, new folders

    def _watch_new(self, folder: Path, created: bool = False) -> None:
        """Watch a top-level content folder (also one created while serving)."""
        if folder.parent == self.root and folder.name in WATCHED_DIRS and folder.name not in self._watched \
                and folder.is_dir():
            self._watched.add(folder.name)
            self.observer.schedule(self._handler, str(folder), recursive=True)
            if created:
                # Files saved into the new folder before its watch began are changes too.
                for path in folder.rglob("*"):
                    if path.is_file() and is_watched(path, self.root):
                        self._touch(str(path))

    def _touch(self, path: str) -> None:
        with self._lock:
            self._pending.add(path)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            changed = sorted(self._pending)
            self._pending.clear()
            self._timer = None
        self.on_change(changed)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self.observer.stop()
        self.observer.join(timeout=5)


def _mkdocs_logging() -> None:
    """Show what ``mkdocs serve`` says (the address, rebuilds) the way its own CLI does."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_workshopkit", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._workshopkit = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def serve(root: Path, audience: str = "participant", host: str = "127.0.0.1", port: int = 8000,
          out: Path | None = None, include_restricted: bool = False, console: Console | None = None) -> int:
    """Watch the content, regenerate on every save and run ``mkdocs serve`` on the result."""
    from .report import print_diagnostics

    root = root.resolve()
    out = (out or root / "build").resolve()
    console = console or Console(emoji=False, highlight=False, soft_wrap=True)
    ready = threading.Event()
    lock = threading.Lock()

    def run(changed: list[str]) -> None:
        with lock:
            t0 = time.perf_counter()
            try:
                ok, diags = regenerate(root, audience, out, include_restricted=include_restricted,
                                       log=lambda msg: console.print(f"[green]regenerated[/green] {msg}"
                                                                     f" in {time.perf_counter() - t0:.2f}s"))
            except Exception as exc:  # a bug must not stop the preview  # noqa: BLE001
                console.print(f"[red]internal error while regenerating:[/red] {type(exc).__name__}: {exc}")
                return
            if ok:
                ready.set()
                return
            print_diagnostics(diags, root, "text", console)
            errors = sum(1 for d in diags if d.severity == "error")
            kept = "keeping the last good pages" if (gen_dir(out, audience) / "mkdocs.yml").is_file() else \
                "nothing to show yet"
            console.print(f"[red]{errors} error(s)[/red]: {kept}; fix them and save again")

    def on_change(changed: list[str]) -> None:
        shown = [Path(c).relative_to(root).as_posix() for c in changed
                 if Path(c).suffix.lower() in SHOWN_SUFFIXES and Path(c).is_relative_to(root)]
        more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
        console.print(f"[dim]changed: {', '.join(shown[:3]) or 'files'}{more}[/dim]")
        run(changed)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # stop like Ctrl+C, so mkdocs removes its temporary site

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)
    run([])
    if not ready.is_set() and (gen_dir(out, audience) / "mkdocs.yml").is_file():
        console.print("[yellow]serving the pages of the last good build until the errors are fixed[/yellow]")
        ready.set()
    watcher = Watcher(root, on_change)
    watcher.start()
    try:
        while not ready.wait(0.5):
            pass
        from mkdocs.commands.serve import serve as mkdocs_serve

        _mkdocs_logging()
        console.print(f"[bold]workshopkit serve[/bold]: {audience} site from {root}; "
                      "edit modules/, curriculum/, seeds/ or mkdocs.yml and the browser reloads. Ctrl+C stops.")
        mkdocs_serve(config_file=str(gen_dir(out, audience) / "mkdocs.yml"), livereload=True,
                     dev_addr=f"{host}:{port}")
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # e.g. the port is taken
        console.print(f"[red]error:[/red] cannot serve on {host}:{port}: {exc.strerror or exc}"
                      " (choose another port with --port)")
        return 1
    finally:
        watcher.stop()
    return 0
