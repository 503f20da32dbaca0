"""The knowledge test and the evaluation form as XLSForms, for KoboToolbox and ODK Collect.

An XLSForm is a workbook of three sheets: ``survey`` (one row per question: its type, a name,
its label in each language, whether it is required), ``choices`` (the answers of each list)
and ``settings`` (the form's title and id). The forms are made from the participant view:
they hold the questions as participants get them, never an answer or an explanation. Field
names are stable across runs (module and item ids), so results of several events line up.

Every text is written in each language of the curriculum (English first, then those of
``languages`` in ``curriculum/curriculum.yml``), in the columns KoboToolbox and ODK Collect read
(``label::English (en)``, ``label::한국어 (ko)``, and so for hints and choices), so that each
person answers in their language and the answers line up whatever the language.

The knowledge test asks for the participant code (the same on the pre-test and the post-test,
never a name) and for the phase; an item meant only for the pre-test or the post-test is shown
only in that phase. The evaluation is anonymous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..agenda import knowledge_test_items
from ..audience import View, WorkshopView
from ..evaluation import RATING
from ..evaluation import questions as evaluation_questions
from ..strings import Strings

CODE_PATTERN = "^[A-Za-z0-9-]{2,16}$"
#: Columns of the survey that people read, written per language.
_TEXT_COLUMNS = ("hint", "constraint_message")
_MARKUP = re.compile(r"[*_`]|\[([^\]]*)\]\([^)]*\)")


def _plain(text: str) -> str:
    """A question's text without Markdown emphasis or link targets (forms show plain text)."""
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", text).split())


def field_name(*ids: str) -> str:
    """An XLSForm name from ids: letters, digits, '_' (never a leading digit)."""
    return "q_" + "__".join(i.replace("-", "_") for i in ids)


@dataclass(frozen=True)
class Edition:
    """The workshop in one language, as participants get it: what a form's labels in that
    language are made from."""

    language: str
    view: View
    workshop: WorkshopView
    strings: Strings

    @property
    def column(self) -> str:
        """The language as XLSForm columns name it: 'English (en)', '한국어 (ko)'."""
        return f"{self.strings['language_name']} ({self.language})"


@dataclass
class Form:
    """One XLSForm: rows of its three sheets, with every text in each of ``languages`` (the
    first is the form's default language)."""

    title: str
    form_id: str
    version: str
    languages: list[str]  # the columns' language names, e.g. ['English (en)', '한국어 (ko)']
    survey: list[dict[str, str]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The label column of the default language: 'label::English (en)'."""
        return f"label::{self.languages[0]}"

    @property
    def labels(self) -> list[str]:
        return [f"label::{lang}" for lang in self.languages]

    def _texts(self, column: str, texts: list[str]) -> dict[str, str]:
        if len(texts) != len(self.languages):
            raise ValueError(f"{len(texts)} texts for the {len(self.languages)} languages of the form")
        return {f"{column}::{lang}": text for lang, text in zip(self.languages, texts, strict=True)}

    def question(self, kind: str, name: str, labels: list[str], *, required: bool = True,
                 extra: dict[str, str | list[str]] | None = None) -> None:
        """A row of the survey, its label in each language; ``extra`` columns by name (texts people
        read, 'hint' and 'constraint_message', are given in each language)."""
        row = {"type": kind, "name": name, **self._texts("label", labels), "required": "yes" if required else ""}
        for key, value in (extra or {}).items():
            if key in _TEXT_COLUMNS:
                row.update(self._texts(key, value if isinstance(value, list) else [value] * len(self.languages)))
            else:
                assert isinstance(value, str)
                row[key] = value
        self.survey.append(row)

    def choice_list(self, name: str, options: list[tuple[str, list[str]]]) -> None:
        for value, labels in options:
            self.choices.append({"list_name": name, "name": value, **self._texts("label", labels)})

    def save(self, path: Path) -> None:
        from openpyxl import Workbook

        book = Workbook()
        sheets = {"survey": self.survey, "choices": self.choices,
                  "settings": [{"form_title": self.title, "form_id": self.form_id, "version": self.version,
                                "default_language": self.languages[0]}]}
        first = True
        for title, rows in sheets.items():
            sheet = book.active if first else book.create_sheet()
            assert sheet is not None
            sheet.title = title
            first = False
            columns: list[str] = []
            for row in rows:
                columns += [c for c in row if c not in columns]
            sheet.append(columns)
            for row in rows:
                sheet.append([row.get(c, "") for c in columns])
        book.save(path)


def _form(editions: list[Edition], key: str, suffix: str, version: str) -> Form:
    w = editions[0].workshop.workshop
    return Form(f"{w.title} – {editions[0].strings[key]}", f"{w.id}-{suffix}", version, [e.column for e in editions])


def _strings(editions: list[Edition], key: str) -> list[str]:
    return [e.strings[key] for e in editions]


def knowledge_test(editions: list[Edition], version: str) -> Form:
    """The pre/post knowledge test of a workshop, as participants get it, in each edition's
    language (the first is the default)."""
    form = _form(editions, "pre_post_test", "knowledge-test", version)
    form.question("text", "participant_code", _strings(editions, "kit_form_code"),
                  extra={"hint": _strings(editions, "kit_form_code_hint"), "constraint": f"regex(., '{CODE_PATTERN}')",
                         "constraint_message": _strings(editions, "kit_form_code_rule")})
    form.question("select_one phase", "phase", _strings(editions, "kit_form_phase"))
    form.choice_list("phase", [("pre", _strings(editions, "kit_form_pre")), ("post", _strings(editions, "kit_form_post"))])
    form.choice_list("true_false", [("true", _strings(editions, "kit_form_true")),
                                    ("false", _strings(editions, "kit_form_false"))])
    items = [{(m.id, q.id): q for m, q in knowledge_test_items(e.workshop.workshop, {m.id: m for m in e.view.modules})}
             for e in editions]
    for (mid, qid), q in items[0].items():
        same = [found.get((mid, qid), q) for found in items]  # a language misses no item; if it did: English
        name = field_name(mid, qid)
        relevant: dict[str, str | list[str]] = {"relevant": f"${{phase}} = '{q.phase}'"} if q.phase in ("pre", "post") else {}
        if q.type in ("single", "multiple"):
            form.choice_list(name, [(key, [_plain(t.options.get(key, text)) for t in same]) for key, text in q.options.items()])
            kind = f"select_one {name}" if q.type == "single" else f"select_multiple {name}"
        elif q.type == "true-false":
            kind = "select_one true_false"
        else:
            kind = "text"
        form.question(kind, name, [_plain(t.prompt) for t in same], extra=relevant)
    return form


def evaluation(editions: list[Edition], version: str) -> Form:
    """The evaluation form of a workshop: each session, the statements, the open questions (the
    default ones and the workshop's own, see :mod:`workshopkit.evaluation`), in each edition's
    language."""
    form = _form(editions, "evaluation_form", "evaluation", version)
    asked = [{q.field: q for q in evaluation_questions(e.workshop.workshop, e.strings)} for e in editions]
    rated = any(q.type == RATING for q in asked[0].values())
    for list_name, key in (("useful", "eval_scale"), ("agree", "eval_scale_agree")):
        if list_name == "agree" and not rated:
            continue  # only open questions besides the sessions
        scales = [_scale(e.strings[key]) for e in editions]
        form.choice_list(list_name, [(str(n), [scale[n - 1] for scale in scales]) for n in range(1, 6)])
    form.question("note", "useful", _strings(editions, "eval_useful"), required=False)
    titles = [{(r.module_id, r.session_id): r.title for day in e.workshop.days for r in day.rows} for e in editions]
    for day in editions[0].workshop.days:
        for row in day.rows:
            if row.kind == "session" and not row.closed:
                ids = (row.module_id, row.session_id)
                form.question("select_one useful", field_name(*ids), [t.get(ids, row.title) for t in titles],
                              required=False)
    if rated:
        form.question("note", "agree", _strings(editions, "eval_agree"), required=False)
    for q in asked[0].values():  # a language misses no question; if it did: English
        labels = [found.get(q.field, q).text for found in asked]
        form.question("select_one agree" if q.type == RATING else "text", q.field, labels, required=False)
    return form


def _scale(text: str) -> list[str]:
    """The five labels of a scale written as '1 = not at all, 2 = a little, …'."""
    labels = [part.split("=", 1)[1].strip() for part in text.split(",") if "=" in part]
    if len(labels) != 5:
        raise ValueError(f"a rating scale needs five labels: {text!r}")
    return [f"{n} – {label}" for n, label in enumerate(labels, start=1)]
