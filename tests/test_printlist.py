"""The print list: quantities from the number of participants and each activity's grouping.

The fixture is the mini curriculum's one-day workshop ``demo`` (one facilitator) with a few
additions to module alpha and beta: role cards for the triad role play, an answer sheet only
facilitators may see, counts written into the materials, and a handout used in the closed-door
session. Worked out by hand for 22 participants:

    workbook, evaluation form       22 each (one per participant)
    knowledge test                  44 (22 × 2: before and after)
    facilitator guide, answer key   1 each (one facilitator)
    The case of Lin                 22 (a case study read in small groups: one per person)
    Role cards                      7 triad sets (22 // 3 = 7 triads, one of four)
    Answer sheet (facilitator)      1 (facilitators only)
    Closed-door notes (restricted)  1 (facilitators only)
    Ethics card (one per participant)          22
    Observer checklist, three per triad        21 (7 triads × 3)
    Extension cards, one set per group         4 (22 people in groups of up to 6)
    Flipchart, Markers, A bell                 no count (as written)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workshopkit.build import load_checked
from workshopkit.printlist import PrintLine, _Vocabulary, groups, print_list
from workshopkit.strings import load_strings

ALPHA_HANDOUTS = """\
  - id: role-cards
    title: Role cards
    kind: role-card
    file: handouts/role-cards.md
  - id: answer-sheet
    title: Answer sheet
    kind: reading
    file: handouts/answer-sheet.md
    visibility: facilitator
"""
BETA_HANDOUTS = """\
handouts:
  - id: closed-notes
    title: Closed-door notes
    kind: reading
    file: notes.md
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project_root(mini: Path) -> Path:
    alpha = mini / "modules" / "alpha"
    (alpha / "handouts" / "role-cards.md").write_text("Helper, person, observer.\n", encoding="utf-8")
    (alpha / "handouts" / "answer-sheet.md").write_text("The answers.\n", encoding="utf-8")
    (mini / "modules" / "beta" / "notes.md").write_text("Notes for the closed session.\n", encoding="utf-8")
    module = alpha / "module.yml"
    _edit(module, "handouts:\n", "handouts:\n" + ALPHA_HANDOUTS)
    _edit(module, "        grouping: triads\n", "        grouping: triads\n        handout: role-cards\n")
    _edit(module, "        title: Closing round\n", "        title: Closing round\n        handout: answer-sheet\n")
    _edit(module, "    objectives: [lo2]\n", "    objectives: [lo2]\n    materials:\n"
                  "      - Ethics card (one per participant)\n      - Observer checklist, three per triad\n"
                  "      - A bell\n")
    _edit(module, "        participant: Discuss one more example.\n",
          "        participant: Discuss one more example.\n        materials: [\"Extension cards, one set per group\"]\n")
    beta = mini / "modules" / "beta" / "module.yml"
    _edit(beta, "        participant: Share experiences under the Chatham House Rule.\n",
          "        participant: Share experiences under the Chatham House Rule.\n        handout: closed-notes\n")
    beta.write_text(beta.read_text(encoding="utf-8") + BETA_HANDOUTS, encoding="utf-8")
    return mini


def _lines(root: Path, participants: int, **kw) -> dict[str, PrintLine]:
    project, _ = load_checked(root)
    (workshop,) = [w for w in project.workshops if w.id == "demo"]
    return {line.key: line for line in print_list(project, workshop, participants, load_strings("en"), **kw)}


def test_quantities_for_22_participants_equal_the_hand_counted_ones(project_root: Path):
    lines = _lines(project_root, 22)
    counted = {key: (line.quantity, line.unit, line.facilitator_only) for key, line in lines.items()}
    assert counted == {
        "document:workbook": (22, "copies", False),
        "document:knowledge-test": (44, "copies", False),
        "document:evaluation": (22, "copies", False),
        "document:facilitator-guide": (1, "copies", True),
        "document:answer-key": (1, "copies", True),
        "handout:alpha/case-lin": (22, "copies", False),
        "handout:alpha/role-cards": (7, "triad sets", False),
        "handout:alpha/answer-sheet": (1, "copies", True),
        "handout:beta/closed-notes": (1, "copies", True),
        "material:alpha/opening/0": (None, "", False),  # Flipchart
        "material:alpha/opening/1": (None, "", False),  # Markers
        "material:alpha/opening/extra/0": (4, "", False),
        "material:alpha/practice/0": (22, "", False),
        "material:alpha/practice/1": (21, "", False),
        "material:alpha/practice/2": (None, "", False),
    }
    assert lines["handout:alpha/role-cards"].label == "Role cards ×7 triad sets"
    assert lines["handout:alpha/role-cards"].how == "22 participants in triads: 22 ÷ 3 = 7 triads"
    assert lines["handout:alpha/role-cards"].session == "Day 1, 10:00 – Practising the opening"
    assert lines["material:alpha/practice/0"].label == "Ethics card (one per participant) ×22"
    assert lines["material:alpha/practice/1"].how == "22 participants in triads: 22 ÷ 3 = 7 triads, 3 each"
    assert lines["material:alpha/opening/extra/0"].how == "22 participants in groups of up to 6: 4 groups"
    assert lines["document:knowledge-test"].how == "22 participants × 2 (before and after the workshop)"
    assert lines["material:alpha/opening/0"].how == "as written in the session plan"
    # The order: documents, then handouts and materials in the order of the agenda.
    keys = list(lines)
    assert keys[:5] == ["document:workbook", "document:knowledge-test", "document:evaluation",
                        "document:facilitator-guide", "document:answer-key"]
    assert keys.index("handout:alpha/case-lin") < keys.index("handout:alpha/role-cards") < \
        keys.index("handout:beta/closed-notes") < keys.index("material:alpha/opening/0")


def test_the_facilitators_and_the_core_version_change_the_counts(project_root: Path):
    lines = _lines(project_root, 9, facilitators=3)
    assert lines["document:facilitator-guide"].quantity == 3 and lines["handout:alpha/answer-sheet"].quantity == 3
    assert lines["handout:alpha/role-cards"].quantity == 3  # 9 // 3
    assert lines["material:alpha/opening/extra/0"].quantity == 2  # 9 people: groups of 4 and 5
    # The core version of alpha leaves the extension activity, and its materials, out.
    _edit(project_root / "curriculum" / "demo.yml", "      - module: alpha\n", "      - module: alpha\n        variant: core\n")
    assert "material:alpha/opening/extra/0" not in _lines(project_root, 9)


def test_a_view_lists_only_what_it_holds(project_root: Path):
    from workshopkit.audience import view
    from workshopkit.visibility import Audience

    project, _ = load_checked(project_root)
    facilitators = view(project, Audience("facilitator"))  # closed-door sessions left out
    (workshop,) = [w.workshop for w in facilitators.workshops if w.workshop.id == "demo"]
    keys = {line.key for line in print_list(facilitators, workshop, 22, load_strings("en"))}
    assert "handout:alpha/answer-sheet" in keys and "handout:beta/closed-notes" not in keys


@pytest.mark.parametrize(("grouping", "n", "expected"), [
    ("triads", 22, 7), ("triads", 23, 7), ("triads", 24, 8), ("triads", 2, 1), ("triads", 0, 0),
    ("pairs", 22, 11), ("pairs", 23, 11), ("pairs", 1, 1),
    ("small-groups", 22, 4), ("small-groups", 24, 4), ("small-groups", 25, 5), ("small-groups", 7, 2),
    ("individual", 22, 22), ("plenary", 22, 22),
])
def test_groups_are_counted_the_way_a_room_splits(grouping: str, n: int, expected: int):
    assert groups(grouping, n) == expected


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("en", "Role cards (caseworker and Ms Han), one set per triad", ("triads", 1)),
    ("en", "Observer checklist, three per triad", ("triads", 3)),
    ("en", "Planning worksheet and interview checklist (one each per participant)", ("individual", 1)),
    ("en", "Handout \"Sphere treasure hunt\", one per pair (extension)", ("pairs", 1)),
    ("en", "Principle cards: 12 statement cards and 4 header cards (Humanity, Neutrality) per group", ("small-groups", 1)),
    ("en", "Markers in two colours", None),
    ("en", "A perpetual calendar", None),  # 'per' inside a word is no count
    ("ko", "관찰자 체크리스트, 3인 1조마다 3부", ("triads", 3)),
    ("ko", "역할 카드 A, B, C(3인 1조당 한 세트)", ("triads", 1)),
    ("ko", "유인물 “인도주의 원칙 한눈에 보기”, 참가자 1인당 1부", ("individual", 1)),
    ("ko", "5열 매트릭스를 그린 플립차트, 소그룹별 1장", ("small-groups", 1)),
    ("ko", "포스트잇과 타이머", None),
])
def test_counts_written_in_materials_are_read_in_each_language(language: str, text: str, expected):
    assert _Vocabulary.of(load_strings(language)).count(text) == expected


def test_a_korean_print_list_speaks_korean(project_root: Path):
    lines = _lines_in(project_root, "ko")
    assert lines["handout:alpha/role-cards"].label == "Role cards ×7 세트(3인 1조별)"
    assert lines["handout:alpha/role-cards"].how == "참가자 22명을 3인 1조로: 22 ÷ 3 = 7조"


def _lines_in(root: Path, language: str) -> dict[str, PrintLine]:
    project, _ = load_checked(root)
    (workshop,) = [w for w in project.workshops if w.id == "demo"]
    return {line.key: line for line in print_list(project, workshop, 22, load_strings(language))}
