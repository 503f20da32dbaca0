"""The print HTML of a deck: one page per slide, 16:9, rendered by WeasyPrint with the other PDFs.

The deck's own stylesheet (``templates/slides/slides.css.j2``) sets its pages on a named page
(``@page slide``), so the rules of the shared print stylesheet for other documents do not reach
it; the shared one still keeps Korean words whole (see ``pdf.html.keep_words_whole``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from ..agenda import date_range
from ..audience import View
from . import deck as decks

if TYPE_CHECKING:
    from ..pdf.html import PrintDoc, PrintGenerator, Subject

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "slides"


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                              autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
                              trim_blocks=True, lstrip_blocks=True)


def make_deck(gen: PrintGenerator, view: View, workshop: str) -> decks.Deck:
    """The deck of ``workshop`` in ``view``, its Markdown rendered as print renders it."""
    wv = next(w for w in view.workshops if w.workshop.id == workshop)
    gen._urls = gen._handout_urls(view)  # links to handouts go to their pages in the online manual
    lang = gen.s.language
    w = wv.workshop
    date_line = " · ".join(x for x in (date_range(w, lang), w.venue) if x)
    maker = decks.DeckMaker(view, gen.s, lambda text: gen.md(text, 1))
    return maker.deck(wv, date_line)


def partly_translated(view: View, modules: list[str], note: str) -> str:
    """The note a translated deck carries on its title slide when its modules are not all translated."""
    if not view.translated:
        return ""
    shares = [view.translated.get(f"modules/{m}", 1.0) for m in modules]
    share = sum(shares) / len(shares) if shares else 1.0
    return "" if share >= 1.0 else note.replace("{share}", str(int(share * 100)))


def deck_document(gen: PrintGenerator, subject: Subject) -> PrintDoc:
    """The print document of a workshop's deck (the render function of the ``slides`` kind)."""
    from ..pdf.html import PrintDoc, keep_words_whole

    out = subject.out
    deck = make_deck(gen, subject.view, out.workshop)
    modules = list(dict.fromkeys(sd.module.id for sd in deck.sessions))
    title = f"{deck.title} – {gen.s['slides']}"
    css = environment().get_template("slides.css.j2").render(geometry=geometry())
    html = environment().get_template("deck.html.j2").render(
        deck=deck, lang=gen.s.language, doc_title=title, css=Markup(css), s=gen.s,
        partly=partly_translated(subject.view, modules, gen.s["partly_translated_document"]))
    return PrintDoc(out.path, keep_words_whole(html), title, out.kind.name, out.audience, modules, source=out.source)


def geometry() -> dict[str, Any]:
    """The measures the stylesheet shares with :mod:`.deck` (which sizes each slide's text by them)."""
    return {"page_w": decks.PAGE_W_MM, "page_h": decks.PAGE_H_MM, "side": decks.SIDE_MM, "body_h": decks.BODY_H_MM,
            "title_pt": decks.TITLE_PT, "body_pt": decks.BODY_PT, "sizes": decks.SIZES, "line_height": decks.LINE_HEIGHT,
            "indent": decks.INDENT_MM, "gap": decks.PARA_GAP}


__all__ = ["deck_document", "make_deck"]
