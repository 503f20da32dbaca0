"""The knowledge test and the evaluation form as XLSForms, for KoboToolbox and ODK Collect.

An XLSForm is a workbook of three sheets: ``survey`` (one row per question: its type, a name,
its label in each language, whether it is required), ``choices`` (the answers of each list)
and ``settings`` (the form's title and id). The forms are made from the participant view:
they hold the questions as participants get them, never an answer or an explanation. Field
names are stable across runs (module and item ids), so results of several events line up.

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
from ..strings import Strings

#: Label columns: "label::English (en)", as KoboToolbox writes them.
LANGUAGE_NAMES = {"en": "English", "ko": "Korean"}
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


@dataclass
class Form:
    """One XLSForm: rows of its three sheets."""

    title: str
    form_id: str
    version: str
    language: str
    survey: list[dict[str, str]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"label::{LANGUAGE_NAMES.get(self.language, self.language)} ({self.language})"

    def localised(self, column: str) -> str:
        return self.label.replace("label::", f"{column}::", 1)

    def question(self, kind: str, name: str, label: str, *, required: bool = True,
                 extra: dict[str, str] | None = None) -> None:
        """A row of the survey; ``extra`` columns by name (texts people read, 'hint' and
        'constraint_message', are put in this form's language)."""
        row = {"type": kind, "name": name, self.label: label, "required": "yes" if required else ""}
        row.update({self.localised(k) if k in _TEXT_COLUMNS else k: v for k, v in (extra or {}).items()})
        self.survey.append(row)

    def choice_list(self, name: str, options: list[tuple[str, str]]) -> None:
        for value, label in options:
            self.choices.append({"list_name": name, "name": value, self.label: label})

    def save(self, path: Path) -> None:
        from openpyxl import Workbook

        book = Workbook()
        sheets = {"survey": self.survey, "choices": self.choices,
                  "settings": [{"form_title": self.title, "form_id": self.form_id, "version": self.version,
                                "default_language": self.label.removeprefix("label::")}]}
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


def knowledge_test(view: View, wv: WorkshopView, strings: Strings, version: str) -> Form:
    """The pre/post knowledge test of a workshop, as participants get it."""
    w = wv.workshop
    form = Form(f"{w.title} – {strings['pre_post_test']}", f"{w.id}-knowledge-test", version, "en")
    form.question("text", "participant_code", strings["kit_form_code"],
                  extra={"hint": strings["kit_form_code_hint"], "constraint": f"regex(., '{CODE_PATTERN}')",
                         "constraint_message": strings["kit_form_code_rule"]})
    form.question("select_one phase", "phase", strings["kit_form_phase"])
    form.choice_list("phase", [("pre", strings["kit_form_pre"]), ("post", strings["kit_form_post"])])
    form.choice_list("true_false", [("true", strings["kit_form_true"]), ("false", strings["kit_form_false"])])
    modules = {m.id: m for m in view.modules}
    for m, q in knowledge_test_items(w, modules):
        name = field_name(m.id, q.id)
        relevant = {"relevant": f"${{phase}} = '{q.phase}'"} if q.phase in ("pre", "post") else {}
        if q.type in ("single", "multiple"):
            form.choice_list(name, [(key, _plain(text)) for key, text in q.options.items()])
            kind = f"select_one {name}" if q.type == "single" else f"select_multiple {name}"
        elif q.type == "true-false":
            kind = "select_one true_false"
        else:
            kind = "text"
        form.question(kind, name, _plain(q.prompt), extra=relevant)
    return form


def evaluation(view: View, wv: WorkshopView, strings: Strings, version: str) -> Form:
    """The evaluation form of a workshop: each session, the statements, the open questions."""
    w = wv.workshop
    form = Form(f"{w.title} – {strings['evaluation_form']}", f"{w.id}-evaluation", version, "en")
    form.choice_list("useful", [(str(n), label) for n, label in zip(range(1, 6), _scale(strings["eval_scale"]), strict=True)])
    form.choice_list("agree", [(str(n), label) for n, label in zip(range(1, 6), _scale(strings["eval_scale_agree"]),
                                                                   strict=True)])
    form.question("note", "useful", strings["eval_useful"], required=False)
    for day in wv.days:
        for row in day.rows:
            if row.kind == "session" and not row.closed:
                form.question("select_one useful", field_name(row.module_id, row.session_id), row.title, required=False)
    form.question("note", "agree", strings["eval_agree"], required=False)
    for key in ("eval_q_objectives", "eval_q_facilitation", "eval_q_safe", "eval_q_materials", "eval_q_apply"):
        form.question("select_one agree", "agree_" + key.removeprefix("eval_q_"), strings[key], required=False)
    for key in ("eval_open_best", "eval_open_change", "eval_open_use", "eval_open_other"):
        form.question("text", "open_" + key.removeprefix("eval_open_"), strings[key], required=False)
    return form


def _scale(text: str) -> list[str]:
    """The five labels of a scale written as '1 = not at all, 2 = a little, …'."""
    labels = [part.split("=", 1)[1].strip() for part in text.split(",") if "=" in part]
    if len(labels) != 5:
        raise ValueError(f"a rating scale needs five labels: {text!r}")
    return [f"{n} – {label}" for n, label in enumerate(labels, start=1)]
