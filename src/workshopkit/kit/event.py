"""An event folder: ``event.yml``, ``roster.csv`` and ``attendance.csv``, read with line numbers.

Spreadsheets are where rosters come from, so the CSV files may carry a byte order mark (Excel's
"CSV UTF-8") and any column order; a problem is reported as ``roster.csv:LINE: what`` with a
did-you-mean for a misspelt column, and nothing is guessed: a file that is not UTF-8 is refused
rather than read as something else.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..errors import Diagnostic, name_list
from ..load import parse_model
from ..model import Base, Id, Person, Text, title_field
from ..yamlload import MAX_BYTES, YamlError, load_file, read_bounded

EVENTS = "events"
EVENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: The columns of ``roster.csv`` (only ``name`` is required).
ROSTER_COLUMNS = ("name", "organisation", "role", "email", "language")
_YES = {"x", "yes", "y", "1", "✓", "✔", "o", "true", "present"}
_NO = {"", "no", "n", "0", "-", "false", "absent"}
_DAY_COLUMN = re.compile(r"^day\s*(\d{1,2})$")


class Signatory(Base):
    name: Text = Field(description="Name of the person who signs the certificates.")
    role: str = Field("", description="Their role, printed under the name (e.g. 'Head of training').")


class CertificateSettings(Base):
    """How certificates of attendance are issued."""

    organisation: Text = title_field("The issuing organisation, printed on every certificate.")
    signatories: list[Signatory] = Field(min_length=1, max_length=3, description="Who signs (one to three people).")
    attendance: Literal["all-days", "share"] = Field(
        "all-days", description="Who gets a certificate: those present on 'all-days', or those present for at least "
                                "'min_share' percent of the teaching time ('share').")
    min_share: int = Field(80, ge=1, le=100, description="With attendance 'share': the least share of teaching time, "
                                                          "in percent.")


class Event(Base):
    """One run of a workshop: ``events/<event-id>/event.yml``."""

    workshop: Id = Field(description="The id of the workshop this event runs (a file in curriculum/).")
    title: str = title_field("The event's title when it differs from the workshop's.", default="")
    start_date: dt.date | None = Field(None, ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31),
                                       description="First day, when it differs from the workshop's; the other days "
                                                   "move with it.")
    venue: str = Field("", description="Where it takes place, when it differs from the workshop's venue.")
    facilitators: list[Person] = Field(default_factory=list, description="Who facilitates this event.")
    walk_in_rows: int = Field(5, ge=0, le=60, description="Blank rows on each sign-in sheet for people not on the roster.")
    certificates: CertificateSettings | None = Field(None, description="Certificates of attendance (none when absent).")


@dataclass
class Member:
    """One person of the roster."""

    line: int
    name: str
    organisation: str = ""
    role: str = ""
    email: str = ""
    language: str = ""
    days: set[int] | None = None  # the days (0-based) attended, when attendance is recorded


@dataclass
class EventFolder:
    """What ``events/<id>/`` holds, as read."""

    id: str
    path: Path
    event: Event | None = None
    roster: list[Member] = field(default_factory=list)
    attendance_recorded: bool = False


def _display(folder: Path, root: Path, name: str) -> str:
    return (folder / name).relative_to(root).as_posix()


def _cells(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return 0


def _read_csv(path: Path, display: str, diags: list[Diagnostic], sniff: bool = False) -> list[tuple[int, list[str]]] | None:
    """The rows of a CSV file with the line each starts on; None (with a diagnostic) if unreadable.

    With ``sniff``, the delimiter is the one of ',', ';' and tab that cuts the first line into
    the most cells (KoboToolbox exports with ';'); otherwise it is ','."""
    try:
        raw, size = read_bounded(path, display)
    except YamlError as exc:
        diags.append(exc.diagnostic)
        return None
    if size > MAX_BYTES:
        diags.append(Diagnostic(display, 0, 0, "", f"file is {size // 1024} KiB; the limit is {MAX_BYTES // 1024} KiB",
                                "split the event", code="WK006"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        diags.append(Diagnostic(display, line, 0, "", "the file is not UTF-8 text",
                                "save it as 'CSV UTF-8' (Excel) or with the UTF-8 encoding (LibreOffice)", code="WK710"))
        return None
    rows: list[tuple[int, list[str]]] = []
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda d: _cells(first, d)) if sniff else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            rows.append((start, [cell.strip() for cell in row]))
            start = reader.line_num + 1
    except csv.Error as exc:
        diags.append(Diagnostic(display, start, 0, "", f"not a readable CSV row ({exc})",
                                "check the quotes of this row", code="WK711"))  # e.g. a NUL byte
        return None
    return [(line, cells) for line, cells in rows if any(cells)]


def _columns(header: tuple[int, list[str]], known: tuple[str, ...], display: str, diags: list[Diagnostic],
             extra: re.Pattern[str] | None = None) -> list[str] | None:
    """The header's column names (lower case); unknown names are errors with a did-you-mean."""
    line, cells = header
    names = [c.lower() for c in cells]
    ok = True
    for col, name in enumerate(names, start=1):
        if name in known or (extra is not None and extra.match(name)):
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        diags.append(Diagnostic(display, line, col, "", f"unknown column '{cells[col - 1]}'",
                                f"did you mean '{close[0]}'?" if close else f"the columns are {name_list(list(known))}",
                                code="WK712"))
        ok = False
    if "name" not in names:
        diags.append(Diagnostic(display, line, 0, "", "no 'name' column", "the first row names the columns; one of "
                                "them is 'name'", code="WK713"))
        ok = False
    for name in {n for n in names if names.count(n) > 1}:
        diags.append(Diagnostic(display, line, names.index(name) + 1, "", f"the column '{name}' is there twice",
                                "keep one", code="WK712"))
        ok = False
    return names if ok else None


def _too_many(line: int, cells: list[str], names: list[str], display: str, diags: list[Diagnostic]) -> bool:
    if len(cells) <= len(names):
        return False
    diags.append(Diagnostic(display, line, len(names) + 1, "", f"{len(cells)} cells in a row of {len(names)} columns",
                            "a comma inside a name needs quotes: \"Kim, Ji-won\"", code="WK715"))
    return True


def person_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def read_roster(path: Path, display: str, diags: list[Diagnostic]) -> list[Member]:
    rows = _read_csv(path, display, diags)
    if not rows:
        if rows is not None:
            diags.append(Diagnostic(display, 0, 0, "", "the roster is empty", "add a row 'name,organisation' and one "
                                    "row per participant", code="WK722"))
        return []
    names = _columns(rows[0], ROSTER_COLUMNS, display, diags)
    if names is None:
        return []
    members: list[Member] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in rows[1:]:
        if _too_many(line, cells, names, display, diags):
            continue
        values = dict(zip(names, cells + [""] * (len(names) - len(cells)), strict=True))
        if not values["name"]:
            diags.append(Diagnostic(display, line, names.index("name") + 1, "", "no name in this row",
                                    "write the person's name, or delete the row", code="WK714"))
            continue
        key = (person_key(values["name"]), person_key(values.get("organisation", "")))
        if key in seen:
            diags.append(Diagnostic(display, line, names.index("name") + 1, "",
                                    f"'{values['name']}' is on the roster twice (also on line {seen[key]})",
                                    "delete one of the rows", code="WK716"))
            continue
        seen[key] = line
        email = values.get("email", "")
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            diags.append(Diagnostic(display, line, names.index("email") + 1, "", f"'{email}' is not an e-mail address",
                                    "write it as name@example.org, or leave the cell empty", code="WK717"))
        members.append(Member(line, values["name"], values.get("organisation", ""), values.get("role", ""), email,
                              values.get("language", "")))
    return members


def read_attendance(path: Path, display: str, members: list[Member], days: int, diags: list[Diagnostic]) -> None:
    """Mark on each member the days they came (``attendance.csv``: a 'name' column and 'day 1',
    'day 2', … with x for present)."""
    rows = _read_csv(path, display, diags)
    if not rows:
        return
    names = _columns(rows[0], ("name",), display, diags, extra=_DAY_COLUMN)
    if names is None:
        return
    day_cols = {i: int(m.group(1)) - 1 for i, n in enumerate(names) if (m := _DAY_COLUMN.match(n))}
    for i, day in day_cols.items():
        if not 0 <= day < days:
            diags.append(Diagnostic(display, rows[0][0], i + 1, "", f"'{names[i]}': the workshop has {days} day(s)",
                                    f"use day 1 to day {days}", code="WK723"))
            return
    by_name = {person_key(m.name): m for m in members}
    for line, cells in rows[1:]:
        if _too_many(line, cells, names, display, diags):
            continue
        values = dict(zip(names, cells + [""] * (len(names) - len(cells)), strict=True))
        member = by_name.get(person_key(values.get("name", "")))
        if member is None:
            diags.append(Diagnostic(display, line, 1, "", f"'{values.get('name', '')}' is not on the roster",
                                    "add the person to roster.csv, or correct the name", code="WK719"))
            continue
        member.days = set()
        for i, day in day_cols.items():
            value = (cells[i] if i < len(cells) else "").lower()
            if value in _YES:
                member.days.add(day)
            elif value not in _NO:
                diags.append(Diagnostic(display, line, i + 1, "", f"'{cells[i]}' is neither present nor absent",
                                        "write x for present and leave the cell empty for absent", code="WK718"))


def load_event(root: Path, event_id: str, diags: list[Diagnostic]) -> EventFolder:
    """Read ``events/<event_id>/``; problems go to ``diags``."""
    folder = root / EVENTS / event_id
    found = EventFolder(event_id, folder)
    if not EVENT_ID.match(event_id):
        diags.append(Diagnostic(f"{EVENTS}/{event_id}", 0, 0, "", "an event id may use only lower-case letters, digits "
                                "and '-'", "rename the folder, e.g. seoul-2027-03", code="WK724"))
        return found
    if not (folder / "event.yml").is_file():
        diags.append(Diagnostic(f"{EVENTS}/{event_id}/event.yml", 0, 0, "", "no such event",
                                f"create it with: workshopkit event new {event_id} --workshop WORKSHOP-ID", code="WK720"))
        return found
    display = _display(folder, root, "event.yml")
    try:
        found.event = parse_model(Event, load_file(folder / "event.yml", display), display, diags)
    except YamlError as exc:
        diags.append(exc.diagnostic)
    if (folder / "roster.csv").is_file():
        found.roster = read_roster(folder / "roster.csv", _display(folder, root, "roster.csv"), diags)
    else:
        diags.append(Diagnostic(_display(folder, root, "roster.csv"), 0, 0, "", "no roster",
                                "add roster.csv with a 'name' column (and 'organisation', 'role', 'email', 'language')",
                                code="WK722"))
    return found
