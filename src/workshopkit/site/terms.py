"""Glossary terms on the sites: one anchor per term, and the definition at a term's first use.

The glossary page gives every term a heading with a stable anchor (:func:`anchors`), so that the
table of contents lists the terms and search lands on the term itself. In the texts of a page,
the first use of each term becomes ``<abbr class="wk-term" title="definition" tabindex="0">``:
Material's ``content.tooltips`` shows the title on hover and on focus (a tap focuses it).

Terms are looked for in the Markdown an author wrote, only where the text is prose: never in
code, links, raw HTML, attribute lists, addresses, headings, the title lines of admonitions and
tabs, block markers, definitions of references, or a block indented as code. What cannot be told
apart from those is left alone: a term missed there is shown at its next use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .. import links
from ..audience import term_key
from ..model import GlossaryEntry

MASK = "\x02"


@dataclass(frozen=True)
class Term:
    """A glossary term as the site shows it: its anchor and its definition."""

    term: str
    definition: str
    anchor: str


def slug(text: str) -> str:
    """An anchor for ``text``: lower-case words joined by '-' (letters of any script kept)."""
    return re.sub(r"[\W_]+", "-", text.casefold()).strip("-") or "term"


def anchors(terms: Iterable[str]) -> dict[str, str]:
    """A distinct anchor for each term, in the order given ('consent', 'consent-2' …)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for term in terms:
        base = candidate = slug(term)
        n = 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        out[term] = candidate
    return out


def _body(term: str) -> str:
    """The words of a term (before any bracket) as a regular expression, any space between them."""
    return r"\s+".join(re.escape(w) for w in term_key(term).split())


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Terms:
    """The glossary terms of a site, with one expression that finds any of them: in any case, as
    whole words in alphabetic scripts and as part of a word in Korean, where particles attach to
    the noun (the rule the audience gate uses to tell which terms a text uses); at one place the
    longest term wins ('informed consent' before 'consent')."""

    by_key: dict[str, Term]  # by the folded words of the term
    pattern: re.Pattern[str] | None


def glossary_terms(entries: Sequence[GlossaryEntry]) -> Terms:
    """The terms of a glossary as a site looks for them (anchors as :func:`anchors` gives them)."""
    ids = anchors(e.term for e in entries)
    by_key: dict[str, Term] = {}
    for e in entries:
        key = _key(term_key(e.term))
        if key and key not in by_key:
            by_key[key] = Term(e.term, " ".join(e.definition.split()), ids[e.term])
    keys = sorted(by_key, key=lambda k: (-len(k), k))
    words = [_body(by_key[k].term) for k in keys if k.replace(" ", "").isascii()]
    joined = [_body(by_key[k].term) for k in keys if not k.replace(" ", "").isascii()]
    parts = ([r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])"] if words else []) + joined
    return Terms(by_key, re.compile("|".join(parts), re.IGNORECASE) if parts else None)


#: Lines that are not prose: headings, setext underlines, admonition/details/tab titles, audience
#: block markers, reference, footnote and abbreviation definitions, table delimiter rows, and
#: lines that start with HTML.
_NOT_PROSE_LINE = re.compile(
    r"^\s*(?:#{1,6}(?:\s|$)|[=-]+\s*$|!!!|\?\?\?|===|///|\[[^\]]*\]:|\*\[|<|\|?\s*:?-{3,})")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)\s*$")
_CODE_INDENT = re.compile(r"^(?: {4}|\t)(?!\s*(?:[-*+]|\d+[.)])\s)")
#: Inline constructs that are not prose: raw HTML elements that hold code or links, any tag,
#: attribute lists, addresses.
_NOT_PROSE_INLINE = re.compile(
    r"<(a|abbr|code|pre|kbd|samp|script|style|textarea)\b.*?</\1\s*>|<[^>\n]*>|\{[^}\n]*\}"
    r"|\b(?:https?|ftp|mailto|tel):\S+|\bwww\.\S+|\S+@\S+\.\w+",
    re.IGNORECASE | re.DOTALL)


_MASK_RUN = re.compile(MASK + "+")
_NOT_NEWLINE = re.compile(r"[^\n]")


def _not_prose(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of everything in ``text`` that is not prose (see the module)."""
    found: list[tuple[int, int]] = []
    pos = 0
    for base, chunk in links._chunks(text):  # outside fenced code, split at blank lines
        found.append((pos, base))
        pos = base + len(chunk)
        first = chunk.split("\n", 1)[0]
        if _CODE_INDENT.match(first) or first.lstrip().startswith("<"):
            found.append((base, pos))  # indented code, or an HTML block
            continue
        masked = links._mask_code_and_escapes(chunk)
        found += [(base + m.start(), base + m.end()) for m in _MASK_RUN.finditer(masked)]
        lines = chunk.split("\n")
        offset = base
        for i, line in enumerate(lines):
            below = lines[i + 1] if i + 1 < len(lines) else ""
            if _NOT_PROSE_LINE.match(line) or _SETEXT.match(below):
                found.append((offset, offset + len(line)))
            offset += len(line) + 1
    found.append((pos, len(text)))
    found += [(link.start, link.end) for link in links.find(text)]
    found += [(m.start(), m.end()) for m in _NOT_PROSE_INLINE.finditer(text)]
    return found


def prose(text: str) -> str:
    """``text`` with everything that is not prose replaced by :data:`MASK` (same length, line
    breaks kept), so that a term found in the result is prose in ``text``."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(r for r in _not_prose(text) if r[0] < r[1]):
        if end <= pos:
            continue
        start = max(start, pos)
        out += [text[pos:start], _NOT_NEWLINE.sub(MASK, text[start:end])]
        pos = end
    out.append(text[pos:])
    return "".join(out)


#: Characters of a definition written as entities inside the generated title attribute: HTML's
#: own, and Markdown's inline syntax (Python-Markdown reads code spans, escapes and links before it
#: sets raw HTML aside, and '|' would end a table cell).
_ATTRIBUTE_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"`\\[]*_{}|~^="}


def attribute(text: str) -> str:
    """``text`` as the value of a double-quoted attribute in Markdown."""
    return "".join(_ATTRIBUTE_ENTITIES.get(c, c) for c in text)


def annotate(text: str, terms: Terms, done: set[str]) -> str:
    """``text`` with the first prose use of each term whose anchor is not in ``done`` shown with
    its definition; the anchors of the terms shown are added to ``done``."""
    if not text or terms.pattern is None or len(done) == len(terms.by_key) or not terms.pattern.search(text):
        return text
    edits: list[tuple[int, int, str]] = []
    for m in terms.pattern.finditer(prose(text)):
        t = terms.by_key.get(_key(m.group()))
        if t is None or t.anchor in done:
            continue
        done.add(t.anchor)
        used = text[m.start():m.end()]
        edits.append((m.start(), m.end(),
                      f'<abbr class="wk-term" title="{attribute(t.definition)}" tabindex="0">{used}</abbr>'))
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    return text
