"""The handlers of ``workshopkit event new | check | build | results``."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..commands import project_root
from ..errors import ContentError, shown
from ..report import print_diagnostics


def cmd_event(args: argparse.Namespace) -> int:
    from .build import build_event, check_event, new_event

    root = project_root(args)
    out = Console(emoji=False, highlight=False, soft_wrap=True)
    if args.action == "new":
        for path in new_event(root, args.event, args.workshop):
            out.print(f"[green]created[/green] {escape(shown(path.relative_to(root).as_posix()))}")
        out.print(f"Next: fill in events/{args.event}/roster.csv (one row per participant) and event.yml, "
                  f"then run `workshopkit event build {args.event}`.")
        return 0
    if args.action == "check":
        _, diags = check_event(root, args.event)
        print_diagnostics(sorted(diags), root, "text", out)
        errors = sum(d.severity == "error" for d in diags)
        out.print(f"[red]{errors} error(s)[/red]" if errors else "[green]ok[/green]")
        return 1 if errors else 0
    if args.action == "results":
        return _results(args, root, out)
    try:
        report = build_event(root, args.event, args.paper)
    except ContentError as exc:
        print_diagnostics(sorted(exc.diagnostics), root, "text", out)
        out.print(f"[red]{len(exc.diagnostics)} error(s); nothing was built and the previous kit is unchanged.[/red]")
        return 1
    print_diagnostics(sorted(report.warnings), root, "text", out)
    for name in report.files:
        out.print(f"[green]built[/green] {escape(shown((report.folder / name).relative_to(root).as_posix()))}")
    out.print(f"{report.people} people on the roster, {report.certificates} certificate(s)")
    return 0


def _results(args: argparse.Namespace, root: Path, out: Console) -> int:
    from .report import BadAnswers, build_results, signed

    try:
        report = build_results(root, args.event, args.skip_bad, args.paper)
    except ContentError as exc:
        print_diagnostics(sorted(exc.diagnostics), root, "text", out)
        hint = " (or leave the bad rows out with --skip-bad)" if isinstance(exc, BadAnswers) and exc.rows_only else ""
        out.print(f"[red]{len(exc.diagnostics)} error(s); nothing was written and the previous results are "
                  f"unchanged[/red]{escape(hint)}")
        return 1
    print_diagnostics(sorted(report.warnings + report.skipped), root, "text", out)
    for name in report.files:
        out.print(f"[green]built[/green] {escape(shown((report.folder / name).relative_to(root).as_posix()))}")
    k = report.knowledge
    if k is not None:
        out.print(f"knowledge test: {len(k.pairs)} matched pair(s), {k.unmatched} participant(s) could not be matched"
                  + (f"; mean gain {signed(k.mean_gain)}, median gain {signed(k.median_gain)} (of {k.max_score})"
                     if k.pairs else ""))
    if report.evaluation is not None:
        out.print(f"evaluation: {report.evaluation.forms} form(s)")
    if report.skipped:
        rows = report.answers.bad_rows
        out.print(f"[yellow]skipped {rows} bad row(s) (--skip-bad); the report leaves them out[/yellow]")
    return 0
