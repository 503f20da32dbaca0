"""Rendering print HTML to PDF with WeasyPrint: a sandboxed fetcher and warm worker processes.

One document is single-threaded in WeasyPrint, so documents render in parallel in a process
pool sized to the cores. Each worker parses the stylesheet and sets up fonts once, and is
replaced after a number of documents because WeasyPrint's memory grows across renders.

A long document is laid out once more when a section's last lines spill onto a nearly empty page:
that section is then set in a tighter style (see :func:`spilled_sections`).

Ctrl+C is for the parent to handle: workers start with SIGINT blocked (the parent blocks it
while it starts them) and ignore it from their first instruction on, so a Ctrl+C reaching the
whole process group prints nothing from them and never leaves the pool's queue lock held by a
worker that died mid-read. Stopping the pool is bounded: workers that have not ended a few
seconds after SIGTERM are killed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TASKS_PER_WORKER = 100  # a worker's memory stays flat (~130 MB) over this many; a fresh one costs ~1 s
SMALL_BATCH = 60_000  # bytes of HTML: about two seconds of rendering in one process
RENDER_TIMEOUT = 900  # seconds for one document before the build gives up
STOP_WAIT = 5.0  # seconds the pool may take to stop before its workers are killed


def safe_fetcher_class() -> Any:
    """A URL fetcher that serves ``data:`` URLs and files under one folder, and nothing else."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self, allowed_root: str, **kwargs: Any):
            super().__init__(allowed_protocols={"file", "data"}, **kwargs)
            self.allowed_root = Path(allowed_root).resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(self.allowed_root):
                    return super().fetch(url, headers)
            raise FatalURLFetchingError(f"refused to fetch {url!r}: print documents may only use files "
                                        f"inside the build folder and data: URLs")

    return SafeFetcher


#: Where the compact layout is switched on: the start of the body's class list.
COMPACT_MARK = '<body class="'
#: A page whose content reaches less than this share of the way down is nearly empty.
NEARLY_EMPTY = 0.25
#: A section that may be set tighter when its last lines spill onto a nearly empty page:
#: ``<section class="… fit" id="…">`` (the id names it).
_FIT_SECTION = re.compile(r'<section class="([^"]*\bfit\b[^"]*)" id="([^"]+)"')


@dataclass
class Job:
    html: str
    out: str  # temporary output file
    base_url: str
    title: str
    # Short documents: when the last page holds only a spill-over, try the compact layout once.
    fit: bool = False
    # Long documents: a section whose last lines spill onto a nearly empty page is set tighter.
    tighten: bool = False
    # Numbered copies: the covers of copies 2 … n (see PrintDoc.copies_html).
    copies_html: str = ""


@dataclass
class Result:
    out: str
    pages: int
    error: str = ""


_STATE: dict[str, Any] = {}


def _worker_init(css_text: str, allowed_root: str) -> None:
    """The initializer of a worker process."""
    # The parent decides what Ctrl+C means; a signal that arrived while it was blocked is dropped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _init(css_text, allowed_root)


def _setup(css_text: str, allowed_root: str) -> dict[str, Any]:
    """What a renderer keeps from one document to the next: the parsed stylesheet, the fonts,
    the image cache and the sandboxed URL fetcher."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = FontConfiguration()
    return {"fonts": fonts, "css": [CSS(string=css_text, font_config=fonts)],
            "fetcher": safe_fetcher_class()(allowed_root), "cache": {}}


def _init(css_text: str, allowed_root: str) -> None:
    _STATE.clear()
    _STATE.update(_setup(css_text, allowed_root))


def _layout(state: dict[str, Any], html: str, base_url: str) -> Any:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=state["fetcher"]).render(
        stylesheets=state["css"], font_config=state["fonts"], cache=state["cache"], pdf_tags=True)


class InProcess:
    """WeasyPrint set up exactly as a render worker sets itself up, in this process (for
    measuring one renderer that never restarts): ``layout`` lays a document out, and the
    document's own ``write_pdf`` writes it as the workers do (``pdf_tags=True``)."""

    def __init__(self, css_text: str, allowed_root: Path):
        self._state = _setup(css_text, str(allowed_root))

    def layout(self, html: str, base_url: str) -> Any:
        return _layout(self._state, html, base_url)


def _drawn(box: Any) -> bool:
    """Whether a box puts ink on the page by itself (a border or a background)."""
    style = box.style
    borders = any(style[f"border_{side}_width"] and style[f"border_{side}_style"] not in ("none", "hidden")
                  for side in ("top", "right", "bottom", "left"))
    return borders or style["background_color"].alpha > 0


def page_fill(page: Any) -> tuple[float, list[str]]:
    """How far down its text area a laid-out page is filled (0..1), and the ids of the sections
    that may be set tighter which the page holds, the one continued from the page before first."""
    from weasyprint.formatting_structure import boxes

    page_box = page._page_box
    top, height = page_box.content_box_y(), page_box.height
    bottom, sections = top, []
    for root in page_box.children:
        if isinstance(root, boxes.MarginBox):
            continue
        for box in root.descendants():
            if box.element is not None and MARK_CLASS in (box.element.get("class") or "").split():
                continue  # the mark repeated on every page of a restricted pack fills nothing
            if isinstance(box, boxes.LineBox | boxes.ReplacedBox) or (box.element_tag not in ("html", "body") and _drawn(box)):
                bottom = max(bottom, box.border_box_y() + box.border_height())
            element = box.element
            if box.element_tag == "section" and element is not None and "fit" in (element.get("class") or "").split():
                sid = element.get("id")
                if sid and sid not in sections:
                    sections.append(sid)
    return (bottom - top) / height if height else 1.0, sections


def spilled_sections(doc: Any) -> tuple[int, list[str]]:
    """The nearly empty pages of a laid-out document, and the sections whose last lines they hold
    (a section that starts on a nearly empty page is short, not spilled)."""
    empty, spilled, seen = 0, [], set()
    for page in doc.pages[1:]:
        fill, sections = page_fill(page)
        if fill < NEARLY_EMPTY:
            empty += 1
            if sections and sections[0] in seen and sections[0] not in spilled:
                spilled.append(sections[0])
        seen.update(sections)
    return empty, spilled


def tighten(html: str, sections: list[str]) -> str:
    """``html`` with the ``sections`` (by id) set in the tight style."""
    wanted = set(sections)
    return _FIT_SECTION.sub(lambda m: f'<section class="{m.group(1)} tight" id="{m.group(2)}"'
                            if m.group(2) in wanted else m.group(0), html)


#: What marks a document with sheets of cards to cut (see :mod:`workshopkit.pdf.cards`).
CUT_MARK = '<section class="cut-sheet'
#: The class of a card on a cut sheet, and the steps in which its type is set smaller.
CARD_CLASS = "card"
SHRINK_STEPS = 4
#: The class of the diagonal mark of a restricted pack (repeated on every page).
MARK_CLASS = "restricted-mark"


def overflowing_cards(doc: Any) -> list[str]:
    """The cards of a laid-out document whose text runs past the bottom of their card (each
    named by the first words of its text)."""
    from weasyprint.formatting_structure import boxes

    out = []
    for page in doc.pages:
        for root in page._page_box.children:
            for box in root.descendants():
                element = box.element
                if (not isinstance(box, boxes.BlockBox) or element is None or box.element_tag != "div"
                        or CARD_CLASS not in (element.get("class") or "").split()):
                    continue
                bottom = box.content_box_y() + box.height + box.padding_bottom
                lowest = max((b.border_box_y() + b.border_height() for b in box.descendants()
                              if isinstance(b, boxes.LineBox | boxes.ReplacedBox)), default=bottom)
                if lowest > bottom + 0.5:
                    words = " ".join("".join(element.itertext()).split())
                    out.append(words[:48])
    return out


def _fit_cards(html: str, layout: Callable[[str], Any]) -> tuple[Any, list[str]]:
    """Lay out a document with cards, setting their type smaller step by step until every card's
    text fits its card; the layout and the cards that still do not fit."""
    doc = layout(html)
    too_long = overflowing_cards(doc)
    step = 0
    while too_long and step < SHRINK_STEPS:
        step += 1
        doc = layout(html.replace(COMPACT_MARK, f"{COMPACT_MARK}shrink-{step} ", 1))
        too_long = overflowing_cards(doc)
    return doc, too_long


def with_copies(doc: Any, covers: Any) -> Any:
    """One document of numbered copies: copy 1 is ``doc``; copy k is page k-1 of ``covers``
    followed by the rest of ``doc``. A copy with an odd number of pages ends with the blank page
    that closes ``covers``, so that printed on both sides each copy starts on a sheet of its own.
    Bookmarks and link targets stay with the first copy."""
    import copy as copying

    blank = covers.pages[-1]
    body = doc.pages[1:]
    pad = [blank] if len(doc.pages) % 2 else []
    pages = list(doc.pages) + pad
    for cover in covers.pages[:-1]:
        for page in [cover, *body, *pad]:
            clone = copying.copy(page)
            clone.bookmarks, clone.anchors = [], {}
            pages.append(clone)
    return doc.copy(pages)


def _render(job: Job) -> Result:
    from weasyprint.urls import FatalURLFetchingError

    def layout(html: str) -> Any:
        return _layout(_STATE, html, job.base_url)

    try:
        if CUT_MARK in job.html:
            doc, too_long = _fit_cards(job.html, layout)
            if too_long:
                return Result(job.out, 0, f"{job.title}: a card's text does not fit on its card even in small type "
                                          f"(\u201c{too_long[0]}\u2026\u201d); shorten it, or give the set fewer rows or "
                                          "columns ('print' of the handout in module.yml)")
            doc.write_pdf(job.out, pdf_tags=True, uncompressed_pdf=False)
            return Result(job.out, len(doc.pages))
        doc = layout(job.html)
        if job.fit and len(doc.pages) > 1 and COMPACT_MARK in job.html:
            compact = layout(job.html.replace(COMPACT_MARK, COMPACT_MARK + "compact ", 1))
            if len(compact.pages) < len(doc.pages):
                doc = compact
        if job.tighten:
            empty, spilled = spilled_sections(doc)
            if spilled:
                tight = layout(tighten(job.html, spilled))
                if spilled_sections(tight)[0] < empty:
                    doc = tight
        if job.copies_html:
            doc = with_copies(doc, layout(job.copies_html))
        doc.write_pdf(job.out, pdf_tags=True, uncompressed_pdf=False)
        return Result(job.out, len(doc.pages))
    except FatalURLFetchingError as exc:
        return Result(job.out, 0, f"{job.title}: {exc}")
    except RecursionError:
        return Result(job.out, 0, f"{job.title}: the document is nested too deeply to lay out "
                                  "(lists or quotes inside each other); flatten the structure")
    except Exception as exc:  # a renderer bug must name its document, not end the build with a traceback  # noqa: BLE001
        return Result(job.out, 0, f"{job.title}: WeasyPrint could not render it ({type(exc).__name__}: {exc})")


class Renderer:
    """Renders jobs in worker processes while the caller does other work.

    ``open`` starts the workers (they import WeasyPrint and parse the stylesheet while the caller
    goes on, e.g. generating the print HTML of the next document); ``submit`` hands over a job;
    ``results`` waits for every job; ``abort`` stops the workers. With one worker the jobs render
    in this process when ``results`` is called.
    """

    def __init__(self, css_text: str, allowed_root: Path, workers: int = 1):
        self.css_text = css_text
        self.allowed_root = str(allowed_root)
        self.workers = max(1, workers)
        self.jobs: list[Job] = []
        self._pool: Any = None
        self._pending: list[Any] = []
        #: seconds from ``open`` until the last document was rendered (the stage's own time,
        #: even when the caller collects the results later)
        self.seconds = 0.0
        self._t0 = 0.0
        #: called once per rendered document (from the pool's result thread): progress counts
        self.on_done: Callable[[], None] = lambda: None

    def open(self) -> None:
        self._t0 = time.perf_counter()
        if self.workers == 1:
            return
        import multiprocessing

        # multiprocessing.Pool recycles workers reliably (concurrent.futures' max_tasks_per_child
        # can deadlock on Python 3.11); spawn gives each worker a clean interpreter.
        ctx = multiprocessing.get_context("spawn")
        # Workers inherit the signal mask of the thread that starts them: the first ones are
        # started here, the replacements by the pool's thread made here, so both have SIGINT
        # blocked until _worker_init ignores it.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._pool = ctx.Pool(processes=self.workers, initializer=_worker_init,
                                  initargs=(self.css_text, self.allowed_root), maxtasksperchild=TASKS_PER_WORKER)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def submit(self, job: Job) -> None:
        self.jobs.append(job)
        if self._pool is not None:
            self._pending.append(self._pool.apply_async(_render, (job,), callback=self._done))

    def _done(self, _result: Result) -> None:
        self.seconds = time.perf_counter() - self._t0
        with contextlib.suppress(Exception):  # the pool's result thread must live on: a failed count is only lost
            self.on_done()

    def results(self) -> list[Result]:
        if not self.jobs:
            self.abort()
            return []
        if self._pool is None:
            t0 = time.perf_counter()
            _init(self.css_text, self.allowed_root)
            done = []
            for job in self.jobs:
                done.append(_render(job))
                self.on_done()
            self.seconds = time.perf_counter() - t0
            return done
        try:
            return [p.get(timeout=RENDER_TIMEOUT) for p in self._pending]
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop the workers, waiting at most :data:`STOP_WAIT` seconds before killing them.

        ``Pool.terminate`` can block for ever (it takes the task queue's lock, which a worker
        killed mid-read never releases), so it runs in a helper thread that is left behind if
        it does not finish; the workers are killed either way.
        """
        pool, self._pool = self._pool, None
        if pool is None:
            return
        workers = list(getattr(pool, "_pool", ()))
        stopper = threading.Thread(target=pool.terminate, name="workshopkit-pool-stop", daemon=True)
        stopper.start()
        stopper.join(STOP_WAIT)
        for worker in workers + [w for w in getattr(pool, "_pool", ()) if w not in workers]:
            if worker.exitcode is None:
                worker.kill()
            worker.join(STOP_WAIT)


def pool_size(jobs: int, small: bool, workers: int | None) -> int:
    """Worker processes for ``jobs`` documents: one per core, but none worth starting for a
    small batch (starting a worker costs about a second)."""
    if workers is not None:
        return max(1, min(workers, jobs))
    if small:
        return 1
    return max(1, min(os.cpu_count() or 1, jobs))


def render_all(jobs: list[Job], css_text: str, allowed_root: Path, workers: int | None = None) -> list[Result]:
    """Render every job (largest first, so the pool stays busy to the end) and wait for all."""
    jobs = sorted(jobs, key=lambda j: len(j.html), reverse=True)
    small = sum(len(j.html) for j in jobs) < SMALL_BATCH
    renderer = Renderer(css_text, allowed_root, pool_size(len(jobs), small, workers))
    renderer.open()
    for job in jobs:
        renderer.submit(job)
    return renderer.results()


_TOC_HEADING = re.compile(r'<h([12])\b([^>]*)\bid="([^"]+)"([^>]*)\bdata-toc="([12])"[^>]*>(.*?)</h\1>', re.S)


def add_toc(html: str) -> str:
    """Fill ``<!--TOC-->`` with links to every heading marked ``data-toc``; page numbers come from CSS."""
    if "<!--TOC-->" not in html:
        return html
    items = []
    for m in _TOC_HEADING.finditer(html):
        level, anchor, text = m.group(5), m.group(3), re.sub(r"<[^>]+>", "", m.group(6)).strip()
        items.append(f'<li class="l{level}"><a href="#{anchor}">{text}</a></li>')
    return html.replace("<!--TOC-->", "<ul>\n" + "\n".join(items) + "\n</ul>", 1)
