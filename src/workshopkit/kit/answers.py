"""Answers of the knowledge test and the evaluation, read from the event folder with their lines.

Every ``*.csv`` in ``events/<event-id>/`` other than ``roster.csv`` and ``attendance.csv`` is an
answer file, of one of two kinds told by its first row:

- the knowledge test: a ``participant_code`` and a ``phase`` column, and one column per item;
- the evaluation: one column per session and statement rated, and the open questions.

Two sources write them, and both are read the same way, because both use the field names of
the XLSForms the kit writes (:mod:`.xlsform`): the CSV that KoboToolbox or ODK Central exports
(';' or ',' between cells, its own columns such as ``_uuid`` or ``SubmissionDate``, a multiple
choice as one cell "a b" and/or one 1/0 column per option "q_x/a", headers and values as XML
names or as the form's labels), and the entry sheets the kit writes next to the forms, into
which paper tests and forms are typed (``forms/knowledge-test-entry.csv``,
``forms/evaluation-entry.csv``).

A problem is reported at its ``file:line`` with a code (WK725-WK731). A problem of a row (a
participant code that is not one, a phase missing, an answer that is not an option, the same
code and phase twice, too many cells) spoils that row only: :class:`Answers` counts those rows,
and ``event results --skip-bad`` leaves them out (and says how many). A problem of the file
(not an answer file, a column that is unknown or missing) spoils every row of it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic, name_list
from . import xlsform
from .event import EVENTS, _read_csv, person_key

if TYPE_CHECKING:
    from .build import Kit

#: Files of the event folder that are not answers.
NOT_ANSWERS = ("roster.csv", "attendance.csv")
TEST = "test"
EVALUATION = "evaluation"
CODE = "participant_code"
PHASE = "phase"
_CODE = re.compile(xlsform.CODE_PATTERN)
#: Columns that KoboToolbox and ODK Central add to an export (Kobo's all start with '_').
_META = {"start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber", "audit",
         "instanceid", "meta/instanceid", "meta-instanceid", "meta/rootuuid", "meta/deprecatedid", "formhub/uuid",
         "submissiondate", "key", "submitterid", "submittername", "attachmentspresent", "attachmentsexpected",
         "status", "reviewstate", "edits", "formversion"}
#: Columns that hold a person, never welcome in an answer file.
_PERSONAL = {"name", "full_name", "participant", "participant_name", "email", "e-mail", "organisation", "organization"}
_SPLIT = re.compile(r"[\s,;]+")
_YES = {"1", "true", "yes", "x"}
_NO = {"0", "false", "no", ""}


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Question:
    """A question of a form, as its answers are read: a select or a text. Its label and its
    choices' labels are those of the form's default language (English); ``other_labels`` are the
    question's labels in the form's other languages, and a choice's are in ``other_choices``:
    an export with the labels of any language reads the same."""

    name: str
    kind: str  # "select_one", "select_multiple" or "text"
    label: str
    choices: tuple[tuple[str, str], ...] = ()  # (name, label)
    other_labels: tuple[str, ...] = ()
    other_choices: tuple[tuple[str, str], ...] = ()  # (name, label in another language)

    def names(self, wanted: str) -> bool:
        """Whether a header cell names this question (its XML name in any case, or a label)."""
        return wanted in (self.name.casefold(), _norm(self.label)) or wanted in map(_norm, self.other_labels)

    def choice(self, value: str) -> str | None:
        """The choice a cell names, by its name (any case) or its label in a language of the
        form; None if none."""
        wanted = _norm(value)
        for name, label in self.choices + self.other_choices:
            if wanted in (name.casefold(), _norm(label)):
                return name
        return None


def questions(form: xlsform.Form) -> dict[str, Question]:
    """The questions of a form that have answers (notes have none), by name."""
    others = form.labels[1:]
    lists: dict[str, list[tuple[str, str]]] = {}
    translated: dict[str, list[tuple[str, str]]] = {}
    for row in form.choices:
        lists.setdefault(row["list_name"], []).append((row["name"], row[form.label]))
        translated.setdefault(row["list_name"], []).extend((row["name"], row[c]) for c in others if row.get(c))
    out: dict[str, Question] = {}
    for row in form.survey:
        kind, _, list_name = row["type"].partition(" ")
        if kind == "note":
            continue
        out[row["name"]] = Question(row["name"], kind, row[form.label], tuple(lists.get(list_name, ())),
                                    tuple(row[c] for c in others if row.get(c)), tuple(translated.get(list_name, ())))
    return out


@dataclass(frozen=True)
class Forms:
    """The two forms of an event's workshop, as questions."""

    test: dict[str, Question]
    evaluation: dict[str, Question]

    @classmethod
    def of(cls, kit: Kit) -> Forms:
        version = kit.workshop.workshop.version
        return cls(questions(xlsform.knowledge_test(kit.editions, version)),
                   questions(xlsform.evaluation(kit.editions, version)))


@dataclass
class Attempt:
    """One participant's answers to the knowledge test in one phase."""

    file: str
    line: int
    code: str  # upper case
    phase: str  # "pre" or "post"
    #: the choices picked per select question (empty: not answered); text answers are not kept
    picked: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class EvaluationAnswer:
    """One evaluation form: ratings (1-5) and comments, by question."""

    file: str
    line: int
    ratings: dict[str, int] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)


@dataclass
class Answers:
    """Every answer of an event that could be read, and how many rows could not."""

    files: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # TEST, EVALUATION: the kinds of files read
    tests: list[Attempt] = field(default_factory=list)
    evaluations: list[EvaluationAnswer] = field(default_factory=list)
    bad_rows: int = 0
    #: problems of whole files (no row of such a file is read)
    file_problems: int = 0


def answer_files(folder: Path) -> list[Path]:
    """The answer files of an event folder: its CSV files but the roster and the attendance."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() == ".csv" and p.name.lower() not in NOT_ANSWERS
                  and not p.name.startswith((".", "~")) and not p.is_dir())


@dataclass
class _Layout:
    """What each column of an answer file holds."""

    kind: str
    fields: dict[int, str] = field(default_factory=dict)  # column -> question
    options: dict[int, tuple[str, str]] = field(default_factory=dict)  # column -> (question, choice)


def _find(cell: str, known: dict[str, Question]) -> str | None:
    """The question a header cell names, by its XML name (any case) or its label."""
    wanted = _norm(cell)
    return next((q.name for q in known.values() if q.names(wanted)), None)


def _option(cell: str, known: dict[str, Question]) -> tuple[str, str] | None:
    """A Kobo column of one option of a multiple choice, 'question/option' (names or labels)."""
    head, sep, tail = cell.strip().rpartition("/")
    name = _find(head, known) if sep else None
    if name is None or known[name].kind != "select_multiple":
        return None
    choice = known[name].choice(tail)
    return (name, choice) if choice is not None else None


def _kind(cells: list[str], forms: Forms) -> str | None:
    if any(_find(c, forms.test) in (CODE, PHASE) for c in cells):
        return TEST
    if any(_find(c, forms.evaluation) for c in cells):
        return EVALUATION
    return None


def _layout(header: tuple[int, list[str]], forms: Forms, display: str, diags: list[Diagnostic]) -> _Layout | None:
    line, cells = header
    kind = _kind(cells, forms)
    if kind is None:
        diags.append(Diagnostic(display, line, 0, "", "not an answer file: the first row names neither "
                                f"'{CODE}' and '{PHASE}' (knowledge test) nor a question of the evaluation",
                                "export the answers from KoboToolbox with 'XML values and headers', or copy the "
                                "first row of an entry sheet from build/events/ID/forms/; keep only answer files "
                                "in the event folder", code="WK725"))
        return None
    known = forms.test if kind == TEST else forms.evaluation
    layout = _Layout(kind)
    ok = True
    for col, cell in enumerate(cells, start=1):
        name = _find(cell, known)
        if name is not None:
            if name in layout.fields.values():
                diags.append(Diagnostic(display, line, col, "", f"the column '{cell}' is there twice", "keep one",
                                        code="WK726"))
                ok = False
            layout.fields[col - 1] = name
        elif (option := _option(cell, known)) is not None:
            layout.options[col - 1] = option
        elif cell.startswith("_") or cell.casefold() in _META or not cell:
            continue
        else:
            ok = False
            if cell.casefold() in _PERSONAL:
                hint = "answer files hold participant codes, never names: delete the column"
            else:
                close = difflib.get_close_matches(cell, list(known), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"the columns are {name_list(list(known))}"
            diags.append(Diagnostic(display, line, col, "", f"unknown column '{_short(cell)}'", hint, code="WK726"))
    if kind == TEST:
        answered = set(layout.fields.values()) | {q for q, _ in layout.options.values()}
        missing = [name for name in known if name not in answered]
        if missing:
            diags.append(Diagnostic(display, line, 0, "", f"no column for {name_list(missing)}",
                                    "add the column (the entry sheet and the form have one per question), or export "
                                    "every question of the form", code="WK727"))
            ok = False
    return layout if ok else None


def _short(value: str) -> str:
    """A cell quoted in a message: at most 40 characters."""
    return value if len(value) <= 40 else value[:39] + "…"


def _cell(cells: list[str], col: int) -> str:
    return cells[col] if col < len(cells) else ""


def _picked(q: Question, value: str, display: str, line: int, col: int, diags: list[Diagnostic]) -> frozenset[str] | None:
    """The choices one cell names; None (with a diagnostic) when one of them is not an option."""
    if not value:
        return frozenset()
    whole = q.choice(value)
    if whole is not None:
        return frozenset({whole})
    if q.kind == "select_multiple":
        chosen = [q.choice(part) for part in _SPLIT.split(value) if part]
        if chosen and all(c is not None for c in chosen):
            return frozenset(c for c in chosen if c is not None)
    names = [name for name, _ in q.choices]
    several = " (several separated by spaces)" if q.kind == "select_multiple" else ""
    diags.append(Diagnostic(display, line, col + 1, "", f"'{_short(value)}' is not an answer to '{q.name}'",
                            f"write one of {name_list(names)}{several}", code="WK730"))
    return None


def _options_picked(q: str, layout: _Layout, cells: list[str], display: str, line: int,
                    diags: list[Diagnostic]) -> frozenset[str] | None:
    """A multiple choice from Kobo's 1/0 column per option."""
    picked: set[str] = set()
    ok = True
    for col, (question, choice) in layout.options.items():
        if question != q:
            continue
        value = _cell(cells, col).casefold()
        if value in _YES:
            picked.add(choice)
        elif value not in _NO:
            diags.append(Diagnostic(display, line, col + 1, "", f"'{_short(_cell(cells, col))}' is neither 1 nor 0",
                                    "a column of one option holds 1 (picked) or 0", code="WK730"))
            ok = False
    return frozenset(picked) if ok else None


@dataclass
class _Reader:
    """Reads the rows of the answer files of one event."""

    forms: Forms
    names: set[str]  # words of the roster's names (casefolded): a code must not be one
    diags: list[Diagnostic]
    answers: Answers = field(default_factory=Answers)
    seen: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)

    def file(self, path: Path, display: str) -> None:
        before = len(self.diags)
        if path.is_symlink():  # answers are typed or exported into the folder, never linked from elsewhere
            self.diags.append(Diagnostic(display, 0, 0, "", "the answer file is a symbolic link",
                                         "copy the file itself into the event folder", code="WK003"))
            self.answers.file_problems += 1
            return
        rows = _read_csv(path, display, self.diags, sniff=True)
        if rows is None:
            self.answers.file_problems += len(self.diags) - before
            return
        if not rows:
            return
        layout = _layout(rows[0], self.forms, display, self.diags)
        if layout is None:
            self.answers.file_problems += len(self.diags) - before
            return
        self.answers.files.append(display)
        self.answers.kinds.add(layout.kind)
        width = len(rows[0][1])
        for line, cells in rows[1:]:
            if len(cells) > width:
                self.diags.append(Diagnostic(display, line, width + 1, "", f"{len(cells)} cells in a row of {width} "
                                             "columns", "a comma inside an answer needs quotes: \"a, b\"", code="WK715"))
                self.answers.bad_rows += 1
                continue
            ok = self.test_row(layout, cells, display, line) if layout.kind == TEST \
                else self.evaluation_row(layout, cells, display, line)
            if not ok:
                self.answers.bad_rows += 1

    def _select(self, layout: _Layout, q: Question, cells: list[str], display: str, line: int) -> frozenset[str] | None:
        col = next((c for c, name in layout.fields.items() if name == q.name), None)
        if any(question == q.name for question, _ in layout.options.values()):
            return _options_picked(q.name, layout, cells, display, line, self.diags)
        assert col is not None
        return _picked(q, _cell(cells, col), display, line, col, self.diags)

    def test_row(self, layout: _Layout, cells: list[str], display: str, line: int) -> bool:
        cols = {name: col for col, name in layout.fields.items()}
        code = _cell(cells, cols[CODE])
        ok = True
        if not code:
            self.diags.append(Diagnostic(display, line, cols[CODE] + 1, "", "no participant code",
                                         "write the code from the test sheet, or delete the row", code="WK728"))
            ok = False
        elif not _CODE.match(code):
            self.diags.append(Diagnostic(display, line, cols[CODE] + 1, "", f"'{_short(code)}' is not a participant code",
                                         "a code is 2 to 16 letters, digits or '-', e.g. P07", code="WK728"))
            ok = False
        elif code.casefold() in self.names:
            self.diags.append(Diagnostic(display, line, cols[CODE] + 1, "", f"the code '{code}' is a name on the roster",
                                         "answers carry codes, never names: give the person a code", code="WK728"))
            ok = False
        phase_cell = _cell(cells, cols[PHASE])
        phase = self.forms.test[PHASE].choice(phase_cell) if phase_cell else None
        if phase is None:
            self.diags.append(Diagnostic(display, line, cols[PHASE] + 1, "",
                                         f"'{_short(phase_cell)}' is not a phase" if phase_cell else "no phase",
                                         "write pre (before the workshop) or post (after it)", code="WK729"))
            ok = False
        picked: dict[str, frozenset[str]] = {}
        for q in self.forms.test.values():
            if q.name in (CODE, PHASE) or q.kind not in ("select_one", "select_multiple"):
                continue
            value = self._select(layout, q, cells, display, line)
            if value is None:
                ok = False
            else:
                picked[q.name] = value
        if not ok or phase is None:
            return False
        key = (code.upper(), phase)
        if key in self.seen:
            file, first = self.seen[key]
            where = f"line {first}" if file == display else f"{file}:{first}"
            self.diags.append(Diagnostic(display, line, cols[CODE] + 1, "",
                                         f"'{code}' has a {phase}-test already (on {where})",
                                         "keep one of the rows; if two people share a code, give one a new code",
                                         code="WK731"))
            return False
        self.seen[key] = (display, line)
        self.answers.tests.append(Attempt(display, line, code.upper(), phase, picked))
        return True

    def evaluation_row(self, layout: _Layout, cells: list[str], display: str, line: int) -> bool:
        answer = EvaluationAnswer(display, line)
        ok = True
        answered = set(layout.fields.values()) | {q for q, _ in layout.options.values()}
        for q in self.forms.evaluation.values():
            if q.name not in answered:
                continue
            if q.kind == "text":
                col = next(c for c, name in layout.fields.items() if name == q.name)
                if text := _cell(cells, col):
                    answer.comments[q.name] = text
                continue
            value = self._select(layout, q, cells, display, line)
            if value is None:
                ok = False
            elif value:
                answer.ratings[q.name] = int(next(iter(value)))
        if ok:
            self.answers.evaluations.append(answer)
        return ok


def read_answers(root: Path, kit: Kit, diags: list[Diagnostic]) -> Answers:
    """Read every answer file of the event; problems go to ``diags``."""
    forms = Forms.of(kit)
    names = {word for m in kit.folder.roster for word in re.findall(r"[\w-]{2,}", person_key(m.name))}
    reader = _Reader(forms, names, diags)
    for path in answer_files(kit.folder.path):
        reader.file(path, f"{EVENTS}/{kit.folder.id}/{path.name}")
    return reader.answers
