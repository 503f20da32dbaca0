"""Generate the Markdown pages and navigation of one site from an audience :class:`View`.

The output is plain Markdown (admonitions, tables, attribute lists) that stock MkDocs with
mkdocs-material builds; nothing here depends on a MkDocs plugin.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .. import links, outputs
from ..agenda import date_range, long_date, module_minutes, session_minutes, weekday
from ..audience import TEST_BASIS, View, term_key
from ..markdown import SiteConfig, prepare, shift_headings
from ..model import Handout, Module, Session
from ..strings import Strings, load_strings
from . import terms

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class SiteFiles:
    """Everything a site's docs folder holds: generated pages, copied files and the nav."""

    pages: dict[str, str] = field(default_factory=dict)  # docs path -> Markdown
    copies: dict[str, Path] = field(default_factory=dict)  # docs path -> source file
    nav: list[Any] = field(default_factory=list)  # titles as plain text: the MkDocs adapter escapes them


def environment(subdir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / subdir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(long_date=long_date, dates=date_range, weekday=weekday)
    return env


def table_cell(text: object) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


#: Folder of a built site that holds the PDFs of its audience.
DOWNLOADS = "downloads"
#: The index pages of the Workshops and Modules sections (Material's ``navigation.indexes``).
WORKSHOPS_INDEX = "workshops/index.md"
MODULES_INDEX = "modules/index.md"
#: The folder of the participant manual beside the other sites of a build (build/site/<audience>).
PARTICIPANT_SITE = outputs.kind("site").path.format(audience="participant")


def participant_view(views: Mapping[str, View]) -> View | None:
    """Of a build's views, the participant manual's (which facilitator pages link to)."""
    return views.get("participant") or views.get(TEST_BASIS)


def page_paths(view: View) -> set[str]:
    """The docs path of every page the site of ``view`` has (as :meth:`SiteGenerator.generate`
    writes them): what a facilitator page may link to in the participant manual."""
    paths = {"index.md", "sources.md"}
    if view.workshops:
        paths |= {WORKSHOPS_INDEX} | {outputs.workshop_page(wv.workshop.id) for wv in view.workshops}
    if view.modules:
        paths.add(MODULES_INDEX)
    for m in view.modules:
        paths.add(outputs.module_page(m.id))
        paths |= {outputs.session_page(m.id, s.id) for s in m.sessions}
        paths |= {outputs.handout_page(m.id, h.id) for h in m.handouts}
        if view.audience.is_facilitator and m.assessment:
            paths.add(outputs.answers_page(m.id))
    if view.glossary and view.glossary.terms:
        paths.add("glossary.md")
    return paths


class SiteGenerator:
    def __init__(self, view: View, config: SiteConfig, root: Path, strings: Strings | None = None,
                 editor_guide: str | None = None, downloads: Sequence[outputs.Output] = (),
                 twin: View | None = None):
        self.view = view
        # The pages of the participant manual a facilitator page links to ("what the room sees");
        # the participant site links to no other site.
        self._twin_pages = page_paths(twin) if twin is not None and view.audience.is_facilitator else set()
        # The documents of the build this site links to (copied in under downloads/).
        self.downloads = list(downloads)
        self.config = config
        self.root = root
        self.s = strings or load_strings("en")
        self.editor_guide = editor_guide
        self.files = SiteFiles()
        self.env = environment("site")
        self.env.filters["cell"] = table_cell
        lang = self.s.language
        self.env.filters.update(long_date=lambda d: long_date(d, lang), dates=lambda w: date_range(w, lang),
                                weekday=lambda d: weekday(d, lang))
        self.env.globals.update(s=self.s, audience=view.audience, fac=view.audience.is_facilitator,
                                session_minutes=session_minutes, module_minutes=module_minutes)
        # Glossary terms: anchors on the glossary page, definitions at their first use on a page.
        entries = view.glossary.terms if view.glossary else []
        self._terms = terms.glossary_terms(entries)
        self._term_anchors = terms.anchors(e.term for e in entries)
        self._shown_terms: dict[str, set[str]] = {}
        # Files are copied only from the folders of modules this audience sees.
        self._visible_modules = frozenset(m.id for m in view.modules)
        self._handout_pages: dict[str, str] = {}
        for m in view.modules:
            for h in m.handouts:
                if h.file:
                    self._handout_pages[posixpath.normpath(f"modules/{m.id}/{h.file}")] = self.handout_page(m, h)

    # --- paths -------------------------------------------------------------------------------

    @staticmethod
    def module_page(m: Module) -> str:
        return outputs.module_page(m.id)

    @staticmethod
    def session_page(m: Module, s: Session) -> str:
        return outputs.session_page(m.id, s.id)

    @staticmethod
    def handout_page(m: Module, h: Handout) -> str:
        return outputs.handout_page(m.id, h.id)

    @staticmethod
    def answers_page(m: Module) -> str:
        return outputs.answers_page(m.id)

    @staticmethod
    def workshop_page(wid: str) -> str:
        return outputs.workshop_page(wid)

    # --- Markdown from authors ----------------------------------------------------------------

    def md(self, text: str, page: str, shift: int = 1) -> str:
        """Author Markdown placed on ``page``: blocks → admonitions, links → this site's paths."""
        labels = {"facilitator": self.s["facilitator_note"], "restricted": self.s["restricted_note"],
                  "say": self.s["say"]}
        text = prepare(text, labels)

        def resolve(repo_path: str, anchor: str) -> str | None:
            frag = f"#{anchor}" if anchor else ""
            if repo_path in self._handout_pages:
                return links.relative(self._handout_pages[repo_path], page) + frag
            if repo_path.endswith(".md"):
                return None  # a handout this audience does not see
            src = links.publishable(self.root, repo_path)
            if src is not None and repo_path.split("/")[1] in self._visible_modules:
                self.files.copies[repo_path] = src
                return links.relative(repo_path, page) + frag
            return None

        text = shift_headings(links.rewrite(text, resolve), shift).strip()
        if page != "glossary.md":
            text = terms.annotate(text, self._terms, self._shown_terms.setdefault(page, set()))
        return text

    def rel(self, target: str, page: str) -> str:
        return links.relative(target, page)

    # --- pages ---------------------------------------------------------------------------------

    def render(self, template: str, page: str, **ctx: Any) -> None:
        tpl = self.env.get_template(template)
        md = lambda text, shift=1: self.md(text or "", page, shift)  # noqa: E731
        rel = lambda target: self.rel(target, page)  # noqa: E731
        pdf = lambda kind, **ids: self.download_link(page, kind, **ids)  # noqa: E731
        documents = lambda workshop: [(self.rel(self.download_path(o), page), self.s[o.kind.label])  # noqa: E731
                                      for o in self.downloads if o.workshop == workshop and o.kind.scope == "workshop"]
        decks = lambda module, session: self.session_decks(page, module, session)  # noqa: E731
        text = tpl.render(page=page, md=md, rel=rel, pdf=pdf, documents=documents, decks=decks, gen=self,
                          **ctx).rstrip() + "\n"
        module = ctx.get("m")
        notice = self.translation_notice(f"modules/{module.id}" if module is not None else "curriculum")
        if notice:
            heading, sep, rest = text.partition("\n")
            text = f"{heading}\n\n{notice}\n{sep}{rest}" if heading.startswith("# ") else f"{notice}\n\n{text}"
        self.files.pages[page] = self.with_banner(text, page)

    def translation_notice(self, owner: str) -> str:
        """In a translated edition, a notice on a page whose text is not all translated, with the
        share that is (the rest shows in English), so nobody takes it for a complete edition."""
        share = self.view.translated.get(owner, 1.0)
        if share >= 1.0:
            return ""
        said = self.s["partly_translated"].replace("{share}", str(int(share * 100)))
        return f'<p class="wk-partial" data-search-exclude>{html.escape(said)}</p>'


    def with_banner(self, text: str, page: str) -> str:
        """A facilitator page with the edition's banner under its heading: the edition, and the
        same page of the participant manual when it has one."""
        if not self.view.audience.is_facilitator:
            return text
        parts = [f"<strong>{html.escape(self.s['facilitator_banner'])}</strong>"]
        if self.view.audience.include_restricted:
            parts.append(html.escape(self.s["restricted_running"]))
        twin = self.participant_url(page)
        if twin:
            parts.append(f'<a href="{html.escape(twin)}">{html.escape(self.s["participant_page_link"])}</a>')
        banner = f'<p class="wk-edition" data-search-exclude>{" · ".join(parts)}</p>'
        heading, sep, rest = text.partition("\n")
        if heading.startswith("# "):
            return f"{heading}\n\n{banner}\n{sep}{rest}"
        return f"{banner}\n\n{text}"

    def participant_url(self, page: str) -> str:
        """The address of ``page`` in the participant manual, or '' when it has no such page:
        under the participant manual's ``site_url``, or, with none, the path from this site's
        folder to the participant manual's beside it (build/site/facilitator → participant)."""
        if page not in self._twin_pages:
            return ""
        target = page[:-3] + ".html"
        # Another language's sites sit inside the English ones (participant/ko, facilitator/ko).
        inner = "" if self.s.language == "en" else f"{self.s.language}/"
        if self.config.site_url:
            return self.config.site_url + inner + target
        return links.relative(f"{'../' if not inner else '../../'}{PARTICIPANT_SITE}/{inner}{target}", page)

    @staticmethod
    def download_path(out: outputs.Output) -> str:
        """Where a site keeps a document it links to."""
        return f"{DOWNLOADS}/{out.path}"

    def download_link(self, page: str, kind: str, **ids: str) -> str:
        """The link from ``page`` to the document of ``kind`` for ``ids`` (workshop, module,
        handout), or '' when this site does not offer it."""
        for o in self.downloads:
            if o.kind.name == kind and all(getattr(o, name) == value for name, value in ids.items()):
                return self.rel(self.download_path(o), page)
        return ""

    def session_decks(self, page: str, module: str, session: str) -> list[tuple[str, list[tuple[str, str]]]]:
        """The slide decks of a session this site offers: per workshop that runs it (its title),
        the links from ``page`` with their labels."""
        titles = {wv.workshop.id: wv.workshop.title for wv in self.view.workshops}
        out: dict[str, list[tuple[str, str]]] = {}
        for o in self.downloads:
            if o.kind.scope == "session" and o.module == module and o.session == session and o.workshop in titles:
                out.setdefault(o.workshop, []).append((self.rel(self.download_path(o), page), self.s[o.kind.label]))
        return [(titles[w], links) for w, links in out.items()]

    def generate(self) -> SiteFiles:
        v = self.view
        tracks = v.tracks()
        self.render("index.md.j2", "index.md", tracks=tracks, curriculum=v.curriculum, site_name=self.site_title())
        nav: list[Any] = [{self.s["home"]: "index.md"}]

        if v.workshops:
            # Each section opens on an index page (its first page, named index.md).
            self.render("workshops.md.j2", WORKSHOPS_INDEX)
            items: list[Any] = [{self.s["all_workshops"]: WORKSHOPS_INDEX}]
            for wv in v.workshops:
                page = self.workshop_page(wv.workshop.id)
                self.render("workshop.md.j2", page, wv=wv, w=wv.workshop)
                items.append({wv.workshop.title: page})
            nav.append({self.s["workshops"]: items})

        module_nav: list[Any] = []
        for _, title, _, mods in tracks:
            module_nav.append({title or self.s["modules"]: [{m.title: self.module_pages(m)} for m in mods]})
        if module_nav:
            self.render("modules.md.j2", MODULES_INDEX, tracks=tracks)
            nav.append({self.s["modules"]: [{self.s["all_modules"]: MODULES_INDEX}, *module_nav]})

        if v.glossary and v.glossary.terms:
            self.render("glossary.md.j2", "glossary.md", terms=sorted(v.glossary.terms, key=lambda t: t.term.lower()))
            nav.append({self.s["glossary"]: "glossary.md"})
        cited: dict[str, list[Module]] = {}
        for m in v.modules:
            for ref in {c.ref for c in m.sources} | {c.ref for h in m.handouts for c in h.sources}:
                cited.setdefault(ref, []).append(m)
        self.render("sources.md.j2", "sources.md", cited=cited,
                    library=sorted(v.sources, key=lambda x: x.title.lower()), seeds=v.seeds)
        nav.append({self.s["sources"]: "sources.md"})
        if self.editor_guide and v.audience.is_facilitator:
            self.files.pages["editor-guide.md"] = self.with_banner(self.editor_guide, "editor-guide.md")
            nav.append({self.s["editor_guide"]: "editor-guide.md"})
        self.files.nav = nav
        return self.files

    def module_pages(self, m: Module) -> list[Any]:
        page = self.module_page(m)
        self.render("module.md.j2", page, m=m)
        # Every page is titled here, in plain text, so that every title a site shows comes
        # through the nav (escaped once by the MkDocs adapter), never from a rendered heading.
        items: list[Any] = [{m.title: page}]
        for s in m.sessions:
            sp = self.session_page(m, s)
            self.render("session.md.j2", sp, m=m, sess=s)
            items.append({s.title: sp})
        if m.handouts:
            handout_items = []
            for h in m.handouts:
                hp = self.handout_page(m, h)
                self.render("handout.md.j2", hp, m=m, h=h)
                handout_items.append({h.title: hp})
            items.append({self.s["handouts"]: handout_items})
        if self.view.audience.is_facilitator and m.assessment:
            ap = self.answers_page(m)
            self.render("answers.md.j2", ap, m=m)
            items.append({self.s["answer_key"]: ap})
        return items

    def site_title(self) -> str:
        return self.config.site_name

    # --- helpers for templates ------------------------------------------------------------------

    def workshop_modules(self, wv: Any) -> list[Module]:
        return [m for m in (self.view.module(mid) for mid in wv.modules) if m is not None]

    def objective_text(self, m: Module, oid: str) -> str:
        o = next((o for o in m.learning_objectives if o.id == oid), None)
        return o.text if o else oid

    def source_anchor(self, sid: str) -> str:
        return f"src-{sid}"

    def timing(self, sess: Session, variant: str = "full") -> list[tuple[str, str, Any]]:
        """(start, end, activity) with a running clock from the start of the session, in its
        full version or (``variant='core'``) without the extension activities."""
        rows, clock = [], 0
        for a in sess.activities:
            if variant == "core" and a.variant == "extension":
                continue
            start = f"{clock // 60}:{clock % 60:02d}"
            clock += a.minutes
            rows.append((start, f"{clock // 60}:{clock % 60:02d}", a))
        return rows

    def term_link(self, name: str) -> str:
        """A "see also" name on the glossary page as a link to its term (plain text when the
        glossary of this site has no such term)."""
        key = term_key(name)
        found = next((term for term in self._term_anchors if term_key(term) == key), None)
        if found is None:
            return name
        label = name.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return f"[{label}](#{self._term_anchors[found]})"

    def term_anchor(self, term: str) -> str:
        return self._term_anchors[term]

    def one_line(self, m: Module, page: str) -> str:
        """A module in one line: its aim, or the first paragraph of its summary."""
        text = m.aim or m.summary.strip().split("\n\n", 1)[0]
        return " ".join(self.md(text, page).split())

    def label(self, kind: str, value: str) -> str:
        """The label of a value of the schema (a method, a handout's kind, a level …)."""
        return self.s[f"{kind}_{value}"]

    def labels(self, kind: str, values: Sequence[str]) -> str:
        return ", ".join(self.label(kind, v) for v in values)
