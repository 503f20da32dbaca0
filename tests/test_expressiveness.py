"""What real trainings say that a plain plan cannot: core and full versions in one guide, timing
ranges, a debrief in turns by role, and cards that the facilitator hands to one person.

One fixture (a copy of ``tests/fixtures/mini`` whose module uses each of these fields, with
canaries in everything private) is built once, sites and PDFs, and its real outputs are read.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from workshopkit.check import check

from build_helpers import all_files_text, build, pdf_text
from test_bad_inputs import ALPHA, DEMO, Edit, apply, replace

FIXTURES = Path(__file__).parent / "fixtures"

SECRET_BRIEF = "CANARYSECRETBRIEF"
ROLE_QUESTION = "CANARYROLEQUESTION"
BRIEF_MD = "modules/alpha/handouts/brief-person.md"

EDITS: tuple[Edit, ...] = (
    # a timing range, counted by its shorter end (the session stays 45 minutes)
    replace(ALPHA, "        method: presentation\n        minutes: 15\n",
            "        method: presentation\n        minutes: 15-20\n"),
    # a debrief in turns: the questions for each role, then those for everyone
    replace(ALPHA, "        debrief:\n          - Helper - what went well?\n          - Person - what helped?\n",
            "        handout: brief-person\n"
            "        debrief_by_role:\n"
            "          - role: Person in distress\n"
            "            questions: [What did the helper do that helped you?, " + ROLE_QUESTION + " how safe did you feel?]\n"
            "          - role: Helper\n"
            "            questions: [What was hardest?]\n"
            "          - role: Observer\n"
            "            questions: [Which words showed respect?]\n"
            "        debrief:\n          - What will you take into your work?\n"),
    # a card that only the person in the role reads: the facilitator hands it out
    replace(ALPHA, "handouts:\n",
            "handouts:\n"
            "  - id: brief-person\n"
            "    title: Brief for the person in distress\n"
            "    kind: role-card\n"
            "    visibility: facilitator\n"
            "    file: handouts/brief-person.md\n"
            "    print:\n"
            "      layout: role-cards\n"),
    # the workshop runs the module's core version and its guide prints both
    replace(DEMO, "      - module: alpha\n", "      - module: alpha\n        variant: core\n"),
    replace(DEMO, "days:\n", "guide_versions: both\ndays:\n"),
)


def _write(root: Path) -> None:
    apply(root, EDITS)
    (root / BRIEF_MD).write_text(
        "Read your card alone; do not show it to the others.\n\n---\n\n"
        f"## You are Mr Lee\n\nYou arrived last month and have not slept for days. {SECRET_BRIEF}\n",
        encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("expressive") / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    _write(root)
    errors = [d.format() for d in check(root)[1] if d.severity == "error"]
    assert not errors, errors
    build(root, out=root / "build")
    return root / "build"


def _guide(built: Path) -> str:
    return re.sub(r"[ \t]+", " ", pdf_text(built / "pdf" / "facilitator" / "demo" / "facilitator-guide.pdf"))


def test_the_guide_prints_the_core_and_the_full_version_with_both_clocks(built: Path):
    text = _guide(built)
    # The module starts at 09:15 after a 15-minute opening. Core clock, then full clock.
    assert "09:15–09:30 09:15–09:30 Short input" in text
    assert "09:30–09:50 09:30–09:50 Case discussion" in text
    assert re.search(r"– 09:50–10:00 Extra practice", text), text[:3000]
    assert "The agenda runs the core version (35 min); the full version takes 45 min." in text
    # the extension activity's plan is printed, in an optional box that says what it adds
    assert "OPTIONAL · FULL VERSION ONLY · 10 MIN" in text.upper()
    assert "Discuss one more example." in text


def test_the_participants_get_the_version_the_agenda_runs(built: Path):
    workbook = pdf_text(built / "pdf" / "participant" / "demo" / "workbook.pdf")
    assert "Short input" in workbook and "Extra practice" not in workbook


def test_a_guide_that_follows_the_agenda_leaves_the_extension_out(tmp_path: Path):
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    _write(root)
    apply(root, (replace(DEMO, "guide_versions: both\n", ""),))
    build(root, out=root / "build", site=False, only="demo", audiences=("facilitator",))
    text = _guide(root / "build")
    assert "Short input" in text and "Extra practice" not in text
    assert "The agenda runs the core version" not in text


def test_a_timing_range_shows_everywhere_and_counts_its_shorter_end(built: Path):
    assert "15–20 min" in _guide(built)
    assert "15–20 min" in pdf_text(built / "pdf" / "participant" / "demo" / "workbook.pdf")
    page = (built / "site" / "participant" / "modules" / "alpha" / "opening.html").read_text("utf-8")
    assert "15–20 min" in page


def test_the_debrief_goes_round_the_roles_in_order(built: Path):
    text = _guide(built)
    order = [text.find(x) for x in ("Person in distress", "What did the helper do that helped you?", ROLE_QUESTION,
                                    "Helper\n", "What was hardest?", "Observer\n", "Which words showed respect?",
                                    "Then everyone", "What will you take into your work?")]
    assert -1 not in order and order == sorted(order), order
    page = (built / "site" / "facilitator" / "modules" / "alpha" / "practice.html").read_text("utf-8")
    assert "Person in distress" in page and ROLE_QUESTION in page and "Then everyone" in page


def test_a_card_for_one_role_is_printed_for_the_facilitator_and_only_announced_to_participants(built: Path):
    card = built / "pdf" / "facilitator" / "handouts" / "alpha" / "brief-person.pdf"
    assert SECRET_BRIEF in pdf_text(card)
    notice = "The facilitator hands out what you need for this activity"
    page = (built / "site" / "participant" / "modules" / "alpha" / "practice.html").read_text("utf-8")
    assert notice in page and "Brief for the person in distress" not in page
    workbook = re.sub(r"\s+", " ", pdf_text(built / "pdf" / "participant" / "demo" / "workbook.pdf"))
    assert notice in workbook
    facilitator_page = (built / "site" / "facilitator" / "modules" / "alpha" / "practice.html").read_text("utf-8")
    assert "Brief for the person in distress" in facilitator_page and notice not in facilitator_page


@pytest.mark.parametrize("folder", ["site/participant", "pdf/participant"])
def test_private_cards_and_debriefs_never_reach_participants(built: Path, folder: str):
    texts = all_files_text(built / folder)
    assert len(texts) > 5
    for canary in (SECRET_BRIEF, ROLE_QUESTION):
        assert not [p for p, t in texts.items() if canary in t], canary
    facilitator = all_files_text(built / folder.replace("participant", "facilitator"))
    assert any(SECRET_BRIEF in t for t in facilitator.values()) and any(ROLE_QUESTION in t for t in facilitator.values())


@pytest.mark.parametrize(("written", "said"), [
    ("20-15", "the range '20-15' must go from the shorter time to the longer, e.g. '15-20'"),
    ("15-600", "the longer end of the timing range (600) must be at most 480 minutes"),
])
def test_a_wrong_timing_range_is_refused_at_its_line(tmp_path: Path, written: str, said: str):
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    apply(root, (replace(ALPHA, "        method: presentation\n        minutes: 15\n",
                         f"        method: presentation\n        minutes: {written}\n"),))
    errors = [d for d in check(root)[1] if d.severity == "error"]
    lines = (root / ALPHA).read_text("utf-8").splitlines()
    activity = next(i for i, line in enumerate(lines, 1) if "id: talk" in line)
    assert [d for d in errors if d.path == ALPHA and said in d.message and d.line == activity + 3], \
        [d.format() for d in errors]


def test_a_session_page_offers_the_sessions_slide_decks(built: Path):
    site = built / "site"
    page = (site / "participant" / "modules" / "alpha" / "opening.html").read_text("utf-8")
    hrefs = set(re.findall(r'href="([^"]+/slides/[^"]+)"', page))
    assert hrefs == {"../../downloads/participant/demo/slides/alpha--opening.pdf",
                     "../../downloads/participant/demo/slides/alpha--opening.pptx"}, hrefs
    for href in hrefs:  # the files are in the site, where the links lead
        assert (site / "participant" / "modules" / "alpha" / href).resolve().is_file()
    page = (site / "facilitator" / "modules" / "alpha" / "opening.html").read_text("utf-8")
    hrefs = set(re.findall(r'href="([^"]+/slides/[^"]+)"', page))
    # facilitators get the deck with speaker notes, not the one without
    assert hrefs == {"../../downloads/participant/demo/slides/alpha--opening.pdf",
                     "../../downloads/facilitator/demo/slides/alpha--opening.pptx"}, hrefs
    assert all((site / "facilitator" / "modules" / "alpha" / h).resolve().is_file() for h in hrefs)
