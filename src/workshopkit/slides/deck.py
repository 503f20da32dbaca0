"""A deck: the slides of a workshop's sessions, made from one audience view.

Every slide is one page of a 16:9 deck and must be read from the back of a room: body text is
set at :data:`BODY_PT` and a slide holds what fits at that size (measured with the metrics of the
deck's font); what does not fit continues on the next slide (a list item or a paragraph is never
cut, a very long paragraph is split between sentences), and only a single block too long for a
slide of its own is set smaller, never below :data:`MIN_PT`. Images get a slide of their own.

What a slide shows comes only from fields participants may read, with the ``///`` blocks gated
out at participant level (whatever the view); a facilitator view adds speaker notes (the
facilitator fields and the blocks' text), and a participant view has none to add.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html
from markupsafe import Markup, escape

from .. import blocks
from ..agenda import AgendaDay, Row
from ..audience import View, WorkshopView
from ..model import Activity, Module, Session
from ..pdf.html import text_width_mm
from ..strings import Strings
from ..visibility import Audience
from . import text as author_text

# --- geometry: 13.333 × 7.5 in, the size of a 16:9 slide in PowerPoint and Impress -------------
PAGE_W_MM = 338.667
PAGE_H_MM = 190.5
SIDE_MM = 22.0
BODY_W_MM = PAGE_W_MM - 2 * SIDE_MM
#: Height left to the body under a one-line title (the template keeps the same measures).
BODY_H_MM = 118.0
TITLE_PT = 36.0
TITLE_LINE_MM = TITLE_PT * 1.15 * 25.4 / 72
BODY_PT = 28.0
SIZES = (28.0, 24.0, 20.0)  # body sizes, the first preferred; CSS classes "", "dense", "denser"
MIN_PT = SIZES[-1]
LINE_HEIGHT = 1.25
PARA_GAP = 0.35  # space after a paragraph or list item, in lines
INDENT_MM = 11.0  # per level of a list
#: Room kept for the difference between the estimate and the layout (word wrap, bold, kerning).
SLACK = 1.12


def _lines(text: str, pt: float, width: float, bold: bool = False) -> int:
    if not text.strip():
        return 0
    w = text_width_mm(text, pt) * SLACK * (1.06 if bold else 1.0)
    return max(1, math.ceil(w / width))


#: Type sizes of a key message (a slide of its own): large, smaller only when it is long.
MESSAGE_SIZES = (("", 40.0), ("dense", 32.0), ("denser", 28.0))


def message_size(text: str) -> str:
    """The size class of a key message: the largest at which it fits its slide."""
    for cls, pt in MESSAGE_SIZES:
        if _lines(text, pt, BODY_W_MM, bold=True) * pt * 1.2 * 25.4 / 72 <= BODY_H_MM - 24:
            return cls
    return MESSAGE_SIZES[-1][0]


def title_lines(title: str) -> int:
    return _lines(title, TITLE_PT, BODY_W_MM, bold=True)


@dataclass
class Unit:
    """A piece of a slide's body that is never cut: a paragraph, a list item, a heading, a table
    row; ``wrap`` is the list it belongs to ('ul' or 'ol', with the item's number)."""

    html: str
    text: str
    depth: int = 0  # list nesting
    wrap: str = ""
    number: int = 0
    heading: bool = False
    figure: tuple[str, str] | None = None  # (image URI, alt text): a slide of its own

    def height(self, pt: float) -> float:
        """Lines of ``pt`` type it takes, with the space after it."""
        width = BODY_W_MM - INDENT_MM * (self.depth + (1 if self.wrap else 0))
        return _lines(self.text, pt * (1.1 if self.heading else 1.0), width, bold=self.heading) + PARA_GAP


@dataclass
class Slide:
    """One slide: what it is, its title, its body (HTML) and, in the facilitator deck, its notes."""

    kind: str  # title, section, warning, objectives, plan, activity, figure, author, message
    title: str
    body: Markup = Markup("")
    subtitle: str = ""
    kicker: str = ""  # a small line above the title (the session a slide belongs to)
    size: str = ""  # "", "dense" or "denser": the body's type size (see SIZES)
    notes: list[str] = field(default_factory=list)  # paragraphs of speaker notes
    figure: tuple[str, str] | None = None
    anchor: str = ""
    footer: str = ""


@dataclass
class SessionDeck:
    module: Module
    session: Session
    anchor: str
    slides: list[Slide] = field(default_factory=list)


@dataclass
class Deck:
    title: str
    subtitle: str
    language: str
    notes: bool  # whether the deck carries speaker notes (the facilitator deck)
    opening: list[Slide] = field(default_factory=list)
    sessions: list[SessionDeck] = field(default_factory=list)

    @property
    def slides(self) -> list[Slide]:
        return self.opening + [s for sd in self.sessions for s in sd.slides]


def anchor(module: str, session: str) -> str:
    """The id of a session's first slide (a named destination of the PDF: the cut starts there)."""
    return f"deck-{module}--{session}"


# --- HTML → units --------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "div", "table", "dl", "hr"}


def _text(el: Any) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _outer(el: Any) -> str:
    return str(lxml_html.tostring(el, encoding="unicode", with_tail=False))


def _inner(el: Any) -> str:
    return (el.text and str(escape(el.text)) or "") + "".join(_outer(c) + (str(escape(c.tail)) if c.tail else "") for c in el)


def _images(el: Any) -> list[tuple[str, str]]:
    found = []
    for img in list(el.iter("img")):
        src = img.get("src") or ""
        if src.startswith("file:"):
            found.append((src, img.get("alt") or ""))
        parent = img.getparent()
        if parent is not None:
            if img.tail:
                prev = img.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + img.tail
                else:
                    parent.text = (parent.text or "") + img.tail
            parent.remove(img)
    return found


def units_of(fragment: str) -> list[Unit]:
    """The units of an HTML fragment, in order."""
    if not fragment.strip():
        return []
    out: list[Unit] = []
    for el in lxml_html.fragments_fromstring(fragment):
        if isinstance(el, str):
            if el.strip():
                out.append(Unit(f"<p>{escape(el.strip())}</p>", el.strip()))
            continue
        out += _element_units(el)
    return out


def _element_units(el: Any, depth: int = 0) -> list[Unit]:
    tag = el.tag if isinstance(el.tag, str) else ""
    figures = [Unit("", alt, figure=(src, alt)) for src, alt in _images(el)]
    if tag in ("ul", "ol"):
        out: list[Unit] = []
        start = int(el.get("start") or 1) if (el.get("start") or "1").isdigit() else 1
        for n, li in enumerate(el.findall("li")):
            nested = [c for c in li if isinstance(c.tag, str) and c.tag in ("ul", "ol")]
            for c in nested:
                li.remove(c)
            inner = (li.text or "") + "".join(_outer(c) + (c.tail or "") for c in li)
            inner = re.sub(r"^\s*<p>|</p>\s*$", "", inner.strip())
            out.append(Unit(inner, _text(li), depth, tag, start + n))
            for c in nested:
                out += _element_units(c, depth + 1)
        return out + figures
    if tag == "table":
        # A table is read out row by row: its first cell in bold, the others after it (columns
        # of small type cannot be read from the back of a room). A header row is left out.
        out = []
        for r in el.findall(".//tr"):
            cells = [c for c in r if isinstance(c.tag, str) and c.tag in ("td", "th")]
            if not cells or all(c.tag == "th" for c in cells):
                continue
            first, rest = _inner(cells[0]), [_inner(c) for c in cells[1:] if _text(c)]
            html = f"<p><strong>{first}</strong>" + "".join(f" · {x}" for x in rest) + "</p>"
            out.append(Unit(html, " · ".join(_text(c) for c in cells if _text(c))))
        return out + figures
    if tag == "div" and el.get("class", "").startswith("admonition"):
        return [u for c in el if isinstance(c.tag, str) for u in _element_units(c, depth)] + figures
    text = _text(el)
    if not text:
        return figures
    return [Unit(_outer(el), text, heading=tag in ("h1", "h2", "h3", "h4", "h5", "h6"))] + figures


_SENTENCE = re.compile(r"(?<=[.!?。])\s+")


def _split_long(u: Unit) -> list[Unit]:
    """A paragraph too long for a slide of its own, between sentences (its inline markup kept
    only when it is one sentence)."""
    sentences = [s for s in _SENTENCE.split(u.text) if s]
    if len(sentences) < 2 or u.wrap:
        return [u]
    half = len(sentences) // 2
    parts = [" ".join(sentences[:half]), " ".join(sentences[half:])]
    return [Unit(f"<p>{escape(p)}</p>", p, u.depth) for p in parts]


def pack(units: list[Unit], budget_lines: Callable[[float], float]) -> list[tuple[list[Unit], str]]:
    """``units`` laid onto slides: (units, size class) per slide, in order. ``budget_lines(pt)``
    is how many lines of ``pt`` type the body holds."""
    pages: list[tuple[list[Unit], str]] = []
    # One slide a size smaller rather than two slides, the second holding a line or two.
    if all(u.figure is None for u in units):
        if sum(u.height(SIZES[0]) for u in units) > budget_lines(SIZES[0]) + PARA_GAP \
                and sum(u.height(SIZES[1]) for u in units) <= budget_lines(SIZES[1]) + PARA_GAP:
            return [(list(units), "dense")]
    current: list[Unit] = []
    used = 0.0
    todo = list(units)
    while todo:
        u = todo.pop(0)
        if u.figure is not None:
            if current:
                pages.append((current, ""))
                current, used = [], 0.0
            pages.append(([u], ""))
            continue
        h = u.height(BODY_PT)
        if used + h <= budget_lines(BODY_PT) + PARA_GAP:
            current.append(u)
            used += h
            continue
        if current:
            # A line that leads into what follows ("Points to keep in mind:") goes with it.
            carried = [current.pop()] if len(current) > 1 and current[-1].text.endswith(":") else []
            pages.append((current, ""))
            current, used = [], 0.0
            if carried:
                todo[:0] = [u]
                u = carried[0]
                h = u.height(BODY_PT)
        if h <= budget_lines(BODY_PT) + PARA_GAP:
            current, used = [u], h
            continue
        # Alone and still too long: a little smaller, else split between sentences, and only a
        # single sentence too long for a slide is set at the smallest size (check warns about it).
        if u.height(SIZES[1]) <= budget_lines(SIZES[1]) + PARA_GAP:
            pages.append(([u], "dense"))
            continue
        parts = _split_long(u)
        if len(parts) > 1:
            todo[:0] = parts
        else:
            pages.append(([u], "denser"))
    if current:
        pages.append((current, ""))
    return pages


def join_units(units: list[Unit]) -> Markup:
    """The HTML of a slide's units, list items back in their lists (numbered from where they are)."""
    out: list[str] = []
    open_lists: list[tuple[str, int]] = []
    for u in units:
        want = u.depth + 1 if u.wrap in ("ul", "ol") else 0
        while len(open_lists) > want or (open_lists and len(open_lists) == want and open_lists[-1][0] != u.wrap
                                         and len(open_lists) == u.depth + 1):
            out.append(f"</{open_lists.pop()[0]}>")
        while len(open_lists) < want:
            tag = u.wrap if len(open_lists) == u.depth else "ul"
            start = f' start="{u.number}"' if tag == "ol" and u.number != 1 else ""
            out.append(f"<{tag}{start}>")
            open_lists.append((tag, u.number))
        if u.wrap in ("ul", "ol"):
            out.append(f"<li>{u.html}</li>")
        else:
            out.append(u.html)
    while open_lists:
        out.append(f"</{open_lists.pop()[0]}>")
    return Markup("\n".join(out))


def plain_paragraphs(fragment: str) -> list[str]:
    """The text of an HTML fragment as paragraphs (for speaker notes): list items with a bullet."""
    out = []
    for u in units_of(fragment):
        if u.figure is not None:
            continue
        prefix = "  " * u.depth + ("• " if u.wrap == "ul" else f"{u.number}. " if u.wrap == "ol" else "")
        out.append(prefix + u.text)
    return out


# --- the deck ----------------------------------------------------------------------------------

#: Participant level, for what a slide shows in any deck.
_PROJECTED = Audience("participant").allowed


class DeckMaker:
    """Makes the :class:`Deck` of a workshop from one view. ``md(text)`` renders Markdown as
    print does (links and images checked, images copied where the renderer may read them)."""

    def __init__(self, view: View, strings: Strings, md: Callable[[str], Markup]):
        self.view = view
        self.s = strings
        self.md = md
        self.notes = view.audience.is_facilitator

    def deck(self, wv: WorkshopView, date_line: str = "") -> Deck:
        w = wv.workshop
        d = Deck(w.title, date_line, self.s.language, self.notes)
        d.opening.append(Slide("title", w.title, subtitle=date_line, footer=""))
        seen: set[tuple[str, str]] = set()
        for day in wv.days:
            for row in day.rows:
                if row.kind != "session" or (row.module_id, row.session_id) in seen:
                    continue
                m = self.view.module(row.module_id)
                sess = m.session(row.session_id) if m else None
                if m is None or sess is None:
                    continue
                seen.add((row.module_id, row.session_id))
                d.sessions.append(self.session(m, sess, row, day, len(wv.days) > 1))
        return d

    # The texts a slide may show: participant level, whatever the view.
    def _shown(self, text: str) -> str:
        return blocks.gate(text, _PROJECTED) if text and blocks.may_hide(text) else text

    def _private(self, text: str) -> list[str]:
        """Speaker notes from the ``///`` blocks of a text (facilitator deck only)."""
        if not self.notes or not text or not blocks.has_blocks(text):
            return []
        return plain_paragraphs(str(self.md(author_text.private_lines(text))))

    def _notes(self, *texts: str) -> list[str]:
        if not self.notes:
            return []
        return [p for t in texts if t for p in plain_paragraphs(str(self.md(t)))]

    def session(self, m: Module, sess: Session, row: Row, day: AgendaDay, several_days: bool) -> SessionDeck:
        s = self.s
        sd = SessionDeck(m, sess, anchor(m.id, sess.id))
        kicker = sess.title
        acts = [a for a in sess.activities if row.variant == "full" or a.variant == "core"]
        minutes = sum(a.minutes for a in acts)
        when = f"{day.title} · {row.start}–{row.end}" if several_days else f"{row.start}–{row.end}"
        opening = Slide("section", sess.title, subtitle=m.title, anchor=sd.anchor,
                        body=Markup(f'<p class="when">{escape(when)} · {escape(s.minutes(minutes))}</p>'))
        if self.notes:
            opening.notes = self._notes(sess.facilitator_notes) + [f"• {x}" for x in sess.preparation + sess.materials]
        sd.slides.append(opening)
        if sess.content_warning:
            sd.slides.append(Slide("warning", s["content_warning"], kicker=kicker,
                                   body=Markup(f"<p>{escape(sess.content_warning)}</p>"
                                               f'<p class="care">{escape(s["content_warning_care"])}</p>')))
        objectives = [o for o in m.learning_objectives if o.id in sess.objectives]
        if objectives:
            items = "".join(f"<li>{escape(o.text)}</li>" for o in objectives)
            sd.slides += self._paged(Slide("objectives", s["objectives"], kicker=kicker), f"<ul>{items}</ul>")
        if acts:
            sd.slides += self._paged(Slide("plan", s["timing_plan"], kicker=kicker), self._plan(acts, row.start))
        # The author's slides, read as written in this view: what a slide shows is gated to
        # participant level; its blocks become its speaker notes (facilitator deck only).
        for written in author_text.split(sess.slides).slides if sess.slides else []:
            shown = self._shown(written.body)
            if not written.title and not shown.strip():
                continue
            pages = self._paged(Slide("author", written.title, kicker=kicker), str(self.md(shown)) if shown.strip() else "")
            pages[0].notes = self._private(written.body)
            sd.slides += pages
        for act in acts:
            sd.slides += self._activity(act, kicker)
        for n, msg in enumerate(sess.key_messages, start=1):
            label = s["key_messages"] + (f" · {n}/{len(sess.key_messages)}" if len(sess.key_messages) > 1 else "")
            sd.slides.append(Slide("message", "", kicker=label, body=Markup(f"<p>{escape(msg)}</p>"),
                                   size=message_size(msg)))
        for x in sd.slides:
            x.footer = sess.short_title or sess.title
        return sd

    def _plan(self, acts: list[Activity], start: str) -> str:
        h, mi = (int(x) for x in start.split(":"))
        clock = h * 60 + mi
        items = []
        for a in acts:
            what = self.s["method_" + str(a.method)] if ("method_" + str(a.method)) in self.s else str(a.method)
            items.append(f'<li><span class="clock">{clock // 60:02d}:{clock % 60:02d}</span> {escape(a.title)} '
                         f'<span class="meta">· {escape(what)} · '
                         f'{escape(self.s.minutes(a.minutes, a.minutes_max))}</span></li>')
            clock += a.minutes
        return f'<ul class="plan">{"".join(items)}</ul>'

    def _activity(self, a: Activity, kicker: str) -> list[Slide]:
        s = self.s
        method = s["method_" + str(a.method)] if ("method_" + str(a.method)) in s else str(a.method)
        grouping = s["grouping_" + str(a.grouping)] if ("grouping_" + str(a.grouping)) in s else ""
        sub = " · ".join(x for x in (method, grouping, s.minutes(a.minutes, a.minutes_max)) if x)
        body = str(self.md(self._shown(a.participant))) if a.participant else ""
        extra = []
        if a.observer:
            extra.append(f"<p><strong>{escape(s['observer'])}:</strong> {escape(a.observer)}</p>")
        if a.opt_out:
            extra.append(f"<p><strong>{escape(s['opt_out'])}:</strong> {escape(a.opt_out)}</p>")
        slides = self._paged(Slide("activity", a.title, subtitle=sub, kicker=kicker), body + "".join(extra))
        if self.notes and slides:
            by_role = [line for r in a.debrief_by_role for line in (f"{r.role}:", *(f"• {q}" for q in r.questions))]
            slides[0].notes = (self._notes(a.facilitator, a.safety_notes) + by_role + [f"• {q}" for q in a.debrief]
                               + ([a.de_roling] if a.de_roling else []) + self._private(a.participant))
        return slides

    def _paged(self, first: Slide, fragment: str) -> list[Slide]:
        """``first`` with ``fragment`` as its body, continued on as many slides as it needs."""
        units = units_of(fragment)
        if not units:
            return [first]
        tl = title_lines(first.title) if first.title else 0
        head_mm = max(0, tl - 1) * TITLE_LINE_MM + (9.0 if first.subtitle else 0.0)

        def budget(pt: float) -> float:
            return (BODY_H_MM - head_mm) / (pt * LINE_HEIGHT * 25.4 / 72)

        out: list[Slide] = []
        for i, (chunk, size) in enumerate(pack(units, budget)):
            slide = first if i == 0 else Slide(first.kind, first.title, subtitle="", kicker=first.kicker)
            if i:
                slide.title = f"{first.title} ({self.s['slide_continued']})" if first.title else ""
            if chunk[0].figure is not None:
                fig = Slide("figure", first.title, kicker=first.kicker, figure=chunk[0].figure,
                            subtitle=chunk[0].figure[1])
                if i == 0:
                    first.kind, first.figure, first.subtitle = "figure", fig.figure, fig.subtitle or first.subtitle
                    out.append(first)
                else:
                    out.append(fig)
                continue
            slide.body = join_units(chunk)
            slide.size = size
            out.append(slide)
        return out
