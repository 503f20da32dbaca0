"""Diagnostics and the exceptions that carry them.

Every problem an editor can cause is a :class:`Diagnostic` with a file, a line, a column,
the key path inside the file, a hint and the code of the rule it breaks (``WK101``; see
:mod:`workshopkit.rules`). Code collects them; the CLI prints them all at once and exits
non-zero. Anything that is not a :class:`WorkshopkitError` is a bug in workshopkit.

Diagnostics quote what an author wrote, and an author may write anything: text meant for a
terminal goes through :func:`shown`, so escape sequences, control characters and bidirectional
overrides in the content are printed as visible escapes (``\\x1b``, ``\\u202e``) instead of
being acted on.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Characters a terminal acts on instead of showing, or that reorder what it shows: C0 controls
#: (but tab), DEL, C1 controls (8-bit CSI, OSC, NEL …), the Unicode line and paragraph
#: separators, and the bidirectional marks, embeddings, overrides and isolates.
_ACTED_ON = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\n{_ACTED_ON}]")
_UNSAFE_KEEP_LINES = re.compile(f"[{_ACTED_ON}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def shown(text: str, keep_lines: bool = False) -> str:
    """``text`` safe to print on a terminal: every character that a terminal would act on
    (or that would reorder the line) becomes a visible escape such as ``\\x1b`` or ``\\u202e``.
    Line breaks are escaped too, so a quoted value cannot start a line of its own, unless
    ``keep_lines`` is set for a message that is several lines by design."""
    pattern = _UNSAFE_KEEP_LINES if keep_lines else _UNSAFE
    return pattern.sub(_escape_char, text) if pattern.search(text) else text


def name_list(names: Iterable[str], limit: int = 8) -> str:
    """Names for a hint or message, comma-separated: at most ``limit`` of them, then how many
    more there are (a repository may hold thousands of ids)."""
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" … and {len(names) - limit} more"


def _github_data(text: str) -> str:
    """Text of a GitHub workflow command: a value cannot end the line or start a command."""
    return shown(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _github_property(text: str) -> str:
    """A property value (``file=…``): cannot end the value or add a property either."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the content, located as precisely as the loader knows.

    ``line`` 0 means the problem concerns the whole file (or folder), which has no line to
    show; ``col`` 0 means the line is known but not the column. ``code`` is the rule's code
    (see :mod:`workshopkit.rules`); a problem of a build step that no rule covers has none.
    """

    path: str
    line: int = 0
    col: int = 0
    key: str = ""
    message: str = ""
    hint: str = ""
    severity: str = "error"
    code: str = ""

    def where(self) -> str:
        """``path:line:col``, ``path:line`` without a column, ``path`` for the whole file."""
        if self.line <= 0:
            return self.path
        if self.col <= 0:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.col}"

    def format(self) -> str:
        """Render as ``path:line:col: key: message (hint) [CODE]``, safe to print on a terminal."""
        key = f" {self.key}:" if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        level = "" if self.severity == "error" else f" {self.severity}:"
        code = f" [{self.code}]" if self.code else ""
        return shown(f"{self.where()}:{level}{key} {self.message}{hint}{code}")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def github(self) -> str:
        """Render as a GitHub Actions workflow command (a CI annotation), the code at the end of
        the message as in the text format."""
        kind = "error" if self.severity == "error" else "warning"
        text = self.message + (f" ({self.hint})" if self.hint else "") + (f" [{self.code}]" if self.code else "")
        if self.key:
            text = f"{self.key}: {text}"
        props = f"file={_github_property(self.path)}"
        if self.line > 0:
            props += f",line={self.line}" + (f",col={self.col}" if self.col > 0 else "")
        return f"::{kind} {props}::{_github_data(text)}"


#: In JSON output these stay as ``\\uXXXX`` escapes (the same string to a JSON reader, inert on a
#: terminal); ``json.dumps`` escapes the C0 controls itself.
_JSON_UNSAFE = re.compile(f"[{_ACTED_ON}]")


def diagnostics_json(diags: list[Diagnostic]) -> str:
    text = json.dumps([d.as_dict() for d in diags], indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class WorkshopkitError(Exception):
    """A problem for the user to fix, reported without a traceback."""


@dataclass
class ContentError(WorkshopkitError):
    """The content has problems; ``diagnostics`` lists every one found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(d.format() for d in sorted(self.diagnostics))


class BuildError(WorkshopkitError):
    """A build step failed for a reason the user can act on.

    ``path`` names the file to change (with ``line`` and ``col`` where they are known), as a
    diagnostic does: ``mkdocs.yml:12:3: message (hint)``.
    """

    def __init__(self, message: str, path: str = "", line: int = 0, col: int = 0, hint: str = ""):
        super().__init__(message)
        self.message, self.path, self.line, self.col, self.hint = message, path, line, col, hint

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, "", self.message, self.hint)

    def __str__(self) -> str:
        text = self.message + (f" ({self.hint})" if self.hint else "")
        return f"{self.diagnostic.where()}: {text}" if self.path else text


def rel(path: Path | str, root: Path | None) -> str:
    """Show ``path`` relative to ``root`` when it lies inside it."""
    p = Path(path)
    if root is not None:
        # Without following symbolic links: a link is shown where it stands, not where it leads.
        base = Path(os.path.abspath(root.resolve()))
        for candidate in (Path(os.path.abspath(p)), p.resolve()):
            try:
                return candidate.relative_to(base).as_posix()
            except ValueError:
                continue
    return p.as_posix()
