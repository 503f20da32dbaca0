"""The ``workshopkit`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from . import __version__
from .check import check, summary
from .errors import WorkshopkitError, shown
from .report import print_diagnostics


def _root(value: str | None) -> Path:
    return Path(value or ".").resolve()


def cmd_check(args: argparse.Namespace) -> int:
    root = _root(args.path)
    project, diags = check(root)
    errors = [d for d in diags if d.severity == "error"]
    shown = diags if not args.errors_only else errors
    console = Console(emoji=False, highlight=False, soft_wrap=True, no_color=args.format != "text" or None)
    print_diagnostics(shown, root, args.format, console)
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


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import write_schemas

    out = Path(args.out).resolve() if args.out else None
    for path in write_schemas(out):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workshopkit", description="Training modules in YAML + Markdown → sites and PDFs.")
    parser.add_argument("--version", action="version", version=f"workshopkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate modules, workshops and sources; print every problem")
    p.add_argument("path", nargs="?", help="repository folder (default: the current folder)")
    p.add_argument("--format", choices=["text", "json", "github"], default="text")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument("--errors-only", action="store_true", help="do not show warnings")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("schema", help="write the JSON Schemas of the content files")
    p.add_argument("--out", help="folder to write into (default: the package's schema folder)")
    p.set_defaults(func=cmd_schema)

    from .commands import register

    register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except WorkshopkitError as exc:
        # The message may quote content, a file name or an argument: shown as text, never as
        # terminal escapes or console markup.
        Console(emoji=False, stderr=True, highlight=False, soft_wrap=True).print("[red]error:[/red] "
                                                                                 f"{escape(shown(str(exc), keep_lines=True))}")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
