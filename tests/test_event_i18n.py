"""The XLSForms of an event in every language of the curriculum: English and Korean labels, hints
and choices, converted by pyxform, and answers exported with the Korean labels read back.

The fixture is the mini curriculum with Korean declared and its catalogues translated ("번역 "
before each English text of module alpha and beta and of the workshop).
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from test_event import new_event
from test_event_results import form_sheets
from test_i18n import declare_korean

from workshopkit.kit.build import build_event, prepare
from workshopkit.strings import load_strings

EN, KO = "label::English (en)", "label::한국어 (ko)"
ROSTER = "\ufeffname,organisation\n김지원,하나센터 서울\nMaria Lopez,Red Cross\n"


@pytest.fixture
def korean(repo: Path) -> Path:
    declare_korean(repo)
    for path in [repo / "modules" / "alpha" / "locales" / "ko.po", repo / "modules" / "beta" / "locales" / "ko.po",
                 repo / "curriculum" / "locales" / "ko.po"]:
        po = polib.pofile(str(path))
        for e in po:
            e.msgstr = "번역 " + e.msgid
        po.save(str(path))
    new_event(repo, "workshop: demo\n", ROSTER)
    return repo


def test_the_forms_carry_every_language_and_convert_with_pyxform(korean: Path):
    from pyxform.xls2xform import convert

    ko = load_strings("ko")
    forms = build_event(korean, "spring").folder / "forms"
    survey, lists = form_sheets(forms / "knowledge-test.xlsx")
    code = next(q for q in survey if q["name"] == "participant_code")
    assert code[EN] == "Participant code" and code[KO] == ko["kit_form_code"]
    assert code["hint::한국어 (ko)"] == ko["kit_form_code_hint"] and code["hint::English (en)"].startswith("The code")
    assert code["constraint_message::한국어 (ko)"] == ko["kit_form_code_rule"]
    q1 = next(q for q in survey if q["name"] == "q_alpha__q1")
    assert q1[EN] == "What comes first in a first conversation?"
    assert q1[KO] == "번역 What comes first in a first conversation?"
    assert [(c["name"], c[KO]) for c in lists["q_alpha__q1"]] == [
        ("a", "번역 Detailed questions about the journey"), ("b", "번역 Explaining your role and asking for consent"),
        ("c", "번역 Taking a photo of documents")]
    assert [c[KO] for c in lists["phase"]] == [ko["kit_form_pre"], ko["kit_form_post"]]

    warnings: list[str] = []
    test = convert(xlsform=str(forms / "knowledge-test.xlsx"), warnings=warnings).xform
    evaluation = convert(xlsform=str(forms / "evaluation.xlsx"), warnings=warnings).xform
    assert warnings == []
    for xform in (test, evaluation):
        assert '<translation lang="English (en)" default="true()">' in xform
        assert '<translation lang="한국어 (ko)">' in xform
    korean_part = test.split('<translation lang="한국어 (ko)">', 1)[1].split("</translation>", 1)[0]
    assert "번역 What comes first in a first conversation?" in korean_part
    assert "번역 Explaining your role and asking for consent" in korean_part
    assert ko["kit_form_code_hint"] in korean_part
    korean_eval = evaluation.split('<translation lang="한국어 (ko)">', 1)[1].split("</translation>", 1)[0]
    assert "번역 Opening a first conversation" in korean_eval and ko["eval_useful"] in korean_eval
    assert re.search(r"5 – [^<]+", korean_eval)  # the rating scale in Korean
    # No answer and no explanation in any language.
    assert "번역 Consent and clarity" not in test and "Consent and clarity" not in test


def test_answers_exported_with_the_korean_labels_read_like_the_english(korean: Path):
    from workshopkit.kit.answers import read_answers

    forms = build_event(korean, "spring").folder / "forms"
    survey, lists = form_sheets(forms / "knowledge-test.xlsx")
    label = {q["name"]: q[KO] for q in survey}
    choice = {(name, c["name"]): c[KO] for name, choices in lists.items() for c in choices}
    header = [label["participant_code"], label["phase"], label["q_alpha__q1"], label["q_alpha__q2"],
              label["q_beta__q1"]]
    row = ["P01", choice[("phase", "post")], choice[("q_alpha__q1", "b")], choice[("true_false", "true")]]
    # The multiple choice as Kobo exports it with labels: one 1/0 column per option, "question/option".
    options = [f"{label['q_beta__q1']}/{choice[('q_beta__q1', k)]}" for k in ("a", "b", "c")]
    text = (";".join(f'"{c}"' for c in header[:4] + options) + "\n"
            + ";".join(f'"{c}"' for c in row + ["1", "1", "0"]) + "\n")
    (korean / "events" / "spring" / "kobo-ko.csv").write_text(text, encoding="utf-8")
    kit, diags = prepare(korean, "spring")
    assert kit is not None and [e.language for e in kit.editions] == ["en", "ko"]
    answers = read_answers(korean, kit, diags)
    assert diags == []
    (attempt,) = answers.tests
    assert (attempt.code, attempt.phase) == ("P01", "post")
    assert attempt.picked == {"q_alpha__q1": frozenset({"b"}), "q_alpha__q2": frozenset({"true"}),
                              "q_beta__q1": frozenset({"a", "b"})}
