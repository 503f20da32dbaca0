"""The slide files made once the PDFs are rendered: each session's deck, cut from the pages of
its workshop's deck (no second rendering), and the PowerPoint files, written from the slides.

Each file is cached in the PDF cache under a key of what it is made from: a cut deck by the key
of the rendered deck it comes from; a PowerPoint file by the key of its view's workshop (the
same key as the PDFs', with the slide code and templates in it) and the edition. An unchanged
build copies them all.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BuildError
from ..pdf.html import digest
from . import deck as decks

if TYPE_CHECKING:
    from ..pdf.build import PdfStage
    from ..pdf.html import Subject

#: PowerPoint files kept in the cache beyond those the build uses (the oldest go first).
KEEP_UNUSED = 400


def session_pages(reader: Any) -> dict[str, tuple[int, int]]:
    """The pages (first, end) of each session of a read deck, by the anchor of its first slide."""
    starts: list[tuple[int, str]] = []
    for name, dest in reader.named_destinations.items():
        page = reader.get_destination_page_number(dest)
        if str(name).startswith("deck-") and page is not None:
            starts.append((page, str(name)))
    starts.sort()
    total = len(reader.pages)
    return {name: (page, starts[i + 1][0] if i + 1 < len(starts) else total) for i, (page, name) in enumerate(starts)}


def cut(reader: Any, first: int, end: int, dest: Path, title: str) -> None:
    """Pages ``first`` to ``end`` (not included) of a read PDF as a PDF of their own."""
    import pypdf

    writer = pypdf.PdfWriter()
    for page in reader.pages[first:end]:
        writer.add_page(page)
    writer.add_metadata({"/Title": title})
    with dest.open("wb") as fh:
        writer.write(fh)


class _Decks:
    """The decks of one build's views, each made once (a workshop's and its sessions' files share it)."""

    def __init__(self, stage: PdfStage):
        self.stage = stage
        self.made: dict[tuple[int, str], decks.Deck] = {}

    def of(self, subject: Subject) -> decks.Deck:
        from .render import make_deck

        key = (id(subject.view), subject.out.workshop)
        if key not in self.made:
            self.made[key] = make_deck(self.stage.gen, subject.view, subject.out.workshop)
        return self.made[key]


def _title(deck: decks.Deck, sd: decks.SessionDeck | None, label: str) -> str:
    return f"{sd.session.title if sd else deck.title} – {label}"


def make_deck_files(stage: PdfStage) -> set[str]:
    """Make (or copy from the cache) every slide file of the stage's plan; returns the cache
    keys used."""
    import pptx
    import pypdf

    from ..pdf.build import link_or_copy
    from . import pptx as writer

    t0 = time.perf_counter()
    used: set[str] = set()
    made = _Decks(stage)
    pages: dict[str, tuple[Any, dict[str, tuple[int, int]]]] = {}  # deck -> its reader and sessions
    rendered = {o.path: o for o in stage.outputs}
    label = stage.gen.s["slides"]
    for subject, key in stage.decks:
        out = subject.out
        suffix = Path(out.path).suffix
        if out.kind.made_from:
            source = next((o for o in rendered.values() if o.kind.name == out.kind.made_from
                           and o.workshop == out.workshop), None)
            if source is None or source.path not in stage.rendered_keys:
                raise BuildError(f"{out.path}: the deck it is cut from ({out.kind.made_from}) is not in this build")
            ck = "cut-" + digest(stage.rendered_keys[source.path], out.module, out.session, pypdf.__version__)
        else:
            source = None
            ck = "pptx-" + digest(stage.fixed, key, out.kind.name, out.module, out.session, pptx.__version__)
        cached = stage.cache / f"{ck}{suffix}"
        if not cached.is_file():
            tmp = cached.with_name(f".{ck}.{os.getpid()}.tmp{suffix}")
            try:
                if source is not None:
                    if source.path not in pages:
                        reader = pypdf.PdfReader(str(stage.pdf_stage / source.path))
                        pages[source.path] = (reader, session_pages(reader))
                    reader, spans = pages[source.path]
                    span = spans.get(decks.anchor(out.module, out.session))
                    if span is None:
                        raise BuildError(f"{out.path}: the session has no slides in {source.path}")
                    sd = next((x for x in made.of(subject).sessions
                               if x.module.id == out.module and x.session.id == out.session), None)
                    cut(reader, span[0], span[1], tmp, _title(made.of(subject), sd, label))
                else:
                    deck = made.of(subject)
                    if out.session:
                        sd = next((x for x in deck.sessions if x.module.id == out.module and x.session.id == out.session),
                                  None)
                        if sd is None:
                            raise BuildError(f"{out.path}: the session is not in the deck of {out.workshop}")
                        slides = sd.slides
                    else:
                        sd, slides = None, deck.slides
                    writer.write(deck, slides, tmp, _title(deck, sd, label))
                os.replace(tmp, cached)
            finally:
                tmp.unlink(missing_ok=True)
        link_or_copy(cached, stage.pdf_stage / out.path)
        used.add(ck)
    _prune(stage.cache, used)
    stage.report.seconds["slides"] = time.perf_counter() - t0
    return used


def _prune(cache: Path, keep: set[str]) -> None:
    """Drop the oldest PowerPoint files the build does not use, beyond :data:`KEEP_UNUSED`
    (cut decks are PDFs: the PDF cache prunes them)."""
    unused = sorted((p for p in cache.glob("pptx-*.pptx") if p.stem not in keep), key=lambda p: p.stat().st_mtime)
    for path in unused[:max(0, len(unused) - KEEP_UNUSED)]:
        path.unlink(missing_ok=True)
