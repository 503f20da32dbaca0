"""Printing diagnostics for people (grouped, coloured, with the offending line) and for tools.

Everything printed as text goes through :func:`~workshopkit.errors.shown`: the content's own
characters are shown, never acted on by the terminal.
"""

from __future__ import annotations

import os
import re
import stat
from itertools import groupby
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape

from .errors import Diagnostic, diagnostics_json, shown

#: Files larger than this have no line worth showing (and are refused by the loaders anyway).
_MAX_EXCERPT_FILE = 4 * 1024 * 1024
#: Around the column, at most this many characters of a long line are shown on each side.
_HALF_WINDOW = 60
#: YAML counts these as line breaks too (and so do the line numbers of its errors).
_YAML_BREAKS = re.compile("[\x85\u2028\u2029]")


def _source_line(root: Path, d: Diagnostic) -> str | None:
    """Line ``d.line`` of the file, split as the loaders split it (``\\n``; in YAML also NEL, LS, PS)."""
    path = root / d.path
    try:
        # Opened without blocking and looked at once open: a folder, a named pipe or a device
        # has no line to show (and must not stall the report).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= _MAX_EXCERPT_FILE:
            chunk = os.read(fd, _MAX_EXCERPT_FILE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(raw) > _MAX_EXCERPT_FILE:
        return None
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix in (".yml", ".yaml"):
        text = _YAML_BREAKS.sub("\n", text)
    lines = text.split("\n")
    return lines[d.line - 1] if d.line <= len(lines) else None


def excerpt(root: Path, d: Diagnostic) -> tuple[str, int] | None:
    """The offending line as it is safe to print, and the cell (0-based) the caret goes under.

    Characters a terminal would act on are shown escaped, and the caret stands under the
    escaped form; wide characters (Hangul, CJK) count as the two cells they take.
    """
    if d.line <= 0:
        return None
    line = _source_line(root, d)
    if line is None:
        return None
    line = line.expandtabs(1)  # one column per tab, as the loaders count them
    col = max(d.col, 1) - 1
    start, end = max(0, col - _HALF_WINDOW), col + _HALF_WINDOW
    before = ("…" if start else "") + shown(line[start:col])
    after = shown(line[col:end]) + ("…" if end < len(line) else "")
    return before + after, cell_len(before)


def print_diagnostics(diags: list[Diagnostic], root: Path, fmt: str = "text", console: Console | None = None) -> None:
    """Print diagnostics as ``text`` (grouped by file), ``json`` or ``github`` annotations.

    A text line reads ``path:line:col: key: message (hint) [CODE]``, with ``warning:`` before
    the key of a warning; ``workshopkit check --explain CODE`` says what a code means.
    """
    console = console or Console(emoji=False, stderr=False, highlight=False, soft_wrap=True)
    if fmt == "json":
        console.out(diagnostics_json(diags), highlight=False)
        return
    if fmt == "github":
        for d in diags:
            console.out(d.github(), highlight=False)
        return

    def safe(text: str) -> str:
        return escape(shown(text))

    for path, group in groupby(diags, key=lambda d: d.path):
        console.print(f"[bold]{safe(path)}[/bold]")
        for d in group:
            colour = "red" if d.severity == "error" else "yellow"
            key = f" [cyan]{safe(d.key)}[/cyan]:" if d.key else ""
            level = "" if d.severity == "error" else f" [{colour}]{d.severity}:[/{colour}]"
            hint = f" [dim]({safe(d.hint)})[/dim]" if d.hint else ""
            code = f" [bold]{safe(f'[{d.code}]')}[/bold]" if d.code else ""
            console.print(f"{safe(d.where())}:{level}{key} [{colour}]{safe(d.message)}[/{colour}]{hint}{code}")
            ex = excerpt(root, d)
            if ex:
                text, caret = ex
                console.print(f"  [dim]{d.line:>4} |[/dim] {escape(text)}")
                console.print(f"  [dim]     |[/dim] {' ' * caret}[{colour}]^[/{colour}]")
        console.print()
