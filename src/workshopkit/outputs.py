"""The catalogue of outputs: every kind of output a build makes, declared once.

A :class:`Kind` says where its files go (a path pattern under its folder of ``build/``), who it
is for, which audience view it is made from, which sites offer it for download and under which
label, how it renders (a short form is fitted to its pages; a long one starts first) and what
its cache key covers. :func:`plan` lists every :class:`Output` of one build from the views the
gate made; the publishers render what the plan lists, the site templates and download lists
ask the plan for paths, and the PDF cache keys each output by the parts its kind names.

Adding a document kind is one entry in :data:`KINDS`, one print template and one render
function (registered under the kind's name in :mod:`workshopkit.pdf.html`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from .audience import RESTRICTED_PACK, View, WorkshopView

#: ``deck``: files made from a rendered slide deck and its view (a session's pages cut from the
#: workshop's deck, the PowerPoint files; see :mod:`workshopkit.slides.build`), beside the PDFs.
Family = Literal["pdf", "site", "zip", "deck"]
Scope = Literal["workshop", "handout", "site", "session"]
#: The parts a cache key can cover (see :class:`workshopkit.pdf.build.Keys`):
#: ``workshop`` the workshop, its agenda and every module of the view it prints, with their
#: images, the glossary, the curriculum and the sources; ``handout`` the module of the handout
#: and the sources; ``test-order`` the items of the participants' knowledge test, in order;
#: ``restricted`` whether the build includes closed-door material.
KeyPart = Literal["workshop", "handout", "test-order", "restricted"]

#: Folder of ``build/`` that holds each family of outputs.
FOLDERS: dict[Family, str] = {"pdf": "pdf", "site": "site", "zip": "offline", "deck": "pdf"}


def _has_closed_sessions(wv: WorkshopView) -> bool:
    return any(r.closed for d in wv.days for r in d.rows if r.kind == "session")


@dataclass(frozen=True)
class Kind:
    """One kind of output, declared once."""

    name: str  # also the name of its render function and the ``kind`` of its print document
    family: Family
    scope: Scope  # what one output is made of: one workshop, one handout, or one whole site
    path: str  # pattern under its family's folder: {workshop}, {module}, {handout}, {audience}
    audience: str  # who it is for: participant, facilitator or restricted
    view: str  # the view it is made from (a key of audience.publishing_views); '' = per site
    label: str = ""  # key of its name in the UI strings (download lists)
    offered_on: tuple[str, ...] = ()  # the sites that link to it
    key: tuple[KeyPart, ...] = ()
    fit: bool = False  # a short form: fitted to its pages rather than spilling a line over
    weight: float = 1.0  # rough rendering time (per session for a workshop document): longest first
    big: bool = False  # a long document: never worth a small worker pool
    when: Callable[[WorkshopView], bool] | None = None  # made only for the workshops this accepts
    #: For handouts: only the cut-out handouts (with a print format) that facilitators hand to
    #: one person or group (role cards, secret briefs), never those participants read anyway.
    handed_out: bool = False
    made_from: str = ""  # a deck file: the kind of the rendered deck whose pages it is cut from

    @property
    def folder(self) -> str:
        return FOLDERS[self.family]


_EVERY_SITE = ("participant", "facilitator")
_FACILITATORS = ("facilitator",)

#: Every kind of output, in the order the download lists show them.
KINDS: tuple[Kind, ...] = (
    Kind("workbook", "pdf", "workshop", "participant/{workshop}/workbook.pdf", "participant", "participant",
         label="workbook", offered_on=_EVERY_SITE, key=("workshop",), weight=3.0, big=True),
    Kind("knowledge-test", "pdf", "workshop", "participant/{workshop}/knowledge-test.pdf", "participant", "participant",
         label="pre_post_test", offered_on=_EVERY_SITE, key=("workshop",), fit=True),
    Kind("evaluation-form", "pdf", "workshop", "participant/{workshop}/evaluation-form.pdf", "participant",
         "participant", label="evaluation_form", offered_on=_EVERY_SITE, key=("workshop",), fit=True),
    Kind("facilitator-guide", "pdf", "workshop", "facilitator/{workshop}/facilitator-guide.pdf", "facilitator",
         "facilitator", label="facilitator_guide", offered_on=_FACILITATORS,
         key=("workshop", "restricted", "test-order"), weight=5.0, big=True),
    Kind("answer-key", "pdf", "workshop", "facilitator/{workshop}/answer-key.pdf", "facilitator", "facilitator",
         label="answer_key_title", offered_on=_FACILITATORS, key=("workshop", "test-order")),
    Kind("restricted-pack", "pdf", "workshop", "restricted/{workshop}/restricted-pack.pdf", "restricted",
         RESTRICTED_PACK, label="restricted_edition", offered_on=_FACILITATORS, key=("workshop",), weight=2.0,
         big=True, when=_has_closed_sessions),
    Kind("handout", "pdf", "handout", "participant/handouts/{module}/{handout}.pdf", "participant", "participant",
         label="handout", offered_on=_EVERY_SITE, key=("handout",), fit=True),
    Kind("facilitator-handout", "pdf", "handout", "facilitator/handouts/{module}/{handout}.pdf", "facilitator",
         "facilitator", label="handout", offered_on=_FACILITATORS, key=("handout",), fit=True, handed_out=True),
    # Slide decks (workshopkit.slides): the workshop's deck is rendered; each session's deck is cut
    # from its pages; the PowerPoint files are written from the same slides (with speaker notes in
    # the facilitator's). What is projected is participant level, in every deck.
    Kind("slides", "pdf", "workshop", "participant/{workshop}/slides/slides.pdf", "participant", "participant",
         label="slides_pdf", offered_on=_EVERY_SITE, key=("workshop",), weight=1.5),
    Kind("slides-pptx", "deck", "workshop", "participant/{workshop}/slides/slides.pptx", "participant", "participant",
         label="slides_pptx", offered_on=_EVERY_SITE, key=("workshop",)),
    Kind("facilitator-slides-pptx", "deck", "workshop", "facilitator/{workshop}/slides/slides.pptx", "facilitator",
         "facilitator", label="slides_pptx_notes", offered_on=_FACILITATORS, key=("workshop",)),
    # A session's decks are offered on its page, one set per workshop that runs it (the clocks differ).
    Kind("session-slides", "deck", "session", "participant/{workshop}/slides/{module}--{session}.pdf", "participant",
         "participant", label="slides_pdf", offered_on=_EVERY_SITE, key=("workshop",), made_from="slides"),
    Kind("session-slides-pptx", "deck", "session", "participant/{workshop}/slides/{module}--{session}.pptx",
         "participant", "participant", label="slides_pptx", offered_on=("participant",), key=("workshop",)),
    Kind("facilitator-session-slides-pptx", "deck", "session", "facilitator/{workshop}/slides/{module}--{session}.pptx",
         "facilitator", "facilitator", label="slides_pptx_notes", offered_on=_FACILITATORS, key=("workshop",)),
    Kind("site", "site", "site", "{audience}", "", ""),
    Kind("offline-site", "zip", "site", "participant-site.zip", "participant", "participant"),
)
_BY_NAME = {k.name: k for k in KINDS}


def kind(name: str) -> Kind:
    return _BY_NAME[name]


@dataclass(frozen=True)
class Output:
    """One output of a build: a file or folder under ``build/``, made from one view."""

    kind: Kind
    path: str  # under the kind's folder, e.g. "participant/demo/workbook.pdf"
    view: str  # the view it is made from
    workshop: str = ""
    module: str = ""
    handout: str = ""
    session: str = ""  # a session's slides: the session (of ``module``)
    modules: tuple[str, ...] = ()  # the modules whose content it prints
    sessions: int = 0  # sessions of its workshop (a guess at its length)
    source: str = ""  # display path of the file it is made from (for messages)
    pages_max: int | None = None
    language: str = "en"  # the edition it belongs to; other languages' outputs sit under '<language>/'

    @property
    def weight(self) -> float:
        return self.kind.weight * self.sessions if self.kind.scope == "workshop" else self.kind.weight

    @property
    def audience(self) -> str:
        return self.kind.audience or self.view


@dataclass(frozen=True)
class PlanOptions:
    """What of a build the plan covers (the parts of the build options it depends on)."""

    audiences: tuple[str, ...] = ("participant", "facilitator")
    site: bool = True
    pdf: bool = True
    zip: bool = False
    #: The edition: English outputs have the paths of :data:`KINDS`; another language's documents
    #: are under ``pdf/<language>/`` and its sites inside the English ones (``site/participant/ko/``),
    #: as they are published (``https://…/ko/``); the offline copy of the English manual holds them.
    language: str = "en"


@dataclass(frozen=True)
class Plan:
    """Every output of one build, in the order of :data:`KINDS`."""

    outputs: tuple[Output, ...] = field(default_factory=tuple)

    def __iter__(self) -> Iterator[Output]:
        return iter(self.outputs)

    def of(self, family: Family) -> list[Output]:
        return [o for o in self.outputs if o.kind.family == family]

    def pdfs(self) -> list[Output]:
        return self.of("pdf")

    def site(self, audience: str) -> Output | None:
        return next((o for o in self.of("site") if o.view == audience), None)

    def offline(self) -> Output | None:
        return next(iter(self.of("zip")), None)

    def offered(self, audience: str) -> list[Output]:
        """The documents the site of ``audience`` links to (none if the build has no such site)."""
        if self.site(audience) is None:
            return []
        return [o for o in self.outputs if o.kind.family in ("pdf", "deck") and audience in o.kind.offered_on]

    def downloads(self) -> dict[str, list[Output]]:
        """Per site of the build, the documents it links to."""
        return {o.view: self.offered(o.view) for o in self.of("site")}

    def only(self, keep: Callable[[Output], bool]) -> Plan:
        """The plan with the outputs ``keep`` accepts (e.g. the documents of a few workshops)."""
        return replace(self, outputs=tuple(o for o in self.outputs if keep(o)))

    def for_workshops(self, ids: Iterable[str]) -> Plan:
        """The documents of the workshops ``ids`` and the handouts of the modules they use."""
        wanted = set(ids)
        used = {m for o in self.outputs if o.workshop in wanted for m in o.modules}
        return self.only(lambda o: o.kind.family not in ("pdf", "deck") or o.workshop in wanted
                         or (o.kind.scope == "handout" and o.module in used))


# --- the pages of a site (the print documents link to the participant manual's pages) ---------


def module_page(module: str) -> str:
    return f"modules/{module}/index.md"


def session_page(module: str, session: str) -> str:
    return f"modules/{module}/{session}.md"


def handout_page(module: str, handout: str) -> str:
    return f"modules/{module}/handouts/{handout}.md"


def answers_page(module: str) -> str:
    return f"modules/{module}/answer-key.md"


def workshop_page(workshop: str) -> str:
    return f"workshops/{workshop}.md"


def _workshop_outputs(k: Kind, v: View) -> Iterator[Output]:
    for wv in v.workshops:
        if k.when is not None and not k.when(wv):
            continue
        wid = wv.workshop.id
        sessions = sum(1 for d in wv.days for r in d.rows if r.kind == "session")
        yield Output(k, k.path.format(workshop=wid), k.view, workshop=wid, modules=tuple(wv.modules),
                     sessions=sessions, source=f"curriculum/{wid}.yml")


def _handout_outputs(k: Kind, v: View) -> Iterator[Output]:
    for m in v.modules:
        for h in m.handouts:
            if k.handed_out and (h.print is None or h.visibility != "facilitator"):
                continue
            source = f"modules/{m.id}/{h.file}" if h.file else f"modules/{m.id}/module.yml"
            yield Output(k, k.path.format(module=m.id, handout=h.id), k.view, module=m.id, handout=h.id,
                         modules=(m.id,), source=source, pages_max=h.pages_max)


def _session_outputs(k: Kind, v: View) -> Iterator[Output]:
    """One output per session of each workshop, in agenda order (a session run twice: once)."""
    for wv in v.workshops:
        wid = wv.workshop.id
        seen: set[tuple[str, str]] = set()
        for d in wv.days:
            for r in d.rows:
                if r.kind != "session" or (r.module_id, r.session_id) in seen:
                    continue
                m = v.module(r.module_id)
                if m is None or m.session(r.session_id) is None:
                    continue
                seen.add((r.module_id, r.session_id))
                yield Output(k, k.path.format(workshop=wid, module=r.module_id, session=r.session_id), k.view,
                             workshop=wid, module=r.module_id, session=r.session_id, modules=(r.module_id,),
                             sessions=1, source=f"modules/{r.module_id}/module.yml")


_MAKERS: dict[Scope, Callable[[Kind, View], Iterator[Output]]] = {
    "workshop": _workshop_outputs, "handout": _handout_outputs, "session": _session_outputs}


def plan(views: dict[str, View], options: PlanOptions) -> Plan:
    """Every output of a build made from ``views`` (as :func:`audience.publishing_views` makes
    them): the documents each view can make, each audience's site, the offline copy."""
    outputs: list[Output] = []
    lang = options.language
    for k in KINDS:
        if k.family in ("pdf", "deck") and options.pdf and k.view in views:
            make = _MAKERS[k.scope]
            outputs += [o if lang == "en" else replace(o, path=f"{lang}/{o.path}", language=lang)
                        for o in make(k, views[k.view])]
        elif k.family == "site" and options.site:
            outputs += [Output(k, k.path.format(audience=a) + ("" if lang == "en" else f"/{lang}"), a,
                               source="mkdocs.yml", language=lang)
                        for a in options.audiences if a in views]
        elif k.family == "zip" and options.site and options.zip and k.view in options.audiences and lang == "en":
            outputs.append(Output(k, k.path, k.view, source="mkdocs.yml"))
    return Plan(tuple(outputs))


__all__ = ["KINDS", "Kind", "Output", "Plan", "PlanOptions", "answers_page", "handout_page", "kind", "module_page", "plan",
           "session_page", "workshop_page"]
