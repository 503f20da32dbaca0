"""The handlers of the editors' sub-commands ``new``, ``serve`` and ``stats`` (their arguments are declared in cli.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console

from .commands import project_root


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import new_module, new_workshop

    root = project_root(args)
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

    return serve(project_root(args), audience=args.audience, host=args.host, port=args.port,
                 out=Path(args.out).resolve() if args.out else None, include_restricted=args.include_restricted)


def cmd_stats(args: argparse.Namespace) -> int:
    from .check import check
    from .stats import collect, print_stats

    root = project_root(args)
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
        console.print(f"[yellow]{errors} error(s) in the content: what failed to load is not counted "
                      "(run workshopkit check)[/yellow]")
    return 0
