"""The facilitator guide as a complete delivery kit, built for real from the shipped curriculum:
front matter, the workshop's own session plans at their place in the day, a preparation timeline,
one consolidated supplies list, the handouts as a reduced annex referenced by number and page,
and who leads each slot; and ``check`` refusing an unknown plan or facilitator at its line."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from workshopkit.agenda import compute
from workshopkit.audience import view
from workshopkit.build import BuildOptions, run_build
from workshopkit.check import check
from workshopkit.load import load_project
from workshopkit.visibility import Audience

from build_helpers import build
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.xdist_group("pdf")

WORKSHOP = "resettlement-service-providers"


def _pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's content, with the facilitator guide of one shipped workshop built."""
    root = tmp_path_factory.mktemp("kit") / "repo"
    root.mkdir()
    for folder in ("modules", "curriculum", "seeds"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    run_build(BuildOptions(root=root, site=False, audiences=("facilitator",), only=WORKSHOP, languages=("en",)),
              select=lambda plan: plan.only(lambda o: o.kind.name == "facilitator-guide"))
    return root


@pytest.fixture(scope="module")
def guide(shipped: Path) -> list[str]:
    return _pages(shipped / "build" / "pdf" / "facilitator" / WORKSHOP / "facilitator-guide.pdf")


@pytest.fixture(scope="module")
def project(shipped: Path):
    project, diags = load_project(shipped)
    assert not [d for d in diags if d.severity == "error"]
    return project


def _page_of(pages: list[str], pattern: str, start: int = 0) -> int:
    """The index of the first page from ``start`` whose text (spaces folded) matches ``pattern``."""
    for i in range(start, len(pages)):
        if re.search(pattern, _flat(pages[i])):
            return i
    raise AssertionError(f"no page matches {pattern!r}")


def test_front_matter_explains_the_guide_the_aims_and_the_team(guide: list[str], project):
    w = next(w for w in project.workshops if w.id == WORKSHOP)
    front = _flat(" ".join(guide[:8]))
    for words in ("How to use this guide", "What the boxes and marks mean", "How to run it", "Safety notes",
                  "Content warning", "Say: · Ask: · Expected answers:", "Handout 3 (p. 12)", "Aims of the workshop",
                  "Facilitation team", "Where to find support"):
        assert words in front, words
    for aim in w.aims:
        assert aim[:60] in front
    for person in w.facilitators:
        assert person.name[:40] in front and person.responsibilities[0][:40] in front
    # The front matter comes before the agenda, which comes before the first plan.
    assert _page_of(guide, "How to use this guide") < _page_of(guide, r"Agenda Day 1") < \
        _page_of(guide, r"PROGRAMME ITEM · OPENING")


def test_each_programme_item_has_its_plan_at_its_day_and_time(guide: list[str], project):
    w = next(w for w in project.workshops if w.id == WORKSHOP)
    days = compute(w, {m.id: m for m in project.modules})
    plans = [(day, row) for day in days for row in day.rows if row.plan_id]
    assert {row.kind for _, row in plans} >= {"opening", "pre-test", "closing", "check-in", "post-test", "evaluation"}
    found: list[int] = []
    for day, row in plans:
        plan = w.plan(row.plan_id)
        where = f"Day {day.index + 1} · {row.start}–{row.end}"
        page = _page_of(guide, re.escape(row.title) + r" " + re.escape(where))
        text = _flat(guide[page])
        # Its own running head says where in the day it is, and the plan's first step is there.
        assert f"Day {day.index + 1} · {row.start} · " in text.split(row.title)[0] or \
            f"Day {day.index + 1} · {row.start} ·" in _flat(guide[page].split("\n")[0]), (row.title, text[:200])
        assert plan.activities[0].title in text
        assert "Lead:" in text
        found.append(page)
    # The plans come in the order of the day: the opening first, the closing last.
    assert found == sorted(found)
    # Between two plans of different days, the module sessions of the first day sit in order.
    opening, check_out = found[0], next(p for (d, r), p in zip(plans, found, strict=True) if r.kind == "closing")
    assert opening < _page_of(guide, r"Day 1 · 09:00–") < check_out


def test_the_preparation_is_a_timeline_and_the_supplies_list_names_each_item_once(guide: list[str]):
    start = _page_of(guide, r"Preparation Preparation timeline")
    end = _page_of(guide, r"PROGRAMME ITEM · OPENING")
    prep = _flat(" ".join(guide[start:end]))
    order = [prep.index(h) for h in ("Weeks before", "The week before", "The day before", "The morning of each day",
                                     "Supplies")]
    assert order == sorted(order)
    # Steps stand under their session, not with the module's name repeated on every line.
    assert "Before day 1" in prep and "Before day 2" in prep and "Lay out for day 1" in prep
    assert prep.count("(Identifying trafficking") == 0
    supplies = prep[prep.index("Each supply once"):]
    assert supplies.count("Flipchart stand, flipchart paper and tape") == 1
    assert supplies.count("Sticky notes Day") == 1 and supplies.count("Markers Day") == 1
    # The flipchart row names the sessions that need it, each once.
    row = supplies.split("Flipchart stand, flipchart paper and tape", 1)[1].split("Markers", 1)[0]
    sessions = [s.strip() for s in row.split(";")]
    assert len(sessions) > 5 and len(sessions) == len(set(sessions))
    # No material is listed twice in the first column.
    firsts = []
    for page in guide[start:end]:
        for line in page.split("\n"):
            m = re.match(r"^\s{0,4}(\S.{3,60}?)\s{3,}Day \d", line)
            if m and "·" not in m.group(1):
                firsts.append(m.group(1).strip())
    assert len(firsts) == len(set(firsts)), [f for f in firsts if firsts.count(f) > 1]


def test_handouts_are_an_annex_referenced_by_number_and_the_right_page(shipped: Path, guide: list[str]):
    annex = _page_of(guide, r"Annex: handouts Every handout")
    refs = set()
    for page in guide[:annex]:
        refs.update(re.findall(r"Handout (\d+): ([^()]{3,80}?) \(p\. (\d+)\)", _flat(page)))
    assert len(refs) >= 10
    for number, _title, page in refs:
        text = _flat(guide[int(page) - 1])
        assert re.search(rf"Handout {number}: ", text), f"handout {number} is not on page {page}"
        assert f"Handout {number} · " in _flat(guide[int(page) - 1].split("\n")[0]) or f"Handout {number}:" in text
    # Every referenced number is in the annex, and the annex numbers them in order.
    numbers = [int(n) for n in re.findall(r"Handout (\d+): ", _flat(" ".join(guide[annex:])))]
    assert numbers[:5] == [1, 2, 3, 4, 5] and {int(n) for n, _, _ in refs} <= set(numbers)


def _gray_rules(page) -> int:
    """Horizontal rules drawn in the grey of a fill-in's writing lines."""
    count = 0
    for edge in page.edges:
        if edge["orientation"] != "h" or edge["x1"] - edge["x0"] < 200:
            continue
        colour = edge.get("stroking_color") or edge.get("non_stroking_color")
        if colour and len(colour) == 3 and all(abs(c - 0.6) < 0.05 for c in colour):
            count += 1
    return count


def test_the_annex_prints_no_writing_lines(shipped: Path, guide: list[str], tmp_path: Path):
    path = shipped / "build" / "pdf" / "facilitator" / WORKSHOP / "facilitator-guide.pdf"
    annex = _page_of(guide, r"Annex: handouts Every handout")
    answers = _page_of(guide, r"Answer key", annex)
    assert "The participants' copy leaves space to write under these prompts" in _flat(" ".join(guide[annex:answers]))
    with pdfplumber.open(str(path)) as pdf:
        assert sum(_gray_rules(pdf.pages[i]) for i in range(annex, answers)) == 0
    # The same worksheet printed for participants has its lines (the measure sees them).
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    build(root, site=False, audiences=("participant",), only="alpha")
    with pdfplumber.open(str(root / "build/pdf/participant/handouts/alpha/opening-sheet.pdf")) as pdf:
        assert sum(_gray_rules(p) for p in pdf.pages) >= 3


def test_lead_facilitators_and_locations_are_shown_to_facilitators_only(guide: list[str], project):
    agenda = _flat(" ".join(guide[_page_of(guide, r"Agenda Day 1"):_page_of(guide, r"Preparation Preparation timeline")]))
    assert "Lead: Lead facilitator (counter-trafficking and direct assistance)" in agenda
    assert "Support: Co-facilitator (psychosocial support), Korean-English interpreter" in agenda
    assert "Where: Training room and breakout room B" in agenda
    # The gate empties who leads for participants (the team is facilitator-only); where stays.
    w = next(wv.workshop for wv in view(project, Audience("participant")).workshops if wv.workshop.id == WORKSHOP)
    slots = [s for d in w.days for s in d.slots]
    assert not w.facilitators and all(s.lead is None and not s.support for s in slots)
    assert any(s.location for s in slots)


# --------------------------------------------------------------------------------------------
# check


def _mini(tmp_path: Path, slots: str, extra: str = "") -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    demo = root / "curriculum" / "demo.yml"
    text = demo.read_text(encoding="utf-8")
    text = text.replace("facilitators:\n  - name: A. Facilitator\n", "facilitators:\n  - id: lead\n    name: A. Facilitator\n")
    text = text.replace("      - title: Opening\n        minutes: 15\n        kind: opening\n", slots)
    demo.write_text(text + extra, encoding="utf-8")
    return root


PLAN = """sessions:
  - id: opening
    title: Opening
    kind: opening
    minutes: 15
    activities:
      - id: welcome
        title: Welcome
        method: presentation
        minutes: 15
"""


def _line_of(root: Path, needle: str) -> int:
    lines = (root / "curriculum" / "demo.yml").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_check_refuses_an_unknown_facilitator_at_its_line_with_a_suggestion(tmp_path: Path):
    root = _mini(tmp_path, "      - plan: opening\n        lead: laed\n        support: [lead, lea]\n", PLAN)
    diags = [d for d in check(root)[1] if d.code == "WK117"]
    assert len(diags) == 2
    text = [str(d) for d in diags]
    line = _line_of(root, "lead: laed")
    assert diags[0].path == "curriculum/demo.yml" and diags[0].line == line
    assert "unknown facilitator 'laed'" in diags[0].message and "did you mean 'lead'?" in diags[0].hint
    assert diags[1].line == line + 1 and "'lea'" in diags[1].message
    out = subprocess.run([str(ROOT / ".venv/bin/workshopkit"), "check", str(root)], capture_output=True, text=True)
    assert out.returncode == 1
    assert re.search(rf"curriculum/demo\.yml:{line}:\d+: .*unknown facilitator 'laed'.*did you mean 'lead'\?.*\[WK117\]",
                     out.stdout + out.stderr), text


def test_check_refuses_an_unknown_plan_and_minutes_that_differ_from_the_plan(tmp_path: Path):
    root = _mini(tmp_path, "      - plan: opneing\n      - plan: opening\n        minutes: 20\n", PLAN)
    diags = check(root)[1]
    unknown = next(d for d in diags if d.code == "WK116")
    assert unknown.line == _line_of(root, "plan: opneing") and "did you mean 'opening'?" in unknown.hint
    differ = next(d for d in diags if d.code == "WK205")
    assert differ.line == _line_of(root, "minutes: 20") and "takes 15" in differ.message


def test_a_plan_gives_the_slot_its_title_kind_and_minutes(tmp_path: Path):
    root = _mini(tmp_path, "      - plan: opening\n        location: Room B\n        lead: lead\n", PLAN)
    assert not [d for d in check(root)[1] if d.severity == "error"]
    project, _ = load_project(root)
    w = project.workshops[0]
    row = compute(w, {m.id: m for m in project.modules})[0].rows[0]
    assert (row.title, row.kind, row.minutes, row.plan_id, row.location) == ("Opening", "opening", 15, "opening", "Room B")


def test_the_guide_counts_what_to_print_for_the_participants_the_workshop_expects(guide: list[str], project):
    w = next(w for w in project.workshops if w.id == WORKSHOP)
    assert w.participants
    start = _page_of(guide, r"Print list Counted for the")
    text = _flat(" ".join(guide[start:start + 3]))
    assert f"Counted for the {w.participants} participants" in text
    workbook = re.search(r"Participant workbook ×(\d+) copies", text)
    tests = re.search(r"Knowledge test \(pre and post\) ×(\d+) copies", text)
    assert workbook and int(workbook.group(1)) == w.participants, text[:600]
    assert tests and int(tests.group(1)) == 2 * w.participants
    handouts = text.split("Handouts, at their first use", 1)[1]
    assert handouts.count(f"×{w.participants} copies") >= 3, handouts[:600]
