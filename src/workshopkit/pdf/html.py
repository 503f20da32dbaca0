"""Print HTML for every PDF document, from audience views and Jinja templates.

Each :class:`PrintDoc` is a complete HTML document (the stylesheet is shared and parsed once per
worker); its hash decides whether it must be rendered again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import posixpath
import re
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import segno
from markupsafe import Markup, escape

from .. import links, outputs
from ..agenda import AgendaDay, Row, date_range, knowledge_test_items, long_date, module_minutes, session_minutes, weekday
from ..audience import View, WorkshopView, uses_term, words_of
from ..errors import BuildError
from ..evaluation import questions as evaluation_questions
from ..htmlsafety import scan_fragment
from ..markdown import SiteConfig, prepare, shift_headings, to_html
from ..model import Handout, Module, Session
from ..outputs import Output
from ..printlist import SECTIONS as PRINT_SECTIONS
from ..printlist import SMALL_GROUP, print_list
from ..strings import Strings
from . import cards as cardtext

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "print"


@dataclass
class PrintDoc:
    """One PDF to make: where it goes, its HTML and what it is."""

    rel_path: str  # path under the PDF output folder, e.g. "participant/demo/workbook.pdf"
    html: str
    title: str
    kind: str
    audience: str
    modules: list[str] = field(default_factory=list)  # modules whose content it includes
    pages_max: int | None = None
    source: str = ""  # display path of the content it comes from (for messages)
    #: Numbered copies: the covers of copies 2 … n, one per page (the document is laid out once,
    #: and each copy is its own cover followed by the same pages); empty for a single copy.
    copies_html: str = ""


@dataclass
class Subject:
    """What one document of the plan is made of: the output, its view, and its workshop (with
    the participants' test order, for documents that key answers to it) or its handout."""

    out: Output
    view: View
    workshop: WorkshopView | None = None
    module: Module | None = None
    handout: Handout | None = None
    test_order: list[tuple[str, str]] | None = None
    restricted: bool = False  # the build includes closed-door material

    @property
    def wv(self) -> WorkshopView:
        assert self.workshop is not None, self.out.path
        return self.workshop


#: Kind of document -> name of the :class:`PrintGenerator` method that makes its HTML.
RENDERERS: dict[str, str] = {}


def renders(*kinds: str) -> Callable[[Callable[[PrintGenerator, Subject], PrintDoc]],
                                    Callable[[PrintGenerator, Subject], PrintDoc]]:
    """Register a :class:`PrintGenerator` method as the render function of kinds of document."""
    def register(fn: Callable[[PrintGenerator, Subject], PrintDoc]) -> Callable[[PrintGenerator, Subject], PrintDoc]:
        for kind in kinds:
            RENDERERS[kind] = fn.__name__
        return fn
    return register


def build_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


#: Hosts that only stand in for a real address (RFC 2606): nothing printed should lead there.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")


def placeholder_address(url: str) -> bool:
    """Whether ``url`` is empty or only stands in for where the participant manual will be published."""
    host = (urlsplit(url).hostname or "").lower()
    return not host or host in PLACEHOLDER_HOSTS or host.endswith(tuple("." + h for h in PLACEHOLDER_HOSTS))


# --- running heads -------------------------------------------------------------------------------
#: Size of the running heads (pt), the side margins of a page (mm) and the share of the text width
#: that the head on the left (the document) and on the right (where one is in it) may take.
HEAD_PT = 7.5
SIDE_MARGINS_MM = 38.0
HEAD_SHARES = (0.48, 0.50)
PAPER_WIDTH_MM = {"A4": 210.0, "Letter": 215.9}
ELLIPSIS = "\u2026"


@functools.lru_cache(maxsize=1)
def _head_font() -> tuple[dict[int, int], int] | None:
    """Advance widths of the running heads' font (Noto Sans), by code point."""
    try:
        path = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans"], capture_output=True, text=True,
                              timeout=20, check=False).stdout.strip()
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

        font = TTFont(path, lazy=True)
        metrics = font["hmtx"]
        return {cp: metrics[name][0] for cp, name in font.getBestCmap().items()}, int(font["head"].unitsPerEm)
    except Exception:  # no fontconfig or no such font: estimate  # noqa: BLE001
        return None


def text_width_mm(text: str, pt: float = HEAD_PT) -> float:
    """How wide ``text`` prints in the running heads' font (wide East Asian characters: one em)."""
    font = _head_font()
    ems = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            ems += 1.0
        elif font is not None and ord(ch) in font[0]:
            ems += font[0][ord(ch)] / font[1]
        else:
            ems += 0.6
    return ems * pt * 25.4 / 72


#: Words a cut title does not end on.
_DANGLING = {"a", "an", "and", "at", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def head_width_mm(paper: str, side: int | None) -> float:
    """The room for the running head on the left (``side`` 0) or the right (1) of a page, or
    across the page (``None``: a document with no head on the right)."""
    share = 1.0 if side is None else HEAD_SHARES[side]
    return (PAPER_WIDTH_MM.get(paper, 210.0) - SIDE_MARGINS_MM) * share - 2.0


def fit_head(title: str, width: float, prefix: str = "", suffix: str = "") -> str:
    """``prefix + title + suffix`` if it fits in ``width`` mm; else with the title cut after a whole
    word and an ellipsis (a word is never cut, and nothing is left for the page to clip)."""
    whole = f"{prefix}{title}{suffix}"
    if text_width_mm(whole) <= width:
        return whole
    words = title.split()
    for n in range(len(words) - 1, 0, -1):
        if words[n - 1].lower() in _DANGLING and n > 1:
            continue
        kept = " ".join(words[:n]).rstrip(",;:–-— ")
        candidate = f"{prefix}{kept}{ELLIPSIS}{suffix}"
        if text_width_mm(candidate) <= width:
            return candidate
    return f"{prefix}{words[0] if words else ''}{ELLIPSIS}{suffix}"


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=0, dark="#000", light=None)


class PrintGenerator:
    """Makes the print HTML of every document for one build."""

    def __init__(self, config: SiteConfig, strings: Strings, root: Path, assets: Path, paper: str = "A4"):
        self.config = config
        self.s = strings
        self.root = root
        self.assets = assets  # folder (inside the build) where images used in print are copied
        self.paper = paper
        self.today = build_date()
        # While the manual has no real address, print no QR code or address that leads nowhere.
        self.published = not placeholder_address(config.site_url)
        # Another language's manual is published inside the English one: https://…/ko/.
        self.site_url = config.site_url + ("" if strings.language == "en" else f"{strings.language}/")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
            trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(s=strings, lang=strings.language, session_minutes=session_minutes, module_minutes=module_minutes,
                                today=self.today, paper=paper, head=self.head, is_correct=is_correct,
                                grid_answer=self.grid_answer, materials=run_materials,
                                anchor=self._anchor, evaluation_questions=evaluation_questions)
        lang = strings.language
        self.env.filters.update(sentence=_sentence, breakable_url=_breakable_url, letters=_letters,
                                long_date=lambda d: long_date(d, lang), dates=lambda w: date_range(w, lang),
                                weekday=lambda d: weekday(d, lang))
        self.copied: dict[str, Path] = {}
        self._urls: dict[str, str] = {}  # handout file -> its page in the online manual

    # --- Markdown ----------------------------------------------------------------------------

    def md(self, text: str, shift: int, anchors: dict[str, str] | None = None) -> Markup:
        """Author Markdown → HTML for print; links go to anchors in this document or online."""
        if not text:
            return Markup("")
        labels = {"facilitator": self.s["facilitator_note"], "restricted": self.s["restricted_note"],
                  "say": self.s["say"]}
        text = prepare(text, labels)

        def resolve(repo_path: str, anchor: str) -> str | None:
            if anchors and repo_path in anchors:
                return "#" + anchors[repo_path]
            if repo_path.endswith(".md"):
                return self._urls.get(repo_path)
            src = links.publishable(self.root, repo_path)
            if src is None:
                return None
            if src.suffix.lower() not in links.IMAGE_EXT:
                # A document to download: its address in the online manual (never a path of the
                # build machine), or plain text when the manual has no address yet.
                return (self.site_url + repo_path) if self.published else None
            # Named by content: an edited image is a new file, so the HTML (and its cache key) changes.
            data = src.read_bytes()
            dest = self.assets / hashlib.sha256(data).hexdigest()[:16] / src.name
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
                tmp.write_bytes(data)
                os.replace(tmp, dest)
            self.copied[repo_path] = dest
            return dest.as_uri()

        text = shift_headings(links.rewrite(text, resolve), shift)
        html = to_html(text, self.config)
        if "task-box" in html:  # checklist items: a drawn box, as on the preparation checklists
            html = _TASK_ITEM.sub(r'<li class="task">\1<span class="task-box">', html)
            html = html.replace('<span class="task-box">☐</span> ', '<span class="checkbox"></span>')
        unsafe = scan_fragment(html, allow_prefix=self.assets.as_uri() + "/")
        stray = links.stray_urls(html)
        if stray:
            raise BuildError(f"print HTML would link to '{stray[0][:60]}', which no checked link made; "
                             "run 'workshopkit check' to find the source line")
        if unsafe:
            raise BuildError(f"print HTML would hold unsafe content ({unsafe[0].message}); "
                             "run 'workshopkit check' to find the source line")
        return Markup(html)

    def online_url(self, page: str) -> str:
        """The address of a page of the participant manual (the site has .html pages)."""
        base = self.site_url
        return base + page[:-3] + ".html" if self.published else ""

    def head(self, title: str, short: str = "", prefix: str = "") -> str:
        """The running head on the right of a page: ``prefix`` and the short title (or the title),
        cut after a whole word if it would not fit."""
        return fit_head(short or title, head_width_mm(self.paper, 1), prefix)

    def running(self, title: str, kind: str, short: str = "", before: bool = False, alone: bool = False) -> str:
        """The running head on the left: what the document is, and of what (``before``: the kind
        first; ``alone``: the document has no head on the right)."""
        width = head_width_mm(self.paper, None if alone else 0)
        sep = " · "
        if before:
            return fit_head(short or title, width, prefix=kind + sep)
        return fit_head(short or title, width, suffix=sep + kind)

    def grid_answer(self, q: Any) -> str:
        """An item's answer as one line of the answer grid."""
        if q.type == "open":
            return str(self.s["grid_open"])
        if q.type == "true-false":
            return str(self.s["answer_" + str(q.answer).strip().lower()])
        keys = [q.answer] if isinstance(q.answer, str) else list(q.answer or [])
        return ", ".join(str(k) for k in keys)

    # --- documents ---------------------------------------------------------------------------

    def render(self, template: str, **ctx: Any) -> str:
        html = self.env.get_template(template).render(**ctx)
        return keep_words_whole(html)

    def _anchor(self, *parts: str) -> str:
        return "-".join(re.sub(r"[^a-z0-9-]", "-", p.lower()) for p in parts)

    def handout_anchors(self, modules: list[Module]) -> dict[str, str]:
        out = {}
        for m in modules:
            for h in m.handouts:
                if h.file:
                    out[posixpath.normpath(f"modules/{m.id}/{h.file}")] = self._anchor("handout", m.id, h.id)
        return out

    def workshop_context(self, view: View, wv: WorkshopView,
                         test_ids: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        """What every workshop document is made from.

        ``test_ids`` are the knowledge test's items as participants get it; documents for
        facilitators pass them so that an answer key never numbers items the test leaves out.
        """
        modules = [m for m in (view.module(mid) for mid in wv.modules) if m is not None]
        sessions: list[tuple[Module, Session, list[Row], AgendaDay]] = []
        for day in wv.days:
            for row in day.rows:
                if row.kind == "session":
                    m = view.module(row.module_id)
                    sess = m.session(row.session_id) if m else None
                    if m and sess:
                        sessions.append((m, sess, [row], day))
        anchors = self.handout_anchors(modules)
        self._urls = self._handout_urls(view)
        test: list[tuple[Module, list[Any]]] = []
        by_id = {m.id: m for m in view.modules}
        if test_ids is None:
            items = knowledge_test_items(wv.workshop, by_id)
        else:
            items = [(by_id[mid], q) for mid, qid in test_ids if mid in by_id
                     for q in by_id[mid].assessment if q.id == qid]
        for m, q in items:  # grouped by module, modules in the order they first come
            group = next((g for g in test if g[0].id == m.id), None)
            if group is None:
                test.append((m, [q]))
            else:
                group[1].append(q)
        return dict(w=wv.workshop, wv=wv, view=view, modules=modules, sessions=sessions, test=test,
                    has_restricted=any(sess.visibility == "restricted" or m.visibility == "restricted"
                                       for m, sess, _, _ in sessions)
                    or any(h.visibility == "restricted" for m in modules for h in m.handouts)
                    or any("/// restricted" in m.model_dump_json() for m in modules),
                    md=lambda text, shift=2: self.md(text, shift, anchors), anchor=self._anchor,
                    clock=_clock_add, fac=view.audience.is_facilitator, audience=view.audience)

    def _handout_urls(self, view: View) -> dict[str, str]:
        urls = {}
        for m in view.modules:
            for h in m.handouts:
                if h.file:
                    urls[posixpath.normpath(f"modules/{m.id}/{h.file}")] = self.online_url(outputs.handout_page(m.id, h.id))
        return urls

    def make(self, subject: Subject) -> PrintDoc:
        """The print document of one output of the plan, by its kind's render function."""
        method: Callable[[Subject], PrintDoc] = getattr(self, RENDERERS[subject.out.kind.name])
        return method(subject)

    def _doc(self, subject: Subject, html: str, title: str, modules: list[Module]) -> PrintDoc:
        out = subject.out
        html = self._partly_translated(subject.view, html, modules)
        return PrintDoc(out.path, html, title, out.kind.name, out.audience, [m.id for m in modules],
                        pages_max=out.pages_max, source=out.source)

    def _partly_translated(self, view: View, html: str, modules: list[Module]) -> str:
        """In a translated edition, a document whose modules are not all translated says so (with
        the share translated) after its cover, or at its top when it has none."""
        if not view.translated:
            return html
        shares = [view.translated.get(f"modules/{m.id}", 1.0) for m in modules]
        share = sum(shares) / len(shares) if shares else 1.0
        if share >= 1.0:
            return html
        note = self.s["partly_translated_document"].replace("{share}", str(int(share * 100)))
        block = f'<p class="partly-translated">{escape(note)}</p>'
        cover = html.find('<section class="cover">')
        at = html.find("</section>", cover) + len("</section>") if cover >= 0 else html.find(">", html.find("<body")) + 1
        return html[:at] + block + html[at:]

    @renders("workbook")
    def workbook(self, subject: Subject) -> PrintDoc:
        view, wv = subject.view, subject.wv
        ctx = self.workshop_context(view, wv)
        title = f"{wv.workshop.title} – {self.s['workbook']}"
        html = self.render("workbook.html.j2", doc_title=title, doc_kind=self.s["workbook"],
                           running_title=self._running(wv, self.s["workbook"]),
                           glossary=_terms_used(view.glossary, ctx["modules"]),
                           sources_used=self._sources_used(view, ctx["modules"]), **ctx)
        return self._doc(subject, html, title, ctx["modules"])

    @renders("facilitator-guide")
    def facilitator_guide(self, subject: Subject) -> PrintDoc:
        wv = subject.wv
        ctx = self.workshop_context(subject.view, wv, subject.test_order)
        title = f"{wv.workshop.title} – {self.s['facilitator_guide']}"
        expected = wv.workshop.participants
        lines = print_list(subject.view, wv.workshop, expected, self.s) if expected else []
        html = self.render("facilitator_guide.html.j2", doc_title=title, doc_kind=self.s["facilitator_guide"],
                           running_title=self._running(wv, self.s["facilitator_guide"]),
                           restricted=subject.restricted and ctx["has_restricted"],
                           # What to print; the materials are in the guide's supplies list already.
                           print_sections=[(name, [x for x in lines if x.section == name]) for name in PRINT_SECTIONS
                                           if name != "materials" and any(x.section == name for x in lines)],
                           print_basis=self.s["print_basis_workshop"].format(
                               n=expected, facilitators=max(1, len(wv.workshop.facilitators))) if expected else "",
                           small_group=SMALL_GROUP, **ctx)
        return self._doc(subject, html, title, ctx["modules"])

    @renders("restricted-pack")
    def restricted_pack(self, subject: Subject) -> PrintDoc:
        """The closed-door pack: every page marked (footer and a diagonal mark), the handling rule
        on the cover and, when the workshop gives its number of participants, one numbered copy
        for each (the cover says "Copy 3 of 20")."""
        wv = subject.wv
        ctx = self.workshop_context(subject.view, wv)
        title = f"{wv.workshop.title} – {self.s['restricted_edition']}"
        total = wv.workshop.participants or 0
        common = dict(doc_title=title, doc_kind=self.s["restricted_edition"],
                      running_title=self._running(wv, self.s["restricted_edition"]), **ctx)
        html = self.render("workbook.html.j2", glossary=None, sources_used=[], restricted_pack=True,
                           copy_no=self.copy_no(1, total), **common)
        doc = self._doc(subject, html, title, ctx["modules"])
        if total > 1:
            doc.copies_html = self.render("workbook.html.j2", glossary=None, sources_used=[], restricted_pack=True,
                                          covers_only=[self.copy_no(n, total) for n in range(2, total + 1)], **common)
        return doc

    def copy_no(self, n: int, total: int) -> str:
        """"Copy 3 of 20" (nothing when the copies are not counted)."""
        return self.s["copy_of"].replace("{n}", str(n)).replace("{total}", str(total)) if total else ""

    @renders("knowledge-test")
    def knowledge_test(self, subject: Subject) -> PrintDoc:
        return self._test(subject, with_answers=False)

    @renders("answer-key")
    def answer_key(self, subject: Subject) -> PrintDoc:
        return self._test(subject, with_answers=True)

    def _test(self, subject: Subject, with_answers: bool) -> PrintDoc:
        wv = subject.wv
        ctx = self.workshop_context(subject.view, wv, subject.test_order)
        kind_name = self.s["answer_key_title"] if with_answers else self.s["pre_post_test"]
        title = f"{wv.workshop.title} – {kind_name}"
        html = self.render("test.html.j2", doc_title=title, doc_kind=title, with_answers=with_answers,
                           running_title=self._running(wv, kind_name, alone=True), **ctx)
        return self._doc(subject, html, title, ctx["modules"])

    @renders("evaluation-form")
    def evaluation_form(self, subject: Subject) -> PrintDoc:
        wv = subject.wv
        ctx = self.workshop_context(subject.view, wv)
        title = f"{wv.workshop.title} – {self.s['evaluation_form']}"
        html = self.render("evaluation.html.j2", doc_title=title, doc_kind=self.s["evaluation_form"],
                           running_title=self._running(wv, self.s["evaluation_form"], alone=True), **ctx)
        return self._doc(subject, html, title, ctx["modules"])

    @renders("handout", "facilitator-handout")
    def handout(self, subject: Subject) -> PrintDoc:
        """A handout on its own; a facilitator's cut-out (role cards handed to one person) has
        no page in the participant manual, so no address or QR code."""
        view, m, h = subject.view, subject.module, subject.handout
        assert m is not None and h is not None, subject.out.path
        self._urls = self._handout_urls(view)
        url = self.online_url(outputs.handout_page(m.id, h.id)) if subject.out.kind.audience == "participant" else ""
        title = h.title
        html = self.render("handout.html.j2", doc_title=title, doc_kind=self.s["handout"], m=m, h=h,
                           running_title=self.running(m.title, self.s["handout"], m.short_title, before=True, alone=True),
                           url=url, qr=qr_data_uri(url) if url else "",
                           facilitator_copy=subject.out.kind.audience != "participant",
                           md=lambda text, shift=1: self.md(text, shift), view=view,
                           cardset=self.card_set(h) if h.print else None,
                           sources=[view.source(c.ref) for c in h.sources if view.source(c.ref)])
        return self._doc(subject, html, title, [m])

    def card_set(self, h: Handout) -> CardSet:
        """A handout that is cut out, laid out on sheets (see :mod:`workshopkit.pdf.cards`)."""
        fmt = h.print
        assert fmt is not None
        read = cardtext.split(h.body)
        scene = self.md(read.intro, 2) if read.intro and fmt.intro == "every-card" else Markup("")
        cells = [Cell(c.number, (c.label or self.s["card_number"].replace("{n}", str(c.number)))
                      if fmt.layout == "cards" else "",
                      self.md(c.body if fmt.layout == "cards" else c.text, 2), scene) for c in read.cards]
        slots: list[Cell | None]
        if fmt.layout == "cards":
            columns, rows, slots = fmt.columns, fmt.rows, list(cells)
            note = self.s["cards_print_note"]
        elif fmt.layout == "role-cards":
            columns, rows = 1, 2
            slots = [c for c in cells for _ in range(fmt.copies or 1)]
            note = self.s["role_cards_print_note"]
        else:
            columns, rows = (2, 2) if fmt.size == "a6" else (2, CREDIT_CARD_ROWS.get(self.paper, 4))
            per_card = min(fmt.copies or columns * rows, columns * rows)
            slots = []
            for c in cells:  # each card fills its own sheet
                slots += [c] * per_card + [None] * (columns * rows - per_card)
            size = self.s["pocket_size_credit_card"] if fmt.size == "credit-card" else (
                self.s["pocket_size_a6_letter"] if self.paper == "Letter" else self.s["pocket_size_a6"])
            note = self.s["pocket_print_note"].replace("{copies}", str(per_card)).replace("{size}", size)
        per_sheet = columns * rows
        sheets = []
        for at in range(0, len(slots), per_sheet):
            chunk: list[Cell | None] = list(slots[at:at + per_sheet])
            if fmt.layout != "cards":  # a sheet of role or pocket cards is cut whole
                chunk += [None] * (per_sheet - len(chunk))
            grid = [chunk[i:i + columns] for i in range(0, len(chunk), columns)]
            grid[-1] += [None] * (columns - len(grid[-1]))
            sheets.append(grid)
        note = note.replace("{cards}", str(len(cells))).replace("{sheets}", str(len(sheets)))
        layout = fmt.layout if fmt.layout != "pocket" else f"pocket-{fmt.size}"
        return CardSet(layout, columns, rows, sheets, note,
                       self.md(read.intro, 2) if read.intro and fmt.intro == "separate" else Markup(""))

    # --- slide decks (see workshopkit.slides) ---------------------------------------------------

    @renders("slides")
    def slides(self, subject: Subject) -> PrintDoc:
        """A workshop's slide deck for projection (16:9, one page per slide)."""
        from ..slides.render import deck_document

        return deck_document(self, subject)

    def _running(self, wv: WorkshopView, kind: str, alone: bool = False) -> str:
        """The running head of a workshop document: its short title and what the document is."""
        return self.running(wv.workshop.title, kind, wv.workshop.short_title, alone=alone)

    def _sources_used(self, view: View, modules: list[Module]) -> list[Any]:
        ids: list[str] = []
        for m in modules:
            for c in list(m.sources) + [c for h in m.handouts for c in h.sources]:
                if c.ref not in ids:
                    ids.append(c.ref)
        found = [view.source(i) for i in ids]
        return sorted([s for s in found if s is not None], key=lambda s: s.title.casefold())


#: Rows of credit-card-size cards (54 mm) that a sheet holds, two side by side.
CREDIT_CARD_ROWS = {"A4": 5, "Letter": 4}


@dataclass
class Cell:
    """One card on a sheet: its number and the label printed on it, its text and, when the
    instructions go on every card, those."""

    number: int
    label: str
    html: Markup
    scene: Markup


@dataclass
class CardSet:
    """A handout laid out for cutting: the sheets (rows of cells, ``None`` for an empty place),
    how to print them, and the instructions that go on a sheet of their own."""

    layout: str  # cards, role-cards, pocket-a6 or pocket-credit-card
    columns: int
    rows: int
    sheets: list[list[list[Cell | None]]]
    note: str
    intro: Markup


_TASK_ITEM = re.compile(r'<li>(\s*(?:<p>)?)<span class="task-box">')


def _sentence(text: str) -> str:
    """``text`` ending in a full stop, unless it already ends in one (or in ? or !)."""
    text = str(text).rstrip()
    return text if text.endswith((".", "?", "!", "…")) else text + "."


def _breakable_url(url: str) -> Markup:
    """A URL that may wrap after its slashes and dots (never inside 'https://')."""
    scheme, sep, rest = str(url).partition("://")
    if not sep:
        scheme, rest = "", str(url)
    parts = re.split(r"(?<=[/.?&=_-])", rest)
    return Markup(escape(scheme + sep) + Markup("<wbr>").join(escape(p) for p in parts))


def _terms_used(glossary: Any, modules: list[Module]) -> Any:
    """The glossary cut down to the terms the workshop's modules use (a term's words before any
    bracket, in any case), so a workbook defines what its readers meet."""
    if glossary is None:
        return None
    text = words_of(list(modules))
    terms = [t for t in glossary.terms if uses_term(text, t.term)]
    return glossary.model_copy(update={"terms": terms})


def is_correct(q: Any, key: str) -> bool:
    """Whether option ``key`` (or 'true'/'false') is a right answer of item ``q``."""
    if isinstance(q.answer, str):
        return q.answer.strip().lower() == str(key).lower()
    return bool(q.answer) and key in q.answer


def run_materials(sess: Session, variant: str) -> list[tuple[str, bool]]:
    """What a session needs when it runs in ``variant`` ('core' or 'full'): its own materials and
    those of the activities it runs, each with whether only an extension activity needs it."""
    out: dict[str, bool] = dict.fromkeys(sess.materials, False)
    for a in sess.activities:
        if a.variant == "core" or variant == "full":
            for x in a.materials:
                out[x] = out.get(x, True) and a.variant != "core"
    return list(out.items())


def _letters(n: int) -> str:
    """1 → a, 26 → z, 27 → aa: labels that cannot be mistaken for the test's numbers."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _clock_add(start: str, minutes: int) -> str:
    h, m = start.split(":")
    total = int(h) * 60 + int(m) + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


def css_text(strings: Strings, paper: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             autoescape=False)
    return env.get_template("print.css.j2").render(s=strings, paper=paper)


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


# --- languages whose words must not be broken ----------------------------------------------------
#: Korean is written with spaces between words, and its readers expect lines to break only
#: there; WeasyPrint may break between any two Hangul syllables (it ignores ``word-break:
#: keep-all``). A WORD JOINER (U+2060) between the characters of a word forbids those breaks in
#: Pango's own line breaking, and as a default-ignorable character it is drawn as nothing and
#: left out of the text layer, so what a reader copies or searches is the plain word (the tests
#: extract it). It costs the layout nothing, where a no-wrap span around every word made a
#: Korean document 2.5 times slower to lay out. Headings keep the span: the PDF outline is made
#: from their text as written, and a joiner would show up there.
_HANGUL_WORD = re.compile(r"[^\s<>]*[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff][^\s<>]*")
_TAG = re.compile(r"(<[^>]*>)")
_CHARACTER = re.compile(r"&#?\w+;|.", re.S)  # an entity is one character
WORD_JOINER = "\u2060"
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def _joined(m: re.Match[str]) -> str:
    return WORD_JOINER.join(_CHARACTER.findall(m.group(0)))


def _spanned(m: re.Match[str]) -> str:
    return f'<span class="w">{m.group(0)}</span>'


def keep_words_whole(html: str) -> str:
    """``html`` with the characters of each word that holds Hangul joined by word joiners (in
    headings: the word in a ``<span class="w">``, ``white-space: nowrap``), so that lines break
    only at the spaces between words. Only the text of the body is touched (never a tag, an
    attribute, an entity, the head or a style). Any document may hold Korean (a name, a source's
    title), so every one goes through here."""
    if not _HANGUL_WORD.search(html):
        return html
    parts = _TAG.split(html)
    in_body = "<body" not in html.lower()  # a fragment is all body
    skip = heading = 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = part[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            step = -1 if part.startswith("</") else 1
            if name == "body":
                in_body = step > 0
            elif name in ("style", "script", "title", "pre", "code"):  # code never wraps anyway
                skip = max(0, skip + step)
            elif name in _HEADINGS:
                heading = max(0, heading + step)
            continue
        if in_body and not skip and part.strip():
            parts[i] = _HANGUL_WORD.sub(_spanned if heading else _joined, part)
    return "".join(parts)
