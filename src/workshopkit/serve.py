"""``workshopkit serve``: a live preview that never crashes on bad content.

A watchdog observer watches ``modules/``, ``curriculum/``, ``seeds/`` and ``mkdocs.yml``; each
save (debounced) runs :func:`regenerate`, which rewrites the generated docs folder only when the
content is valid. MkDocs' live-reload server watches that folder, rebuilds and reloads the
browser. On invalid content the diagnostics are printed and the previous generated pages stay as
they were, so the browser keeps showing the last good version.

The preview has a working folder of its own, ``<out>/.serve-<pid>-<audience>[-restricted]/``
(see :func:`gen_dir`), never the ``.gen`` folder of ``workshopkit build``: a build running at the
same time can never pick up preview pages (e.g. a facilitator preview with closed-door
sessions). The folder is removed when the preview stops; one left by a killed preview is swept
by the next build or preview once its process is gone.

The server answers a request whose path holds a control character (``/index.html%00.txt``)
with 400, and a path the file system refuses with 404, instead of a 500 with a traceback.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rich.console import Console

from . import atomic
from .build import BuildOptions, load_checked, site_pages, views_for
from .errors import ContentError, Diagnostic, WorkshopkitError
from .markdown import load_site_config
from .site.generate import participant_view

WATCHED_DIRS = ("modules", "curriculum", "seeds")
WATCHED_FILES = ("mkdocs.yml",)
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".kate-swp", ".part")
DEBOUNCE_SECONDS = 0.25
SHOWN_SUFFIXES = {".yml", ".yaml", ".md", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf"}


def gen_dir(out: Path, audience: str, include_restricted: bool = False) -> Path:
    """The working folder of this process's preview of one audience:
    ``<out>/.serve-<pid>-<audience>[-restricted]/`` (``build`` uses ``<out>/.gen/``, never this)."""
    suffix = "-restricted" if include_restricted else ""
    return out / f"{atomic.SERVE_PREFIX}{os.getpid()}-{audience}{suffix}"


def _claim(folder: Path) -> None:
    """Create the working folder, marked as workshopkit's and named after its owner process."""
    if not (folder / atomic.MARKER).is_file():
        atomic.mark(folder)
        (folder / ".owner").write_text(f"{os.getpid()} {atomic.process_start(os.getpid())}\n", encoding="ascii")


def regenerate(root: Path, audience: str, out: Path, *, include_restricted: bool = False,
               log: Callable[[str], None] | None = None) -> tuple[bool, list[Diagnostic]]:
    """Check the content and rewrite the preview's working folder (docs + mkdocs.yml).

    Returns ``(True, [])`` when the pages were regenerated, or ``(False, diagnostics)`` when the
    content (or the site configuration) has errors; then nothing is written, so the previously
    generated pages stay in place.
    """
    from .site.mkdocs_adapter import write_docs

    root = Path(root).resolve()
    out = Path(out).resolve()
    try:
        project, warnings = load_checked(root)
        config = load_site_config(root)
    except ContentError as exc:
        return False, sorted(exc.diagnostics)
    except WorkshopkitError as exc:  # e.g. mkdocs.yml is not valid YAML
        return False, [getattr(exc, "diagnostic", None) or Diagnostic("mkdocs.yml", 0, 0, "", str(exc))]
    opts = BuildOptions(root=root, out=out, audiences=(audience,), include_restricted=include_restricted,
                        site=True, pdf=False)
    views = views_for(project, opts)
    files, cfg = site_pages(views[audience], config, root, twin=participant_view(views))
    folder = gen_dir(out, audience, include_restricted)
    _claim(folder)
    writes = write_docs(files, folder, cfg)
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


def _bad_request_path(path: str) -> bool:
    """A request path (as WSGI gives it: percent-decoded, one character per byte) that holds a
    control character, e.g. ``%00``: no file of a site is named so."""
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in path)


def preview_server_class() -> Any:
    """MkDocs' live-reload server, answering malformed requests with 4xx and no traceback."""
    from mkdocs.livereload import LiveReloadServer

    log = logging.getLogger("mkdocs.livereload")

    class PreviewServer(LiveReloadServer):
        def serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if _bad_request_path(environ.get("PATH_INFO", "")):
                start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"400 Bad Request"]
            return super().serve_request(environ, start_response)

        def _serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
            try:
                return super()._serve_request(environ, start_response)
            except (OSError, ValueError):  # a name the file system refuses (too long, ...): not found
                return None

        def handle_error(self, request: Any, client_address: Any) -> None:
            import sys

            exc = sys.exc_info()[1]
            log.warning(f"request from {client_address[0]} failed: {type(exc).__name__}: {exc}")

    return PreviewServer


def _run_preview(config_file: Path, site_dir: Path, host: str, port: int) -> None:
    """``mkdocs serve`` on the generated folder, with :func:`preview_server_class` as its server
    and the built site inside the working folder (so a killed preview leaves nothing elsewhere).
    Returns on Ctrl+C."""
    from urllib.parse import urlsplit

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    log = logging.getLogger("mkdocs")

    def get_config() -> Any:
        return load_config(config_file=str(config_file), site_dir=str(site_dir), dev_addr=f"{host}:{port}")

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = "/" + urlsplit(config.site_url or "/").path.strip("/")
    mount_path = mount_path.rstrip("/") + "/"
    shown_host = f"[{host}]" if ":" in host else host
    serve_url = f"http://{shown_host}:{port}{mount_path}"
    config.site_url = serve_url

    def builder(cfg: Any = None) -> None:
        log.info("Building documentation...")
        if cfg is None:
            cfg = get_config()
            cfg.site_url = serve_url
        build(cfg, serve_url=serve_url)

    server = preview_server_class()(builder=builder, host=host, port=port, root=str(site_dir), mount_path=mount_path)

    def error_page(code: int) -> bytes | None:
        page = site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_page
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()


def serve(root: Path, audience: str = "participant", host: str = "127.0.0.1", port: int = 8000,
          out: Path | None = None, include_restricted: bool = False, console: Console | None = None) -> int:
    """Watch the content, regenerate on every save and run ``mkdocs serve`` on the result."""
    from .report import print_diagnostics

    root = root.resolve()
    out = (out or root / "build").resolve()
    work = gen_dir(out, audience, include_restricted)
    console = console or Console(emoji=False, highlight=False, soft_wrap=True)
    ready = threading.Event()
    stopping = threading.Event()
    lock = threading.Lock()

    def run(changed: list[str]) -> None:
        with lock:
            if stopping.is_set():
                return
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
            kept = "keeping the last good pages" if (work / "mkdocs.yml").is_file() else "nothing to show yet"
            console.print(f"[red]{errors} error(s)[/red]: {kept}; fix them and save again")

    def on_change(changed: list[str]) -> None:
        shown = [Path(c).relative_to(root).as_posix() for c in changed
                 if Path(c).suffix.lower() in SHOWN_SUFFIXES and Path(c).is_relative_to(root)]
        more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
        console.print(f"[dim]changed: {', '.join(shown[:3]) or 'files'}{more}[/dim]")
        run(changed)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # stop like Ctrl+C, so the server shuts down and the folder goes

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)
    watcher = None
    try:
        atomic.sweep_serve(out)
        run([])
        watcher = Watcher(root, on_change)
        watcher.start()
        while not ready.wait(0.5):
            pass
        _mkdocs_logging()
        console.print(f"[bold]workshopkit serve[/bold]: {audience} site from {root}; "
                      "edit modules/, curriculum/, seeds/ or mkdocs.yml and the browser reloads. Ctrl+C stops.")
        try:
            _run_preview(work / "mkdocs.yml", work / "site", host, port)
        except OSError as exc:  # e.g. the port is taken
            console.print(f"[red]error:[/red] cannot serve on {host}:{port}: {exc.strerror or exc}"
                          " (choose another port with --port)")
            return 1
    except KeyboardInterrupt:
        pass
    finally:
        stopping.set()
        if watcher is not None:
            watcher.stop()
        with lock:
            shutil.rmtree(work, ignore_errors=True)
    return 0
