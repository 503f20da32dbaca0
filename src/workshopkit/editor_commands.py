"""The editors' sub-commands: ``new``, ``serve`` and ``stats`` (registered from commands.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console


def _root(value: str | None) -> Path:
    return Path(value or ".").resolve()


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import new_module, new_workshop

    root = _root(args.path)
    if args.kind == "module":
        created = new_module(root, args.id, args.title)
        nxt = (f"edit modules/{args.id}/module.yml, then run `workshopkit check` "
               f"or `workshopkit serve` to preview it")
    else:
        created = new_workshop(root, args.id, args.title, modules=args.module or None)
        nxt = f"edit curriculum/{args.id}.yml, then run `workshopkit check` or `workshopkit build --only {args.id}`"
    console = Console(emoji=False, highlight=False, soft_wrap=True)
    for path in created.relative():
        console.print(f"[green]created[/green] {path}")
    console.print(f"Next: {nxt}.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(_root(args.path), audience=args.audience, host=args.host, port=args.port,
                 out=Path(args.out).resolve() if args.out else None, include_restricted=args.include_restricted)


def cmd_stats(args: argparse.Namespace) -> int:
    from .check import check
    from .stats import collect, print_stats

    root = _root(args.path)
    project, diags = check(root)
    data = collect(project)
    errors = sum(1 for d in diags if d.severity == "error")
    if args.format == "json":
        data["errors"] = errors
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    console = Console(emoji=False, highlight=False)
    if not console.is_terminal:
        console = Console(emoji=False, highlight=False, width=200)
    print_stats(data, console)
    if errors:
        console.print(f"[yellow]{errors} error(s) in the content: files that failed to load are not counted "
                      "(run workshopkit check)[/yellow]")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("new", help="create a valid skeleton of a module or a workshop")
    kinds = p.add_subparsers(dest="kind", required=True)
    m = kinds.add_parser("module", help="create modules/ID/ with module.yml, a session text and a handout")
    m.add_argument("id", help="module id: lower-case letters, digits and '-'")
    m.add_argument("--title", help="module title (default: from the id)")
    m.add_argument("--path", help="repository folder (default: the current folder)")
    m.set_defaults(func=cmd_new)
    w = kinds.add_parser("workshop", help="create curriculum/ID.yml with an agenda of existing modules")
    w.add_argument("id", help="workshop id: lower-case letters, digits and '-'")
    w.add_argument("--title", help="workshop title (default: from the id)")
    w.add_argument("--module", action="append", metavar="MODULE",
                   help="a module to put on the agenda (repeatable; default: the first module)")
    w.add_argument("--path", help="repository folder (default: the current folder)")
    w.set_defaults(func=cmd_new)

    p = sub.add_parser("serve", help="live preview: regenerate pages on every save and reload the browser")
    p.add_argument("path", nargs="?", help="repository folder (default: the current folder)")
    p.add_argument("--audience", choices=["participant", "facilitator"], default="participant")
    p.add_argument("--port", type=int, default=8000, help="port of the preview server (default: 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--out", help="output folder (default: <path>/build); the preview works in "
                                 "<out>/.serve-<pid>-<audience>/, removed when it stops")
    p.add_argument("--include-restricted", action="store_true",
                   help="show closed-door material in the facilitator preview")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("stats", help="minutes, sessions, items, words and last change per module; time per workshop day")
    p.add_argument("path", nargs="?", help="repository folder (default: the current folder)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_stats)
