"""The handlers of ``check``, ``schema``, ``build`` and ``clean`` (their arguments are declared in cli.py)."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path
from types import TracebackType

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from .check import check, summary
from .errors import ContentError, WorkshopkitError, shown
from .report import print_diagnostics


def project_root(args: argparse.Namespace) -> Path:
    """The project folder a command works on: its ``path`` argument, or the current folder."""
    return Path(args.path or ".").resolve()


def cmd_check(args: argparse.Namespace) -> int:
    if args.explain:
        return explain(args.explain)
    root = project_root(args)
    project, diags = check(root)
    if not any(d.severity == "error" for d in diags):  # events are checked against a valid curriculum
        from .kit.build import check_events

        diags = sorted(diags + check_events(root, project))
    errors = [d for d in diags if d.severity == "error"]
    listed = diags if not args.errors_only else errors
    console = Console(emoji=False, highlight=False, soft_wrap=True, no_color=args.format != "text" or None)
    print_diagnostics(listed, root, args.format, console)
    if args.format == "text":
        s = summary(project)
        warnings = len(diags) - len(errors)
        head = (f"{s['modules']} modules, {s['sessions']} sessions, {s['minutes']} minutes, "
                f"{s['handouts']} handouts, {s['items']} items, {s['workshops']} workshops")
        if errors:
            console.print(f"[red]{len(errors)} error(s)[/red], {warnings} warning(s) in {head}")
        else:
            console.print(f"[green]ok[/green]: {head}" + (f"; {warnings} warning(s)" if warnings else ""))
    failed = bool(errors) or (args.strict and bool(diags))
    return 1 if failed else 0


def explain(code: str) -> int:
    """Print what the code (or the name) of a rule means; see :mod:`workshopkit.rules`."""
    from . import rules

    found = rules.find(code)
    if found is None:
        raise WorkshopkitError(f"unknown code '{code}' ({rules.suggest(code)})")
    print(found.explain())
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import write_schemas

    out = Path(args.out).resolve() if args.out else None
    for path in write_schemas(out):
        print(path)
    return 0


class _Stopped(KeyboardInterrupt):
    """The build was asked to stop (Ctrl+C or SIGTERM); carries the signal's number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stop(signum: int, frame: object) -> None:
    """Stop the build: no swap from now on, and an exception that cleans up on its way out.

    A second Ctrl+C while the build cleans up is not an error: the clean-up is short (PDF
    workers that do not stop at once are killed), so further stop signals are let go.
    """
    from . import atomic

    atomic.request_stop()
    for sig in _STOP_SIGNALS:
        signal.signal(sig, lambda _signum, _frame: None)
    raise _Stopped(signum)


class ConsoleProgress:
    """A build's progress on the console.

    On a terminal: a live display, gone when the build ends, with the current step and a bar
    with counts for each long stage ("PDFs 23/60"). Otherwise (a pipe, a log file, CI, a dumb
    terminal): one plain line per step, no counts, no control sequences.
    """

    def __init__(self, console: Console):
        self.console = console
        self.live: Live | None = None
        self.tasks: dict[str, TaskID] = {}
        self.steps = Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console)
        self.bars = Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=console)
        self.step = self.steps.add_task("building", total=None)
        if console.is_interactive:  # a terminal that can redraw (not TERM=dumb)
            self.live = Live(Group(self.steps, self.bars), console=console, transient=True, refresh_per_second=8)

    def __enter__(self) -> ConsoleProgress:
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.live is not None:
            self.live.stop()

    def __call__(self, message: str) -> None:
        if self.live is None:
            self.console.print(escape(message))
        else:
            self.steps.update(self.step, description=escape(message))

    def stage(self, name: str, total: int) -> None:
        self.tasks[name] = self.bars.add_task(escape(name), total=total)

    def advance(self, name: str, n: int = 1) -> None:
        if name in self.tasks:
            self.bars.advance(self.tasks[name], n)


def cmd_build(args: argparse.Namespace) -> int:
    """Build; Ctrl+C or SIGTERM stops it with one line and exit code 128 + the signal's number
    (130 for Ctrl+C), leaving the previous build as it was."""
    from . import atomic
    from .build import BuildOptions, run_build

    root = project_root(args)
    audiences = ("participant", "facilitator") if args.audience == "all" else (args.audience,)
    want_site, want_pdf = args.site or not args.pdf, args.pdf or not args.site
    opts = BuildOptions(root=root, out=Path(os.path.abspath(args.out)) if args.out else None, audiences=audiences,
                        include_restricted=args.include_restricted, site=want_site, pdf=want_pdf,
                        zip=args.zip, only=args.only, paper=args.paper, workers=args.workers,
                        languages=None if getattr(args, "language", "all") == "all" else (args.language,))
    console = Console(emoji=False, highlight=False, stderr=True, soft_wrap=True)
    atomic.clear_stop()
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS} if main_thread else {}
    for sig, handler in previous.items():
        if handler is not signal.SIG_IGN:  # a signal ignored by whoever started us stays ignored
            signal.signal(sig, _stop)
    try:
        with ConsoleProgress(console) as progress:
            report = run_build(opts, progress)
    except ContentError as exc:
        print_diagnostics(sorted(exc.diagnostics), root, "text", Console(emoji=False, highlight=False, soft_wrap=True))
        console.print(f"[red]{len(exc.diagnostics)} error(s); nothing was built and the previous build is unchanged.[/red]")
        return 1
    except _Stopped as exc:
        console.print("build stopped after the new build was swapped in" if atomic.swapped()
                      else "build stopped; the previous build is unchanged")
        return 128 + exc.signum
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for target in report.outputs:
        console.print(f"[green]built[/green] {escape(shown(str(target)))}")
    if report.pdf_rendered or report.pdf_cached:
        console.print(f"PDFs: {len(report.pdf_rendered)} rendered, {len(report.pdf_cached)} unchanged")
    if report.warnings:
        console.print(f"[yellow]{report.warnings} warning(s)[/yellow]: run 'workshopkit check' to see them")
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {escape(shown(note))}")
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    from .build import clean

    root = project_root(args)
    out = Path(os.path.abspath(args.out)) if args.out else root / "build"  # a link is judged, not followed
    removed = clean(out)
    console = Console(emoji=False, highlight=False, stderr=True, soft_wrap=True)
    console.print(f"removed {out}" if removed else f"nothing to remove: {out} does not exist")
    return 0
