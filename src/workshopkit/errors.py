"""Diagnostics and the exceptions that carry them.

Every problem an editor can cause is a :class:`Diagnostic` with a file, a line, a column,
the key path inside the file and a hint. Code collects them; the CLI prints them all at once
and exits non-zero. Anything that is not a :class:`WorkshopkitError` is a bug in workshopkit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the content, located as precisely as the loader knows."""

    path: str
    line: int = 0
    col: int = 0
    key: str = ""
    message: str = ""
    hint: str = ""
    severity: str = "error"
    code: str = ""

    def format(self) -> str:
        """Render as ``path:line:col: key: message (hint)``."""
        where = f"{self.path}:{self.line}:{self.col}"
        key = f" {self.key}:" if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        level = "" if self.severity == "error" else f" {self.severity}:"
        return f"{where}:{level}{key} {self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def github(self) -> str:
        """Render as a GitHub Actions workflow command (a CI annotation)."""
        kind = "error" if self.severity == "error" else "warning"
        text = self.message + (f" ({self.hint})" if self.hint else "")
        if self.key:
            text = f"{self.key}: {text}"
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{kind} file={self.path},line={max(self.line, 1)},col={max(self.col, 1)}::{text}"


def diagnostics_json(diags: list[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diags], indent=2, ensure_ascii=False)


class WorkshopkitError(Exception):
    """A problem for the user to fix, reported without a traceback."""


@dataclass
class ContentError(WorkshopkitError):
    """The content has problems; ``diagnostics`` lists every one found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(d.format() for d in sorted(self.diagnostics))


class BuildError(WorkshopkitError):
    """A build step failed for a reason the user can act on."""


def rel(path: Path | str, root: Path | None) -> str:
    """Show ``path`` relative to ``root`` when it lies inside it."""
    p = Path(path)
    if root is not None:
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return p.as_posix()
