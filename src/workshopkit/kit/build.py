"""``workshopkit event``: scaffold an event folder, check it, and build its kit.

``event build`` writes into ``build/events/<event-id>/`` through a staging folder and an atomic
swap, holding the output folder's lock, like every build: a failed build leaves the last kit
in place. The kit is made from the participant view of the workshop (what participants were
taught: the modules a certificate names are those participants saw) and from the roster.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .. import atomic
from ..agenda import AgendaDay, date_span, knowledge_test_items, long_date
from ..audience import View, WorkshopView, publishing_views
from ..audience import view as audience_view
from ..build import load_checked
from ..errors import BuildError, ContentError, Diagnostic, name_list
from ..load import Project, load_project
from ..model import AssessmentItem, Workshop
from ..printlist import SECTIONS, SMALL_GROUP, PrintLine, print_list
from ..strings import Strings, load_strings
from ..visibility import Audience
from . import xlsform
from .answers import questions, read_answers
from .event import EVENT_ID, EVENTS, Event, EventFolder, Member, load_event, read_attendance

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "kit"
#: Height of one name tent or certificate page's content box, per paper (landscape).
_LANDSCAPE_HEIGHT = {"A4": "210mm", "Letter": "215.9mm"}


@dataclass
class Participant:
    member: Member
    minutes: int  # teaching time attended
    eligible: bool

    @property
    def hours(self) -> str:
        hours = math.floor(self.minutes / 30) / 2  # whole and half hours, never rounded up
        return f"{hours:g}"


@dataclass
class Kit:
    """Everything the kit's documents are made from."""

    folder: EventFolder
    event: Event
    workshop: WorkshopView
    view: View
    days: list[AgendaDay]
    people: list[Participant] = field(default_factory=list)
    #: the workshop in each language of the curriculum, English first (for the forms' labels)
    editions: list[xlsform.Edition] = field(default_factory=list)
    #: the facilitators' view, closed-door sessions included (for the print list)
    facilitator_view: View | None = None

    @property
    def participants(self) -> int | None:
        """How many people the print list and the code cards count: the roster's, or the number
        the workshop expects while the roster is empty (None when neither says)."""
        return len(self.people) or self.workshop.workshop.participants

    @property
    def facilitators(self) -> int | None:
        """The size of the event's team when event.yml names it (else the workshop's counts)."""
        return len(self.event.facilitators) or None

    @property
    def title(self) -> str:
        return self.event.title or self.workshop.workshop.title

    @property
    def venue(self) -> str:
        return self.event.venue or self.workshop.workshop.venue


def _shifted(days: list[AgendaDay], workshop_start: dt.date, start: dt.date | None) -> list[AgendaDay]:
    if start is None or start == workshop_start:
        return days
    delta = start - workshop_start
    return [dataclasses.replace(d, date=d.date + delta) for d in days]


def _participants(event: Event, roster: list[Member], days: list[AgendaDay], recorded: bool) -> list[Participant]:
    total = sum(d.teaching_minutes for d in days)
    settings = event.certificates
    out = []
    for m in sorted(roster, key=lambda m: m.name.casefold()):
        present = m.days if (recorded and m.days is not None) else ({d.index for d in days} if not recorded else set())
        minutes = sum(d.teaching_minutes for d in days if d.index in present)
        if settings is None:
            eligible = False
        elif settings.attendance == "all-days":
            eligible = len(present) == len(days)
        else:
            eligible = total > 0 and minutes * 100 >= settings.min_share * total
        out.append(Participant(m, minutes, eligible))
    return out


def prepare(root: Path, event_id: str, project: Project | None = None,
            translated: dict[str, Project] | None = None) -> tuple[Kit | None, list[Diagnostic]]:
    """Check the curriculum (unless ``project`` is the checked one) and the event folder; the
    kit's data when both are valid. ``translated`` holds the curriculum's translations already
    loaded, by language (those missing are loaded and added to it)."""
    diags: list[Diagnostic] = []
    if project is None:
        try:
            project, _ = load_checked(root)
        except ContentError as exc:
            return None, list(exc.diagnostics)
    folder = load_event(root, event_id, diags)
    if folder.event is None:
        return None, diags
    wv, view = _workshop_view(project, folder, diags)
    if wv is None or view is None:
        return None, diags
    days = _shifted(wv.days, wv.workshop.start_date, folder.event.start_date)
    attendance = folder.path / "attendance.csv"
    if attendance.is_file():
        folder.attendance_recorded = True
        read_attendance(attendance, f"{EVENTS}/{event_id}/attendance.csv", folder.roster, len(days), diags)
    if any(d.severity == "error" for d in diags):
        return None, diags
    kit = Kit(folder, folder.event, wv, view, days)
    kit.people = _participants(folder.event, folder.roster, days, folder.attendance_recorded)
    kit.editions = _editions(root, project, wv, view, {} if translated is None else translated)
    closed = load_strings("en")["closed_session"]
    kit.facilitator_view = audience_view(project, Audience("facilitator", include_restricted=True), closed)
    if kit.participants is None:
        diags.append(Diagnostic(f"{EVENTS}/{event_id}/roster.csv", 1, 0, "", "the roster has no one on it and the "
                                f"workshop '{wv.workshop.id}' gives no number of participants, so the kit has no "
                                "print list", "add the participants to roster.csv, or write the expected number as "
                                "'participants:' in the workshop file", severity="warning", code="WK732"))
    return kit, diags


def _editions(root: Path, project: Project, wv: WorkshopView, view: View,
              translated: dict[str, Project]) -> list[xlsform.Edition]:
    """The workshop as participants get it in English and in each language of the curriculum."""
    out = [xlsform.Edition("en", view, wv, load_strings("en"))]
    for language in project.curriculum.languages if project.curriculum else []:
        if language not in translated:
            translated[language] = load_project(root, language)[0]  # its problems are `check`'s to report
        strings = load_strings(language)
        other = publishing_views(translated[language], ("participant",), False, strings["closed_session"])["participant"]
        found = next((w for w in other.workshops if w.workshop.id == wv.workshop.id), None)
        if found is not None:
            out.append(xlsform.Edition(language, other, found, strings))
    return out


def check_events(root: Path, project: Project) -> list[Diagnostic]:
    """The problems of every event folder under ``events/`` (for ``workshopkit check``)."""
    folder = root / EVENTS
    if not folder.is_dir() or folder.is_symlink():
        return []
    diags: list[Diagnostic] = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith("."):
            diags += check_event(root, entry.name, project)[1]
    return diags


def check_event(root: Path, event_id: str, project: Project | None = None) -> tuple[Kit | None, list[Diagnostic]]:
    """Everything :func:`prepare` checks, and the answer files of the event (see :mod:`.answers`)."""
    kit, diags = prepare(root, event_id, project)
    if kit is not None:
        read_answers(root, kit, diags)
    return kit, diags


def _workshop_view(project: Project, folder: EventFolder, diags: list[Diagnostic]) -> tuple[WorkshopView | None, View | None]:
    assert folder.event is not None
    wid = folder.event.workshop
    view = publishing_views(project, ("participant",), False, load_strings("en")["closed_session"])["participant"]
    wv = next((w for w in view.workshops if w.workshop.id == wid), None)
    if wv is None:
        from ..check import _suggest

        known = [w.workshop.id for w in view.workshops]
        hint = _suggest(wid, known) or f"workshops: {name_list(known)}"
        diags.append(Diagnostic(f"{EVENTS}/{folder.id}/event.yml", 1, 1, "workshop", f"no workshop '{wid}' in curriculum/",
                                hint, code="WK721"))
        return None, None
    return wv, view


# --------------------------------------------------------------------------------------------
# Documents


def _environment(strings: Strings, paper: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(s=strings, lang="en", paper=paper)
    return env


def _day_label(strings: Strings, day: AgendaDay) -> str:
    return f"{strings['day']} {day.index + 1} – {day.date.strftime('%A')} {long_date(day.date)}"


def _dates(days: list[AgendaDay]) -> str:
    return date_span(days[0].date, days[-1].date)


def documents(kit: Kit, strings: Strings, paper: str) -> dict[str, tuple[str, str]]:
    """The kit's documents: file name -> (title, HTML)."""
    env = _environment(strings, paper)
    height = _LANDSCAPE_HEIGHT.get(paper, "210mm")
    common = dict(title=kit.title, venue=kit.venue, dates=_dates(kit.days), tent_height=height,
                  certificate_height=f"calc({height} - 24mm)")
    docs: dict[str, tuple[str, str]] = {}
    members = [p.member for p in kit.people]
    for day in kit.days:
        label = _day_label(strings, day)
        title = f"{strings['kit_signin']} – {label}"
        docs[f"sign-in-day-{day.index + 1}.pdf"] = (title, env.get_template("signin.html.j2").render(
            doc_title=title, day=day, day_label=label, people=members, walk_ins=kit.event.walk_in_rows, **common))
    docs["name-tents.pdf"] = (strings["kit_name_tents"], env.get_template("tents.html.j2").render(
        doc_title=strings["kit_name_tents"], people=members, **common))
    items = test_items(kit)
    codes = participant_codes(kit)
    for phase in ("pre", "post") if items else ():
        title = strings[f"kit_test_{phase}"]
        docs[f"knowledge-test-{phase}.pdf"] = (title, env.get_template("knowledge_test.html.j2").render(
            doc_title=title, phase=phase, items=[(n, q) for n, q in items if q.phase in ("both", phase)],
            example=codes[min(6, len(codes) - 1)] if codes else "P07", code_width=len(codes[0]) if codes else 3,
            plain=xlsform._plain, **common))
    if codes:
        docs["code-cards.pdf"] = (strings["kit_code_cards"], env.get_template("code_cards.html.j2").render(
            doc_title=strings["kit_code_cards"], codes=codes, **common))
    settings = kit.event.certificates
    if settings is not None:
        rule = (strings["kit_rule_all_days"] if settings.attendance == "all-days"
                else strings["kit_rule_share"].format(share=settings.min_share))
        eligible = [p for p in kit.people if p.eligible]
        if eligible:
            docs["certificates.pdf"] = (strings["kit_certificate"], env.get_template("certificates.html.j2").render(
                doc_title=strings["kit_certificate"], eligible=eligible, settings=settings,
                modules=[m.title for mid in kit.workshop.modules if (m := kit.view.module(mid)) is not None], **common))
        docs["attendance.pdf"] = (strings["kit_attendance"], env.get_template("attendance.html.j2").render(
            doc_title=strings["kit_attendance"], people=kit.people, days=kit.days, rule=rule,
            recorded=kit.folder.attendance_recorded, **common))
    return docs


def test_items(kit: Kit) -> list[tuple[int, AssessmentItem]]:
    """The items of the workshop's knowledge test as participants get them, numbered as the
    results report numbers them."""
    modules = {m.id: m for m in kit.view.modules}
    return list(enumerate((q for _, q in knowledge_test_items(kit.workshop.workshop, modules)), start=1))


#: The file name of the print list.
PRINT_LIST = "print-list.pdf"
#: Code cards printed per sheet (two columns of five).
CARDS_PER_SHEET = 10


def participant_codes(kit: Kit) -> list[str]:
    """The codes of the code cards: P01, P02 … one per expected participant and one per blank
    row of the sign-in sheets (for walk-ins); digits enough for all, at least two. A card is
    drawn at random at the pre-test and nobody notes who has which, so a code stands for no
    name; it matches the XLSForms' and the answer files' rule (:data:`xlsform.CODE_PATTERN`)."""
    count = (kit.participants or 0) + kit.event.walk_in_rows
    width = max(2, len(str(count)))
    return [f"P{i:0{width}d}" for i in range(1, count + 1)]


def kit_print_list(kit: Kit, strings: Strings, pages: dict[str, int]) -> list[PrintLine]:
    """The print list of an event: the kit's own documents (``pages``: how many pages each
    rendered into), then what :func:`print_list` counts for the workshop, with the kit's
    pre-test and post-test in place of the workshop's test."""
    n = kit.participants
    assert n is not None
    s = strings
    sheets, copies = s["print_unit_sheets"], s["print_unit_copies"]
    lines = []

    def line(name: str, title: str, quantity: int, unit: str, how: str) -> None:
        if name in pages:
            lines.append(PrintLine(f"kit:{name}", "kit", f"{title} ({name})", quantity, unit, how))

    for day in kit.days:
        name = f"sign-in-day-{day.index + 1}.pdf"
        line(name, f"{s['kit_signin']} – {s['day_number'].replace('{n}', str(day.index + 1))}", 1,
             s["print_unit_pages"].format(pages=pages.get(name, 0)), s["print_how_signin"])
    if kit.people:
        line("name-tents.pdf", s["kit_name_tents"], len(kit.people), sheets,
             s["print_how_tents"].format(n=len(kit.people)))
    codes = participant_codes(kit)
    line("code-cards.pdf", s["kit_code_cards"], pages.get("code-cards.pdf", 0), sheets,
         s["print_how_codes"].format(cards=len(codes), n=n, spare=kit.event.walk_in_rows, per=CARDS_PER_SHEET))
    for phase in ("pre", "post"):
        line(f"knowledge-test-{phase}.pdf", s[f"kit_test_{phase}"], n, copies, s["print_how_each"].format(n=n))
    eligible = sum(p.eligible for p in kit.people)
    line("certificates.pdf", s["kit_certificate"], eligible, sheets, s["print_how_certificates"].format(n=eligible))
    replaced = {"document:knowledge-test"} if any(x.key.startswith("kit:knowledge-test") for x in lines) else set()
    assert kit.facilitator_view is not None
    listed = print_list(kit.facilitator_view, _facilitators_workshop(kit), n, s, _team(kit))
    return lines + [x for x in listed if x.key not in replaced]


def _facilitators_workshop(kit: Kit) -> Workshop:
    """The event's workshop as facilitators see it (with its team and materials)."""
    assert kit.facilitator_view is not None
    wid = kit.workshop.workshop.id
    return next(w.workshop for w in kit.facilitator_view.workshops if w.workshop.id == wid)


def _team(kit: Kit) -> int:
    """How many facilitators: the event's team, else the workshop's, at least one."""
    return kit.facilitators or max(1, len(_facilitators_workshop(kit).facilitators))


def print_list_document(kit: Kit, strings: Strings, paper: str, lines: list[PrintLine]) -> tuple[str, str]:
    """The print list as a document (title, HTML)."""
    env = _environment(strings, paper)
    basis = strings["print_basis_roster" if kit.people else "print_basis_expected"].format(
        n=kit.participants, facilitators=_team(kit))
    sections = [(name, [x for x in lines if x.section == name]) for name in ("kit", *SECTIONS)]
    return strings["print_list"], env.get_template("print_list.html.j2").render(
        doc_title=strings["print_list"], basis=basis, sections=[(k, v) for k, v in sections if v], title=kit.title,
        venue=kit.venue, dates=_dates(kit.days), small_group=SMALL_GROUP)


def render(docs: dict[str, tuple[str, str]], css: str, folder: Path,
           pages: dict[str, int] | None = None) -> list[str]:
    """Render each document into ``folder``; returns the problems (none when all rendered).
    ``pages`` (if given) receives how many pages each document took."""
    from ..pdf.render import InProcess

    assets = folder / ".assets"
    assets.mkdir(parents=True, exist_ok=True)
    renderer = InProcess(css, assets)
    problems = []
    for name, (title, html) in docs.items():
        try:
            document = renderer.layout(html, assets.as_uri() + "/")
            document.write_pdf(str(folder / name), pdf_tags=True)
            if pages is not None:
                pages[name] = len(document.pages)
        except Exception as exc:  # noqa: BLE001 - a renderer failure names its document, never a traceback
            problems.append(f"{name} ({title}): WeasyPrint could not render it ({type(exc).__name__}: {exc})")
    assets.rmdir()
    return problems


#: The forms and entry sheets of the kit, in ``forms/``.
ENTRY_FILES = ("evaluation-entry.csv", "evaluation.xlsx", "knowledge-test-entry.csv", "knowledge-test.xlsx")


def entry_sheet(form: xlsform.Form, path: Path) -> None:
    """The entry sheet of a form: a CSV whose first row names one column per question (the
    form's field names), into which paper forms are typed, one row per form. Written with a
    byte order mark, so that Excel opens Korean text as UTF-8."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerow(list(questions(form)))


@dataclass
class EventReport:
    folder: Path
    files: list[str]
    certificates: int
    people: int
    warnings: list[Diagnostic]


def build_event(root: Path, event_id: str, paper: str = "A4") -> EventReport:
    """Build the kit of one event into ``build/events/<event-id>/`` (atomically)."""
    kit, diags = prepare(root, event_id)
    if kit is None:
        raise ContentError([d for d in diags if d.severity == "error"] or diags)
    strings = load_strings("en")
    env = _environment(strings, paper)
    height = _LANDSCAPE_HEIGHT.get(paper, "210mm")
    css = env.get_template("kit.css.j2").render(tent_height=height, certificate_height=f"calc({height} - 24mm)")
    docs = documents(kit, strings, paper)
    out = (root / "build").resolve()
    target = out / EVENTS / event_id
    with atomic.build_lock(out):
        stage = atomic.staging(out)
        try:
            folder = stage / EVENTS / event_id
            folder.mkdir(parents=True)
            pages: dict[str, int] = {}
            problems = render(docs, css, folder, pages)
            if kit.participants is not None and not problems:  # the list counts the pages of the kit's documents
                listed = {PRINT_LIST: print_list_document(kit, strings, paper, kit_print_list(kit, strings, pages))}
                problems = render(listed, css, folder)
                docs.update(listed)
            forms = folder / "forms"
            forms.mkdir()
            for name, form in (("knowledge-test", xlsform.knowledge_test), ("evaluation", xlsform.evaluation)):
                made = form(kit.editions, kit.workshop.workshop.version)
                made.save(forms / f"{name}.xlsx")
                entry_sheet(made, forms / f"{name}-entry.csv")
            if problems:
                raise BuildError("the event kit could not be made:\n  " + "\n  ".join(problems),
                                 f"{EVENTS}/{event_id}/event.yml")
            if atomic.is_marked(target / "results"):  # the results report stays until `event results` replaces it
                shutil.copytree(target / "results", folder / "results", symlinks=True)
            atomic.mark(out / EVENTS)
            atomic.mark(folder)
            atomic.swap_in([(folder, target)])
        finally:
            atomic.discard(stage)
    return EventReport(target, sorted(docs) + [f"forms/{name}" for name in ENTRY_FILES],
                       sum(p.eligible for p in kit.people), len(kit.people),
                       [d for d in diags if d.severity != "error"])


# --------------------------------------------------------------------------------------------
# Scaffolding


_EVENT_YML = """\
# The event: one run of the workshop '{workshop}'. This folder is private (git-ignored):
# only 'workshopkit event' reads it, and names appear only in the sign-in sheets, the name
# tents and the certificates (build/events/{event}/).
workshop: {workshop}
# start_date: {start}      # when the event starts on another date than the workshop file says
# venue: ""                # when it differs from the workshop's
facilitators: []
walk_in_rows: 5            # blank rows on each sign-in sheet
# certificates:
#   organisation: Name of the issuing organisation
#   signatories:
#     - name: Name of the person who signs
#       role: Their role
#   attendance: all-days   # or: share (with min_share: 80, percent of teaching time)
"""
_ROSTER = "name,organisation,role,email,language\n"


def new_event(root: Path, event_id: str, workshop_id: str) -> list[Path]:
    """Create ``events/<event_id>/`` with an ``event.yml`` and an empty roster; never overwrites."""
    if not EVENT_ID.match(event_id):
        raise BuildError(f"'{event_id}' cannot be an event id: use lower-case letters, digits and '-' (e.g. seoul-2027-03)")
    try:
        project, _ = load_checked(root)
    except ContentError as exc:
        raise exc from None
    workshop = next((w for w in project.workshops if w.id == workshop_id), None)
    if workshop is None:
        known = [w.id for w in project.workshops]
        raise BuildError(f"--workshop {workshop_id}: no such workshop (known: {name_list(known)})")
    folder = root / EVENTS / event_id
    if folder.exists():
        raise BuildError(f"{EVENTS}/{event_id} exists already; nothing was changed")
    folder.mkdir(parents=True)
    event = folder / "event.yml"
    event.write_text(_EVENT_YML.format(workshop=workshop_id, event=event_id, start=workshop.start_date.isoformat()),
                     encoding="utf-8")
    roster = folder / "roster.csv"
    roster.write_text(_ROSTER, encoding="utf-8")
    return [event, roster]
