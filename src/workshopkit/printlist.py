"""What to print (and bring) for one run of a workshop, with quantities.

:func:`print_list` walks the workshop's agenda the way it runs (each session in its core or full
variant, only the activities that run in it) and counts, for a given number of participants:

- the documents of the whole workshop: a workbook, the knowledge test (twice: before and
  after) and an evaluation form per participant; a facilitator guide and an answer key per
  facilitator;
- each handout an activity names, at its first use: one per participant, or for role cards one
  set per group of the activity's ``grouping`` (pairs, triads, small groups of up to six);
  a handout that is restricted or facilitator-only (by its own visibility, its session's or
  its module's) is counted for the facilitators only;
- the materials of each session and of its running activities, as written; where the text
  says how many per participant, pair, triad or group ("one set per triad", "three per
  triad", "one per participant"), the count is worked out, otherwise it is left to the reader.

Groups are counted the way a room is split: ``n // 2`` pairs and ``n // 3`` triads (whoever is
left over joins a group as an extra observer: 22 people make 7 triads, one of them of four),
and ``ceil(n / 6)`` small groups of up to six. Every line says how it was counted, in the
words of the strings of its language.

The function reads what it is given: pass the project, or a facilitator view to list only what
that view holds (the gate leaves closed-door sessions out unless they are included). It is
pure: no file is read or written.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Protocol

from .agenda import compute, knowledge_test_items
from .model import Activity, Module, Session, Workshop, WorkshopSession
from .strings import Strings
from .visibility import Visibility

#: The most people in a small group.
SMALL_GROUP = 6
#: Groupings that split the room into groups, and the size of one group.
GROUPINGS = ("pairs", "triads", "small-groups")
#: The sections of a print list, in the order they are printed.
SECTIONS = ("documents", "handouts", "materials")


class HasModules(Protocol):
    """A project or a view: what a print list is counted from."""

    @property
    def modules(self) -> list[Module]: ...


@dataclass(frozen=True)
class PrintLine:
    """One line of a print list."""

    key: str  # stable: 'document:workbook', 'handout:MODULE/HANDOUT', 'material:MODULE/SESSION/N'
    section: str  # one of SECTIONS
    item: str  # what to print or bring, as the content names it
    quantity: int | None  # copies or sets; None when the text of a material gives no count
    unit: str  # 'copies', 'triad sets' …
    how: str  # how the quantity was worked out
    session: str = ""  # 'Day 1, 09:15 – Title'; empty for the whole workshop
    facilitator_only: bool = False
    day: int = -1  # the day (from 0) of the session; -1 for the whole workshop
    start: str = ""

    @property
    def label(self) -> str:
        """'Role cards ×7 triad sets', 'Materials list' when there is no count."""
        return f"{self.item} ×{self.quantity} {self.unit}".rstrip() if self.quantity is not None else self.item


def groups(grouping: str, participants: int) -> int:
    """How many groups ``participants`` people make in a ``grouping`` (one per person when they
    work alone or as a whole group)."""
    n = max(participants, 0)
    if grouping == "pairs":
        return max(1, n // 2) if n else 0
    if grouping == "triads":
        return max(1, n // 3) if n else 0
    if grouping == "small-groups":
        return math.ceil(n / SMALL_GROUP)
    return n


def _how_groups(strings: Strings, grouping: str, participants: int) -> str:
    return strings[f"print_how_{grouping}"].format(n=participants, groups=groups(grouping, participants),
                                                   size=SMALL_GROUP)


# --------------------------------------------------------------------------------------------
# Counts written in the text of a material


@dataclass(frozen=True)
class _Vocabulary:
    """The words of one language that say 'per participant', 'per triad' … and the numbers."""

    units: tuple[tuple[str, re.Pattern[str]], ...]  # (grouping, phrase)
    numbers: dict[str, int]

    @classmethod
    def of(cls, strings: Strings) -> _Vocabulary:
        units = []
        for grouping in ("individual", "pairs", "triads", "small-groups"):
            phrases = [p.strip() for p in strings[f"print_per_{grouping}"].split("|") if p.strip()]
            if phrases:
                alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
                units.append((grouping, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)))
        numbers = {}
        for pair in strings["print_number_words"].split("|"):
            word, _, value = pair.strip().rpartition(" ")
            if word and value.isdigit():
                numbers[word.casefold()] = int(value)
        return cls(tuple(units), numbers)

    def _number(self, token: str) -> int | None:
        digits = re.match(r"^(\d{1,3})(?!\d)", token)
        if digits:
            return int(digits.group(1))
        return self.numbers.get(token.strip("()[],.:;").casefold())

    def count(self, text: str) -> tuple[str, int] | None:
        """(grouping, how many per person or group) that a material's text states, if it does:
        a number just before the phrase ('three per triad') or just after it ('3인 1조마다 3부'),
        else one."""
        for grouping, pattern in self.units:
            found = pattern.search(text)
            if found is None:
                continue
            before = text[:found.start()].split()[-3:]
            after = text[found.end():].split()[:2]
            for token in reversed(before):
                if (n := self._number(token)) is not None:
                    return grouping, n
            for token in after:
                if (n := self._number(token)) is not None:
                    return grouping, n
            return grouping, 1
        return None


# --------------------------------------------------------------------------------------------
# The list


def _visibility(*levels: str) -> Visibility:
    return max((Visibility.parse(v) for v in levels), default=Visibility.public)


def _running(activities: list[Activity], variant: str) -> list[Activity]:
    return [a for a in activities if variant == "full" or a.variant == "core"]


@dataclass
class _Counter:
    strings: Strings
    participants: int
    facilitators: int
    words: _Vocabulary
    lines: dict[str, PrintLine]

    def add(self, line: PrintLine) -> None:
        """Add a line; a handout used again keeps its first session and the larger count."""
        old = self.lines.get(line.key)
        if old is None:
            self.lines[line.key] = line
        elif (line.quantity or 0) > (old.quantity or 0):
            self.lines[line.key] = dataclasses.replace(line, session=old.session, day=old.day, start=old.start)

    def per_participant(self) -> tuple[int, str]:
        return self.participants, self.strings["print_how_each"].format(n=self.participants)

    def per_facilitator(self) -> tuple[int, str]:
        return self.facilitators, self.strings["print_how_facilitators"].format(n=self.facilitators)

    def handout(self, module: Module, session: Session, activity: Activity, where: tuple[str, int, str]) -> None:
        handout = module.handout(activity.handout) if activity.handout else None
        if handout is None:
            return
        s = self.strings
        closed = _visibility(module.visibility, session.visibility, handout.visibility) >= Visibility.restricted
        if closed:
            quantity, how = self.per_facilitator()
            unit = s["print_unit_copies"]
        elif handout.kind == "role-card" and activity.grouping in GROUPINGS:
            quantity = groups(activity.grouping, self.participants)
            how = _how_groups(s, activity.grouping, self.participants)
            unit = s[f"print_unit_sets_{activity.grouping}"]
        else:
            quantity, how = self.per_participant()
            unit = s["print_unit_copies"]
        label, day, start = where
        self.add(PrintLine(f"handout:{module.id}/{handout.id}", "handouts", handout.title, quantity, unit, how, label,
                           closed, day, start))

    def materials(self, key: str, texts: list[str], grouping: str, where: tuple[str, int, str]) -> None:
        s = self.strings
        label, day, start = where
        for index, text in enumerate(texts):
            stated = self.words.count(text)
            if stated is None:
                line = PrintLine(f"material:{key}/{index}", "materials", text, None, "", s["print_how_as_written"],
                                 label, False, day, start)
            else:
                unit_grouping, per = stated
                if unit_grouping == "small-groups" and grouping in ("pairs", "triads"):
                    unit_grouping = grouping  # 'per group' of an activity in triads: per triad
                count = groups(unit_grouping, self.participants)
                base = (s["print_how_each"].format(n=self.participants) if unit_grouping == "individual"
                        else _how_groups(s, unit_grouping, self.participants))
                how = base if per == 1 else s["print_how_times"].format(how=base, per=per)
                line = PrintLine(f"material:{key}/{index}", "materials", text, count * per, "", how, label, False, day,
                                 start)
            self.add(line)


def _group_of(activities: list[Activity]) -> str:
    """The grouping 'per group' refers to in a session's own materials: that of its first
    activity in groups (small groups when none is)."""
    return next((a.grouping for a in activities if a.grouping in GROUPINGS), "small-groups")


def print_list(source: HasModules, workshop: Workshop, participants: int, strings: Strings,
               facilitators: int | None = None) -> list[PrintLine]:
    """What to print and bring to run ``workshop`` for ``participants`` people, in the order of
    the list: the documents of the whole workshop, then the handouts and the materials in the
    order of the agenda. ``facilitators`` defaults to the workshop's team (at least one)."""
    modules = {m.id: m for m in source.modules}
    team = facilitators if facilitators is not None else len(workshop.facilitators)
    counter = _Counter(strings, max(participants, 0), max(team, 1), _Vocabulary.of(strings), {})
    s = strings
    every, each = counter.per_participant()
    team_n, per_team = counter.per_facilitator()
    copies = s["print_unit_copies"]
    documents = [PrintLine("document:workbook", "documents", s["workbook"], every, copies, each)]
    if knowledge_test_items(workshop, modules):
        documents.append(PrintLine("document:knowledge-test", "documents", s["pre_post_test"], 2 * every, copies,
                                   s["print_how_tests"].format(n=every)))
    documents.append(PrintLine("document:evaluation", "documents", s["evaluation_form"], every, copies, each))
    documents.append(PrintLine("document:facilitator-guide", "documents", s["facilitator_guide"], team_n, copies,
                               per_team, facilitator_only=True))
    if knowledge_test_items(workshop, modules):
        documents.append(PrintLine("document:answer-key", "documents", s["answer_key"], team_n, copies, per_team,
                                   facilitator_only=True))
    for line in documents:
        counter.add(line)

    for day in compute(workshop, modules):
        for row in day.rows:
            where = (f"{s['day_number'].replace('{n}', str(day.index + 1))}, {row.start} – {row.title}", day.index,
                     row.start)
            if row.plan_id:
                plan: WorkshopSession | None = workshop.plan(row.plan_id)
                if plan is not None:
                    running = _running(plan.activities, "full")
                    counter.materials(f"{workshop.id}/{plan.id}", plan.materials, _group_of(running), where)
                    for a in running:
                        counter.materials(f"{workshop.id}/{plan.id}/{a.id}", a.materials, a.grouping, where)
                continue
            module = modules.get(row.module_id) if row.kind == "session" else None
            session = module.session(row.session_id) if module else None
            if module is None or session is None:
                continue
            running = _running(session.activities, row.variant)
            for a in running:
                counter.handout(module, session, a, where)
            counter.materials(f"{module.id}/{session.id}", session.materials, _group_of(running), where)
            for a in running:
                counter.materials(f"{module.id}/{session.id}/{a.id}", a.materials, a.grouping, where)
    order = {name: i for i, name in enumerate(SECTIONS)}
    return sorted(counter.lines.values(), key=lambda line: (order[line.section], line.day, line.start))
