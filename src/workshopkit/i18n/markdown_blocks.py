"""A Markdown text as translatable blocks: headings, paragraphs, list items and table rows.

The text is read by markdown-it (a CommonMark tokenizer), so a block is what a Markdown reader
sees, not what a regular expression guesses. Lines that open or close a ``///`` block stay
outside every message: a translator can neither remove nor add a visibility boundary. Code is
never a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

#: A line that opens or closes a ``///`` block (visibility and other blocks).
MARKER = re.compile(r"^\s*///")


@dataclass(frozen=True)
class Block:
    """One message of a Markdown text: lines ``start`` to ``end`` (0-based, end excluded)."""

    start: int
    end: int
    text: str  # what the translator sees: the block without its list, quote or heading marks
    prefix: str  # what stands before the text on its first line ('- ', '## ', '> ')
    indent: str  # what stands before the text on each further line
    kind: str  # 'heading', 'paragraph' or 'row'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _segments(lines: list[str]) -> Iterator[tuple[int, int]]:
    """The runs of lines between ``///`` marker lines."""
    start = 0
    for i, line in enumerate(lines):
        if MARKER.match(line):
            if i > start:
                yield start, i
            start = i + 1
    if start < len(lines):
        yield start, len(lines)


def _prefix(line: str, content: str) -> str:
    at = line.find(content) if content else -1
    return line[:at] if at >= 0 else re.match(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|>\s?|#+\s+)*", line).group(0)  # type: ignore[union-attr]


def blocks(text: str) -> list[Block]:
    """The translatable blocks of ``text``, in order."""
    lines = text.split("\n")
    found: list[Block] = []
    for seg_start, seg_end in _segments(lines):
        tokens = _parser().parse("\n".join(lines[seg_start:seg_end]))
        for i, tok in enumerate(tokens):
            if tok.map is None:
                continue
            start, end = tok.map[0] + seg_start, tok.map[1] + seg_start
            if tok.type in ("paragraph_open", "heading_open") and i + 1 < len(tokens):
                content = tokens[i + 1].content
                if not content.strip():
                    continue
                parts = content.split("\n")
                prefix = _prefix(lines[start], parts[0])
                if end - start > 1 and len(parts) > 1:
                    indent = _prefix(lines[start + 1], parts[1])
                else:
                    indent = re.sub(r"[^\s>]", " ", prefix)
                found.append(Block(start, end, content, prefix, indent,
                                   "heading" if tok.type == "heading_open" else "paragraph"))
            elif tok.type == "tr_open":
                line = lines[start]
                stripped = line.strip()
                if stripped and not re.fullmatch(r"[|:\-\s]+", stripped):
                    found.append(Block(start, start + 1, stripped, line[: len(line) - len(line.lstrip())], "", "row"))
    return found


def rebuild(text: str, translate: Callable[[Block], str]) -> str:
    """``text`` with each block replaced by ``translate(block)`` (which may return the block's own
    text); every other line (markers, blank lines, code, table rules) is kept as written."""
    lines = text.split("\n")
    out: list[str] = []
    at = 0
    for block in blocks(text):
        out.extend(lines[at:block.start])
        new = translate(block)
        if new == block.text:
            out.extend(lines[block.start:block.end])
        else:
            # A heading or a table row is one line whatever the translation's line breaks.
            parts = new.split("\n") if block.kind == "paragraph" else [" ".join(new.split())]
            out.append(block.prefix + parts[0])
            out.extend(block.indent + part for part in parts[1:])
        at = block.end
    out.extend(lines[at:])
    return "\n".join(out)
