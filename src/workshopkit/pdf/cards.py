"""Cut-out material: a handout's text read as instructions and cards.

A handout with a print format (``print: {layout: cards | role-cards | pocket}``) is split into
cards at each line that holds only ``---``; the text before the first such line is the
instructions. The same reading serves the print layout and ``workshopkit check`` (which reports
what would make it ambiguous), so what an author sees checked is what prints.

Rules of the reading, each checked:

- only a line of exactly ``---`` (no indentation, nothing else) separates cards; another way of
  writing a rule (``***``, ``___``, ``----``, ``- - -``) in a card text is an error, since a
  reader cannot tell which of them cut;
- ``---`` directly under a line of text would make that line a heading (a Setext heading), so a
  blank line must stand above it;
- no card is empty; a ``///`` block opens and closes inside one card (or inside the instructions);
- on numbered cards (layout ``cards``), a card that opens with a bold label ending in a number
  (``**Card 3.**``) carries its own position as that number, and the answer key named by
  ``print.key`` lists the same numbers in the first column of its table.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from ..blocks import cut_at_separators

#: A bold label opening a card and ending in its number: ``**Card 3.**``, ``**카드 3.**``, ``**Card 3**:``.
LABEL = re.compile(r"^\*\*([^*\n]*?(\d+))[.:]?\*\*[.:]?[ \t]*")
#: A row of a Markdown table whose first cell is a number (an answer key's card number).
_KEY_ROW = re.compile(r"^\s*\|?\s*(\d+)\s*\|")


@dataclass
class Card:
    """One card: its Markdown, where it starts in the text (1-based line), its number on the
    sheet and the label it opens with (``Card 3``), if any."""

    text: str
    line: int
    number: int
    label: str = ""
    label_number: int | None = None

    @property
    def body(self) -> str:
        """The card's text without its opening number label (the layout prints the label)."""
        return LABEL.sub("", self.text.lstrip("\n"), count=1) if self.label else self.text


@dataclass
class Problem:
    """Something that makes a card text ambiguous: where (1-based line of the text), what, and
    the code it is reported under."""

    line: int
    message: str
    hint: str
    code: str


@dataclass
class CardText:
    """A card handout's text, read: the instructions and the cards."""

    intro: str
    cards: list[Card] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _label(text: str) -> tuple[str, int | None]:
    m = LABEL.match(text.lstrip("\n"))
    return (m.group(1).strip(), int(m.group(2))) if m else ("", None)


def split(text: str) -> CardText:
    """``text`` read as instructions and cards, with every problem of the reading."""
    lines = text.split("\n")
    cut = cut_at_separators(text)
    parts = cut.parts  # the instructions, then each card
    problems = [Problem(no, "'---' directly under a line of text makes that line a heading, not a break between "
                            "cards", "leave a blank line above '---'", "WK330") for no in cut.under_text]
    problems += [Problem(no, "a '///' block runs across a break between cards",
                         "close the block ('///') before the '---' that ends the card", "WK333") for no in cut.across]
    problems += [Problem(no, f"'{rule}' does not separate cards: only a line of exactly '---' does",
                         "write '---' alone on the line (no spaces), or remove the rule", "WK331")
                 for no, rule in cut.other_rules]
    problems.sort(key=lambda p: p.line)
    intro_start, intro_lines = parts[0]
    cards: list[Card] = []
    for start, body in parts[1:]:
        chunk = "\n".join(body).strip("\n")
        if not chunk.strip():
            problems.append(Problem(start - 1, "a card with no text: two '---' lines with nothing between them, or "
                                               "'---' at the end", "remove the extra '---'", "WK332"))
            continue
        first = start + next(i for i, line in enumerate(body) if line.strip())
        label, number = _label(chunk)
        cards.append(Card(chunk, first, len(cards) + 1, label, number))
    if len(parts) == 1 and text.strip():  # no break at all: the whole text is one card
        label, number = _label(text.strip("\n"))
        first = 1 + next(i for i, line in enumerate(lines) if line.strip())
        return CardText("", [Card(text.strip("\n"), first, 1, label, number)], problems)
    return CardText("\n".join(intro_lines).strip("\n"), cards, problems)


def numbering_problems(cards: list[Card]) -> list[Problem]:
    """Numbered cards whose label says another number than their place on the sheet."""
    return [Problem(c.line, f"card {c.number} is labelled '{c.label}'",
                    "number the cards 1, 2, 3 … in the order they are written: the printed card number is the "
                    "card's place", "WK334")
            for c in cards if c.label_number is not None and c.label_number != c.number]


def key_numbers(text: str) -> list[tuple[int, int]]:
    """The card numbers an answer key lists: (number, 1-based line) of each row of its tables
    whose first cell is a number."""
    out = []
    for no, line in enumerate(text.split("\n"), start=1):
        m = _KEY_ROW.match(line)
        if m and "|" in line:
            out.append((int(m.group(1)), no))
    return out


def key_problems(cards: list[Card], key_text: str) -> list[Problem]:
    """Where the answer key's numbers differ from the cards' (lines of the key's text)."""
    listed = key_numbers(key_text)
    wanted = [c.number for c in cards]
    if not listed:
        return [Problem(1, "the answer key has no table whose first column numbers the cards",
                        "write a table with the card number in the first column", "WK335")]
    out = []
    seen: set[int] = set()
    for number, line in listed:
        if number not in wanted:
            out.append(Problem(line, f"the answer key lists card {number}, but the set has {len(wanted)} card(s)",
                               "number the key's rows as the cards are numbered (1 to the last card)", "WK335"))
        elif number in seen:
            out.append(Problem(line, f"the answer key lists card {number} twice", "keep one row per card", "WK335"))
        seen.add(number)
    missing = [n for n in wanted if n not in seen]
    if missing:
        out.append(Problem(listed[-1][1], f"the answer key has no row for card {missing[0]}"
                                          + (f" (nor {len(missing) - 1} more)" if len(missing) > 1 else ""),
                           "add a row for every card", "WK335"))
    return out


def _text_of(project: Any, module: str, file: str) -> Any:
    """The text a handout's ``file`` holds, as the loader read it (a ``TextRef``), or None."""
    wanted = posixpath.normpath(f"modules/{module}/{file}")
    found = [t for t in project.texts if not t.plain and posixpath.normpath(t.file) == wanted]
    return found[-1] if found else None


def card_problems(project: Any) -> list[tuple[str, int, str, Problem]]:
    """Every problem of the card handouts of a loaded project: (file, line, key, problem)."""
    out: list[tuple[str, int, str, Problem]] = []
    for m in project.modules:
        for h in m.handouts:
            if h.print is None or not h.file:
                continue
            ref = _text_of(project, m.id, h.file)
            if ref is None:
                continue
            read = split(ref.text)
            found = list(read.problems)
            if h.print.layout == "cards":
                found += numbering_problems(read.cards)
            out += [(ref.file, ref.line + p.line - 1, ref.key, p) for p in found]
            if h.print.layout != "cards" or not h.print.key:
                continue
            key = m.handout(h.print.key)
            key_ref = _text_of(project, m.id, key.file) if key is not None and key.file else None
            if key_ref is None:
                path, line, _ = project.where(h, ("print", "key"))
                known = [x.id for x in m.handouts if x.id != h.id]
                out.append((path, line, project.key(h, ("print", "key")),
                            Problem(line, f"the answer key '{h.print.key}' is not a handout of this module with a text",
                                    f"name one of: {', '.join(known)}" if known else "add the answer key as a handout",
                                    "WK335")))
                continue
            out += [(key_ref.file, key_ref.line + p.line - 1, key_ref.key, p) for p in key_problems(read.cards, key_ref.text)]
    return out
