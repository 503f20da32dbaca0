"""A workshop's own evaluation questions (``evaluation:`` in the workshop file).

On the mini curriculum's workshop ``demo``: the printed evaluation form and the facilitator
guide ask them (and, with ``defaults: replace``, not the default statements and open
questions), the XLSForm carries them and converts with pyxform, answers typed into the entry
sheet are read back (ratings checked against the scale, comments kept) and the evaluation
summary shows them; mistakes are reported at their line; a Korean translation reaches the
Korean form and the Korean XLSForm labels.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polib
import pytest
from test_event import new_event
from test_event_results import form_sheets
from test_i18n import CURRICULUM

from workshopkit.cli import main
from workshopkit.evaluation import questions
from workshopkit.kit.build import build_event
from workshopkit.kit.report import build_results
from workshopkit.load import load_project
from workshopkit.strings import load_strings

from build_helpers import build, pdf_pages

RATING = "I can brief an interpreter before a counselling session."
OPEN = "What will you need to make your first referral to a Hana Centre partner?"
RATING_KO = "상담 전에 통역인에게 상담의 목적과 비밀보장 원칙을 설명할 수 있습니다."
OPEN_KO = "하나센터 협력 기관에 처음 의뢰·연계할 때 무엇이 필요합니까?"
KEEP = f"""\
evaluation:
  questions:
    - id: interpreter-use
      type: rating
      text: {RATING}
    - id: first-referral
      type: open
      text: {OPEN}
      lines: 6
"""
REPLACE = KEEP.replace("evaluation:\n", "evaluation:\n  defaults: replace\n")
#: The default statements and open questions, as the English form prints them.
DEFAULTS = ("The workshop met its stated objectives.", "I can apply what I learned in my work.",
            "What was most useful?", "Any other comments")


def _with(repo: Path, evaluation: str) -> Path:
    path = repo / "curriculum" / "demo.yml"
    path.write_text(path.read_text(encoding="utf-8") + evaluation, encoding="utf-8")
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# The questions and the printed form


def test_the_questions_follow_the_defaults_or_replace_them(repo: Path):
    strings = load_strings("en")
    _with(repo, KEEP)
    project, _ = load_project(repo)
    (workshop,) = project.workshops
    asked = questions(workshop, strings)
    assert [q.field for q in asked] == [
        "agree_objectives", "agree_facilitation", "agree_safe", "agree_materials", "agree_apply",
        "agree_interpreter_use", "open_best", "open_change", "open_use", "open_other", "open_first_referral"]
    assert [q.lines for q in asked if q.type == "open"] == [4, 4, 4, 4, 6]
    assert asked[5].text == RATING and asked[-1].text == OPEN
    replaced = workshop.model_copy(update={"evaluation": workshop.evaluation.model_copy(update={"defaults": "replace"})})
    assert [q.field for q in questions(replaced, strings)] == ["agree_interpreter_use", "open_first_referral"]


def test_the_printed_form_and_the_guide_ask_only_the_workshops_questions_when_they_replace_the_defaults(repo: Path):
    _with(repo, REPLACE)
    build(repo, site=False)
    form = _flat(" ".join(pdf_pages(repo / "build/pdf/participant/demo/evaluation-form.pdf")))
    guide = _flat(" ".join(pdf_pages(repo / "build/pdf/facilitator/demo/facilitator-guide.pdf")))
    for text in (form, guide[guide.index("Your answers are anonymous."):]):
        assert RATING in text and OPEN in text
        assert "How useful was each session for your work?" in text and "Opening a first conversation" in text
        assert "How far do you agree?" in text  # the table of statements holds the workshop's rating
        assert not [d for d in DEFAULTS if d in text]


def test_an_evaluation_with_only_open_questions_prints_no_table_of_statements(repo: Path):
    _with(repo, REPLACE.replace("      type: rating\n", "      type: open\n"))
    build(repo, site=False, audiences=("participant",))
    form = _flat(" ".join(pdf_pages(repo / "build/pdf/participant/demo/evaluation-form.pdf")))
    assert RATING in form and OPEN in form
    assert "How far do you agree?" not in form and "strongly disagree" not in form


# --------------------------------------------------------------------------------------------
# The XLSForm, the answers and the evaluation summary


def test_the_xlsform_asks_them_after_the_defaults_and_converts_with_pyxform(repo: Path):
    from pyxform.xls2xform import convert

    _with(repo, KEEP)
    new_event(repo, "workshop: demo\n", "name\nKim\n")
    forms = build_event(repo, "spring").folder / "forms"
    survey, lists = form_sheets(forms / "evaluation.xlsx")
    names = [q["name"] for q in survey]
    assert names.index("agree_interpreter_use") == names.index("agree_apply") + 1
    assert names[-1] == "open_first_referral" and names[-2] == "open_other"
    rating = next(q for q in survey if q["name"] == "agree_interpreter_use")
    assert (rating["type"], rating["label::English (en)"]) == ("select_one agree", RATING)
    assert next(q for q in survey if q["name"] == "open_first_referral")["type"] == "text"
    warnings: list[str] = []
    xform = convert(xlsform=str(forms / "evaluation.xlsx"), warnings=warnings).xform
    assert warnings == []
    assert "/data/agree_interpreter_use" in xform and "/data/open_first_referral" in xform and RATING in xform
    header = (forms / "evaluation-entry.csv").read_text(encoding="utf-8-sig").strip().split(",")
    assert "agree_interpreter_use" in header and "open_first_referral" in header


@pytest.mark.parametrize(("evaluation", "absent"), [
    (REPLACE, ("agree_objectives", "open_best")),
    (REPLACE.replace("      type: rating\n", "      type: open\n"), ("agree_objectives", "open_best", "agree")),
], ids=["replace", "only-open-questions"])
def test_replacing_the_defaults_leaves_them_out_of_the_xlsform(repo: Path, evaluation: str, absent: tuple[str, ...]):
    from pyxform.xls2xform import convert

    _with(repo, evaluation)
    new_event(repo, "workshop: demo\n", "name\nKim\n")
    forms = build_event(repo, "spring").folder / "forms"
    survey, lists = form_sheets(forms / "evaluation.xlsx")
    names = [q["name"] for q in survey]
    assert "open_first_referral" in names and not [a for a in absent if a in names]
    assert ("agree" in lists) == ("agree" not in absent)  # no rating scale that no question uses
    warnings: list[str] = []
    convert(xlsform=str(forms / "evaluation.xlsx"), warnings=warnings)
    assert warnings == []


def test_answers_to_the_workshops_questions_are_read_checked_and_summarised(repo: Path, capsys):
    _with(repo, KEEP)
    event = new_event(repo, "workshop: demo\n", "name\nKim\n")
    forms = build_event(repo, "spring").folder / "forms"
    header = (forms / "evaluation-entry.csv").read_text(encoding="utf-8-sig").strip().split(",")

    def row(**cells: str) -> list[str]:
        return [cells.get(name, "") for name in header]

    rows = [row(agree_interpreter_use="5", open_first_referral="A named contact person at the Hana Centre"),
            row(agree_interpreter_use="4", agree_apply="4", open_first_referral="Time to call ahead"),
            row(agree_interpreter_use="2"),
            row(agree_interpreter_use="7")]  # not on the scale
    (event / "evaluation.csv").write_text(_csv([header, *rows]), encoding="utf-8")
    column = header.index("agree_interpreter_use") + 1
    assert main(["event", "results", "spring", "--path", str(repo)]) == 1
    out = _flat(capsys.readouterr().out)
    assert (f"events/spring/evaluation.csv:5:{column}: '7' is not an answer to 'agree_interpreter_use' "
            "(write one of 1, 2, 3, 4, 5) [WK730]") in out

    (event / "evaluation.csv").write_text(_csv([header, *rows[:3]]), encoding="utf-8")
    report = build_results(repo, "spring")
    e = report.evaluation
    assert e is not None and e.forms == 3
    statements = {r.field: r for r in e.statements}
    assert list(statements)[-1] == "agree_interpreter_use"
    mine = statements["agree_interpreter_use"]
    assert (mine.label, mine.counts, mine.n, mine.mean) == (RATING, (0, 1, 0, 1, 1), 3, pytest.approx(11 / 3))
    assert dict(e.comments)[OPEN] == ["A named contact person at the Hana Centre", "Time to call ahead"]
    text = _flat(" ".join(pdf_pages(report.folder / "evaluation.pdf")))
    assert f"{RATING} 0 1 0 1 1 3 3.67" in text
    assert OPEN in text and "A named contact person at the Hana Centre" in text and "Time to call ahead" in text


# --------------------------------------------------------------------------------------------
# Mistakes


def _line(path: Path, text: str, nth: int = 1) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if line == text]
    return found[nth - 1]


@pytest.mark.parametrize(("evaluation", "at", "expected"), [
    (KEEP.replace("  questions:\n", "  defaults: no\n  questions:\n"), ("  defaults: no", 1, 3),
     "evaluation.defaults: 'no' is not one of the choices (use one of: keep, replace) [WK033]"),
    (KEEP.replace(f"      text: {RATING}\n", f"      text: {RATING}\n      lines: 3\n"),
     ("    - id: interpreter-use", 1, 7),
     "evaluation.questions[0]: 'lines' is for open questions; a rating is ticked on the scale of 1 to 5 [WK036]"),
    ("evaluation:\n  defaults: replace\n", ("evaluation:", 1, 1),
     "evaluation: 'defaults: replace' leaves the form without statements or open questions: add 'questions', or "
     "keep the defaults [WK036]"),
    (KEEP.replace("id: first-referral", "id: interpreter-use"), ("    - id: interpreter-use", 2, 7),
     "evaluation.questions[1].id: duplicate evaluation question id 'interpreter-use' (also at "
     "evaluation.questions[0]) (give each one its own id) [WK101]"),
    (KEEP.replace("id: first-referral", "id: best"), ("    - id: best", 1, 7),
     "evaluation.questions[1].id: 'best' is the id of a default open question of the evaluation form ('open_best' "
     "in the forms) (give the question another id, or write 'defaults: replace' to ask only the workshop's own "
     "questions) [WK101]"),
    (KEEP.replace(f"text: {OPEN}", "text: no"), ("      text: no", 1, 7),
     "evaluation.questions[1].text: 'no' is a yes/no answer, not the sentence this key asks for (write the "
     "statement or the question as participants read it) [WK037]"),
], ids=["yes-no-defaults", "lines-on-a-rating", "replace-without-questions", "duplicate-id", "id-of-a-default",
        "yes-no-text"])
def test_a_mistake_is_reported_at_its_line(repo: Path, capsys, evaluation: str, at: tuple[str, int, int],
                                           expected: str):
    path = _with(repo, evaluation)
    line_text, nth, col = at
    assert main(["check", str(repo)]) == 1
    out = _flat(capsys.readouterr().out)
    assert f"curriculum/demo.yml:{_line(path, line_text, nth)}:{col}: {expected}" in out


def test_the_same_id_for_a_default_is_fine_once_the_defaults_are_replaced(repo: Path, capsys):
    _with(repo, REPLACE.replace("id: first-referral", "id: best"))
    assert main(["check", str(repo)]) == 0, capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# Translation


def test_a_korean_translation_reaches_the_korean_form_and_the_korean_xlsform_labels(repo: Path):
    _with(repo, KEEP)
    (repo / "curriculum" / "curriculum.yml").write_text(CURRICULUM, encoding="utf-8")
    for module in ("alpha", "beta"):
        path = repo / "modules" / module / "module.yml"
        path.write_text(path.read_text(encoding="utf-8") + "track: t\n", encoding="utf-8")
    assert main(["i18n", "update", "--path", str(repo)]) == 0
    catalogue = repo / "curriculum" / "locales" / "ko.po"
    po = polib.pofile(str(catalogue))
    extracted = {e.msgctxt: e for e in po}
    assert extracted["demo/evaluation/questions/interpreter-use/text"].msgid == RATING
    assert extracted["demo/evaluation/questions/first-referral/text"].msgid == OPEN
    extracted["demo/evaluation/questions/interpreter-use/text"].msgstr = RATING_KO
    extracted["demo/evaluation/questions/first-referral/text"].msgstr = OPEN_KO
    po.save(str(catalogue))

    build(repo, site=False, audiences=("participant",), languages=("ko",))
    form = _flat(" ".join(pdf_pages(repo / "build/pdf/ko/participant/demo/evaluation-form.pdf")))
    assert "상담 전에 통역인에게" in form and "처음 의뢰·연계할 때 무엇이 필요합니까?" in form
    assert RATING not in form and OPEN not in form

    new_event(repo, "workshop: demo\n", "name\nKim\n")
    survey, _ = form_sheets(build_event(repo, "spring").folder / "forms" / "evaluation.xlsx")
    rating = next(q for q in survey if q["name"] == "agree_interpreter_use")
    assert rating["label::English (en)"] == RATING
    assert rating["label::한국어 (ko)"] == RATING_KO
    assert next(q for q in survey if q["name"] == "open_first_referral")["label::한국어 (ko)"] == OPEN_KO
