"""The computed agenda: clock times come from each day's start time and the slots' durations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .model import AssessmentItem, Module, Session, Slot, Workshop, WorkshopSession


def session_minutes(session: Session, variant: str) -> int:
    """Length of a session in its 'core' or 'full' variant, from its activities."""
    if variant == "core":
        return sum(a.minutes for a in session.activities if a.variant == "core")
    return sum(a.minutes for a in session.activities)


def plan_minutes(plan: WorkshopSession) -> int:
    """Length of a workshop's own session (a plan for a programme item): the sum of its activities."""
    return sum(a.minutes for a in plan.activities)


def module_minutes(module: Module) -> tuple[int, int]:
    """Length of a module (core, full): the sum of its sessions."""
    return (sum(session_minutes(s, "core") for s in module.sessions),
            sum(session_minutes(s, "full") for s in module.sessions))


@dataclass
class Row:
    """One line of the agenda."""

    start: str  # "HH:MM"
    end: str
    minutes: int
    kind: str  # "session", "break" or the programme item kind ("opening", …)
    title: str
    module_id: str = ""
    module_title: str = ""
    session_id: str = ""
    variant: str = "full"
    visibility: str = "participant"
    delivery: str = ""
    note: str = ""
    slot_index: int = 0
    plan_id: str = ""  # a programme item run by one of the workshop's own sessions
    location: str = ""

    @property
    def closed(self) -> bool:
        return self.visibility == "restricted"


@dataclass
class AgendaDay:
    index: int
    title: str
    date: dt.date
    start: str
    end: str  # computed end of the last slot
    end_by: str  # the latest end the day allows
    mode: str
    rows: list[Row] = field(default_factory=list)

    @property
    def teaching_minutes(self) -> int:
        return sum(r.minutes for r in self.rows if r.kind == "session")

    @property
    def overrun(self) -> int:
        return _to_minutes(self.end) - _to_minutes(self.end_by)


def _to_minutes(clock: str) -> int:
    h, m = clock.split(":")
    return int(h) * 60 + int(m)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def expand_slot(slot: Slot, modules: dict[str, Module]) -> list[tuple[Module | None, Session | None]]:
    """The (module, session) pairs a slot stands for; unknown references give no pairs."""
    if slot.module is not None:
        module = modules.get(slot.module)
        return [(module, s) for s in module.sessions] if module else []
    if slot.session is not None:
        mid, sid = slot.session.split("/", 1)
        module = modules.get(mid)
        session = module.session(sid) if module else None
        return [(module, session)] if session else []
    return []


def compute(workshop: Workshop, modules: dict[str, Module]) -> list[AgendaDay]:
    """Lay out each day: every slot starts when the one before it ends."""
    days: list[AgendaDay] = []
    for index, day in enumerate(workshop.days):
        clock = _to_minutes(day.start)
        mode = day.mode or workshop.mode
        out = AgendaDay(index, day.title, workshop.day_date(index), day.start, day.start, day.end, mode)
        for slot_index, slot in enumerate(day.slots):
            delivery = slot.delivery or ""
            if slot.break_ is not None:
                rows = [Row("", "", slot.break_, "break", slot.title or "Break", note=slot.note)]
            elif slot.plan is not None:
                plan = workshop.plan(slot.plan)
                minutes = slot.minutes or (plan_minutes(plan) if plan else 0)
                rows = [Row("", "", minutes, slot.kind or (plan.kind if plan else "other"),
                            slot.title or (plan.title if plan else slot.plan), note=slot.note, delivery=delivery,
                            plan_id=slot.plan if plan else "")]
            elif slot.module is None and slot.session is None:
                rows = [Row("", "", slot.minutes or 0, slot.kind or "other", slot.title, note=slot.note,
                            delivery=delivery)]
            else:
                rows = []
                for module, session in expand_slot(slot, modules):
                    assert module is not None and session is not None
                    vis = "restricted" if "restricted" in (module.visibility, session.visibility) else session.visibility
                    # A slot's note stands once, under its first session (a module slot has several).
                    rows.append(Row("", "", session_minutes(session, slot.variant), "session", session.title,
                                    module.id, module.title, session.id, slot.variant, vis, delivery,
                                    "" if rows else slot.note))
            for row in rows:
                row.slot_index = slot_index
                row.location = slot.location
                row.start = _clock(clock)
                clock += row.minutes
                row.end = _clock(clock)
                out.rows.append(row)
        out.end = _clock(clock)
        days.append(out)
    return days


def knowledge_test_items(workshop: Workshop, modules: dict[str, Module]) -> list[tuple[Module, AssessmentItem]]:
    """The items of a workshop's pre/post test, in agenda order.

    An explicit ``knowledge_test`` list wins; otherwise each objective served by a session in
    the agenda contributes its first item that is asked both before and after.
    """
    out: list[tuple[Module, AssessmentItem]] = []
    if workshop.knowledge_test:
        for ref in workshop.knowledge_test:
            mid, qid = ref.split("/", 1)
            m = modules.get(mid)
            q = next((q for q in m.assessment if q.id == qid), None) if m else None
            if m is not None and q is not None:
                out.append((m, q))
        return out
    seen: set[tuple[str, str]] = set()
    for day in workshop.days:
        for slot in day.slots:
            for m, s in expand_slot(slot, modules):
                if m is None or s is None:
                    continue
                for oid in s.objectives:
                    if (m.id, oid) in seen:
                        continue
                    seen.add((m.id, oid))
                    q = next((q for q in m.assessment if q.objective == oid and q.phase == "both"), None)
                    if q is not None and (m, q) not in out:
                        out.append((m, q))
    return out


def long_date(value: Any, language: str = "en") -> str:
    """A date written out: '9 March 2027'; in other languages as CLDR writes them (Babel):
    '2027년 3월 9일'."""
    if not hasattr(value, "strftime"):
        return str(value)
    if language == "en":
        return f"{value.day} {value.strftime('%B %Y')}"
    from babel.dates import format_date

    return format_date(value, format="long", locale=language)


def weekday(value: dt.date, language: str = "en") -> str:
    """The day of the week: 'Tuesday', '화요일'."""
    if language == "en":
        return value.strftime("%A")
    from babel.dates import format_date

    return format_date(value, format="EEEE", locale=language)


def date_range(w: Any, language: str = "en") -> str:
    """The dates of a workshop: '9 March 2027', '9–10 March 2027' or '30 March – 2 April 2027'."""
    return date_span(w.start_date, w.day_date(len(w.days) - 1), language)


def date_span(first: dt.date, last: dt.date, language: str = "en") -> str:
    """Two dates written out, sharing what they share: '9–10 March 2027', '30 March – 2 April 2027'
    ('2027년 3월 9일~10일' in Korean, by CLDR's interval formats)."""
    if language != "en":
        if first == last:
            return long_date(first, language)
        from babel.dates import format_interval

        return format_interval(first, last, skeleton="yMMMd", locale=language)
    if first == last:
        return long_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{long_date(last)}"
    if first.year == last.year:
        return f"{first.day} {first.strftime('%B')} – {long_date(last)}"
    return f"{long_date(first)} – {long_date(last)}"
