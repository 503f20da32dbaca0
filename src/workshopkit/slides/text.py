"""An author's slides: a Markdown text split into slides at each line of exactly ``---``.

Each slide may open with a heading (``#`` or ``##``), which becomes its title. The same
reading serves the decks and ``workshopkit check`` (codes WK336-WK339), so what an author sees
checked is what is projected:

- only a line of exactly ``---`` separates slides, and a blank line must stand above it
  (``---`` directly under text would make that text a heading);
- no slide is empty;
- a ``///`` block opens and closes inside one slide (its text becomes the slide's speaker notes
  in the facilitator deck);
- a slide that is too long to be read from the back of a room (see :func:`too_long`) is
  reported, since the deck would have to set it smaller or continue it on another slide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..blocks import BLOCK_MARKER as _MARKER
from ..blocks import cut_at_separators

_HEADING = re.compile(r"^ {0,3}(#{1,2})[ \t]+(.+?)[ \t#]*$")
#: Words that one slide holds at most in the type size of a projected deck.
MAX_WORDS = 60
#: Lines of text (paragraphs and list items) that one slide holds at most.
MAX_LINES = 8


@dataclass
class AuthorSlide:
    """One slide as written: its title (from an opening heading), its Markdown body and the
    (1-based) line of the text it starts on."""

    title: str
    body: str
    line: int


@dataclass
class Problem:
    line: int  # 1-based line of the text
    message: str
    hint: str
    code: str


@dataclass
class SlideText:
    slides: list[AuthorSlide] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _title(chunk: str) -> tuple[str, str]:
    lines = chunk.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return "", ""
    m = _HEADING.match(lines[first])
    if not m:
        return "", chunk.strip("\n")
    return m.group(2).strip(), "\n".join(lines[first + 1:]).strip("\n")


def split(text: str) -> SlideText:
    """``text`` read as slides, with every problem of the reading."""
    cut = cut_at_separators(text)
    parts = cut.parts  # each slide
    problems = [Problem(no, "'---' directly under a line of text makes that line a heading, not a break between "
                            "slides", "leave a blank line above '---'", "WK336") for no in cut.under_text]
    problems += [Problem(no, "a '///' block runs across a break between slides",
                         "close the block ('///') before the '---' that ends the slide", "WK338")
                 for no in cut.across]
    problems.sort(key=lambda p: p.line)
    out = SlideText(problems=problems)
    for start, body in parts:
        chunk = "\n".join(body)
        if not chunk.strip():
            problems.append(Problem(max(1, start - 1), "a slide with nothing on it: two '---' lines with nothing "
                                                       "between them, or '---' at the start or the end",
                                    "remove the extra '---'", "WK337"))
            continue
        title, rest = _title(chunk)
        first = start + next(i for i, line in enumerate(body) if line.strip())
        out.slides.append(AuthorSlide(title, rest, first))
    out.problems.sort(key=lambda p: p.line)
    return out


def _words(markdown: str) -> list[str]:
    """The words a slide shows (markup, link targets and private blocks' markers left out)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = "\n".join(line for line in text.split("\n") if not _MARKER.match(line))
    return re.findall(r"[^\s*_`#>|\-]+", text)


def too_long(slide: AuthorSlide, private: str = "") -> str:
    """Why ``slide`` is too long to be read from the back of a room, or '' (``private``: the text
    of its ``///`` blocks, which becomes speaker notes and is not counted)."""
    shown = slide.body.replace(private, "") if private else slide.body
    words = _words(shown)
    # A word of Korean (or another language without many spaces) counts by its length.
    weight = sum(max(1, len(w) // 4) if not w.isascii() else 1 for w in words)
    lines = [line for line in shown.split("\n") if line.strip() and not _MARKER.match(line)]
    if weight > MAX_WORDS:
        return f"about {weight} words"
    if len(lines) > MAX_LINES:
        return f"{len(lines)} lines"
    return ""


def private_lines(markdown: str) -> str:
    """The lines of ``markdown`` inside ``///`` blocks (markers left out)."""
    out: list[str] = []
    depth = 0
    for line in markdown.split("\n"):
        if _MARKER.match(line):
            depth = max(0, depth - 1) if line.strip() == "///" else depth + 1
            continue
        if depth:
            out.append(line)
    return "\n".join(out)


def slide_problems(text: str) -> list[Problem]:
    """Every problem of an author's slides, WK339 (too long) included."""
    read = split(text)
    found = list(read.problems)
    for s in read.slides:
        why = too_long(s, private_lines(s.body))
        if why:
            found.append(Problem(s.line, f"the slide '{s.title or s.body.strip().split(chr(10))[0][:40]}' holds {why}: "
                                         "too much to read from the back of a room",
                                 f"keep a slide to about {MAX_WORDS} words and {MAX_LINES} lines: one idea per "
                                 "slide; split it with '---'", "WK339"))
    return sorted(found, key=lambda p: p.line)
