"""Relative links and images in Markdown, independent of where the text was written.

Authors link relative to the file they write in (``handouts/case.md`` from module.yml,
``../handouts/case.md`` from ``sessions/s1.md``). The loader rewrites every relative target to
``repo:<path from the repository root>`` so that publishers, which place pages elsewhere, can
map a target to their own page or asset with :func:`rewrite`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import Path

PREFIX = "repo:"
_LINK = re.compile(r"(!?\[[^\]]*\]\(\s*<?)([^)\s>]+)(>?(?:\s+\"[^\"]*\")?\s*\))")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def _outside_code(text: str, fn: Callable[[str], str]) -> str:
    out, fence = [], None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append(line)
        elif fence is not None:
            out.append(line)
        else:
            parts = re.split(r"(`[^`]*`)", line)
            out.append("".join(p if p.startswith("`") else fn(p) for p in parts))
    return "\n".join(out)


def _is_relative(target: str) -> bool:
    return not (re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith(("#", "/")))


def normalise(text: str, base: Path, root: Path) -> str:
    """Rewrite relative link targets in ``text`` (written in folder ``base``) to ``repo:`` form."""

    def fix(segment: str) -> str:
        def sub(m: re.Match[str]) -> str:
            target = m.group(2)
            if not _is_relative(target):
                return m.group(0)
            path, _, anchor = target.partition("#")
            full = (base / path).resolve()
            try:
                repo = full.relative_to(root.resolve()).as_posix()
            except ValueError:
                return m.group(0)
            return m.group(1) + PREFIX + repo + ("#" + anchor if anchor else "") + m.group(3)

        return _LINK.sub(sub, segment)

    return _outside_code(text, fix)


def rewrite(text: str, resolve: Callable[[str, str], str | None]) -> str:
    """Map each ``repo:`` target with ``resolve(repo_path, anchor)``; ``None`` unlinks it."""

    def fix(segment: str) -> str:
        def sub(m: re.Match[str]) -> str:
            target = m.group(2)
            if not target.startswith(PREFIX):
                return m.group(0)
            path, _, anchor = target[len(PREFIX):].partition("#")
            new = resolve(path, anchor)
            if new is None:
                label = re.match(r"!?\[([^\]]*)\]", m.group(1))
                return label.group(1) if label else ""
            return m.group(1) + new + m.group(3)

        return _LINK.sub(sub, segment)

    return _outside_code(text, fix)


def relative(target: str, page: str) -> str:
    """A path from the page ``page`` (docs-relative) to ``target`` (docs-relative)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def repo_targets(text: str) -> list[str]:
    found: list[str] = []

    def collect(segment: str) -> str:
        for m in _LINK.finditer(segment):
            if m.group(2).startswith(PREFIX):
                found.append(m.group(2)[len(PREFIX):].partition("#")[0])
        return segment

    _outside_code(text, collect)
    return found
