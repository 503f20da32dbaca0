"""Printing diagnostics for people (grouped, coloured, with the offending line) and for tools."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from .errors import Diagnostic, diagnostics_json


def _excerpt(root: Path, d: Diagnostic) -> tuple[str, int] | None:
    if d.line <= 0:
        return None
    try:
        lines = (root / d.path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    if d.line > len(lines):
        return None
    return lines[d.line - 1].expandtabs(1), max(d.col, 1)


def print_diagnostics(diags: list[Diagnostic], root: Path, fmt: str = "text", console: Console | None = None) -> None:
    """Print diagnostics as ``text`` (grouped by file), ``json`` or ``github`` annotations."""
    console = console or Console(emoji=False, stderr=False, highlight=False, soft_wrap=True)
    if fmt == "json":
        console.out(diagnostics_json(diags), highlight=False)
        return
    if fmt == "github":
        for d in diags:
            console.out(d.github(), highlight=False)
        return
    for path, group in groupby(diags, key=lambda d: d.path):
        console.print(f"[bold]{escape(path)}[/bold]")
        for d in group:
            colour = "red" if d.severity == "error" else "yellow"
            key = f" [cyan]{escape(d.key)}[/cyan]:" if d.key else ""
            level = "" if d.severity == "error" else f" [{colour}]{d.severity}:[/{colour}]"
            hint = f" [dim]({escape(d.hint)})[/dim]" if d.hint else ""
            console.print(f"{escape(path)}:{d.line}:{d.col}:{level}{key} [{colour}]{escape(d.message)}[/{colour}]{hint}")
            ex = _excerpt(root, d)
            if ex:
                text, col = ex
                console.print(f"  [dim]{d.line:>4} |[/dim] {escape(text)}")
                console.print(f"  [dim]     |[/dim] {' ' * (col - 1)}[{colour}]^[/{colour}]")
        console.print()
