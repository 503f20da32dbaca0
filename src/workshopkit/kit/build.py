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
from ..agenda import AgendaDay, date_span, long_date
from ..audience import View, WorkshopView, publishing_views
from ..build import load_checked
from ..errors import BuildError, ContentError, Diagnostic, name_list
from ..load import Project
from ..strings import Strings, load_strings
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


def prepare(root: Path, event_id: str, project: Project | None = None) -> tuple[Kit | None, list[Diagnostic]]:
    """Check the curriculum (unless ``project`` is the checked one) and the event folder; the
    kit's data when both are valid."""
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
    return kit, diags


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


def render(docs: dict[str, tuple[str, str]], css: str, folder: Path) -> list[str]:
    """Render each document into ``folder``; returns the problems (none when all rendered)."""
    from ..pdf.render import InProcess

    assets = folder / ".assets"
    assets.mkdir(parents=True, exist_ok=True)
    renderer = InProcess(css, assets)
    problems = []
    for name, (title, html) in docs.items():
        try:
            renderer.layout(html, assets.as_uri() + "/").write_pdf(str(folder / name), pdf_tags=True)
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
            problems = render(docs, css, folder)
            forms = folder / "forms"
            forms.mkdir()
            for name, form in (("knowledge-test", xlsform.knowledge_test), ("evaluation", xlsform.evaluation)):
                made = form(kit.view, kit.workshop, strings, kit.workshop.workshop.version)
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
