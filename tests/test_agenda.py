"""Agenda clock times are computed from start times and durations, never typed."""

from __future__ import annotations

from pathlib import Path

from workshopkit.agenda import compute, knowledge_test_items
from workshopkit.check import check
from workshopkit.cli import main

from conftest import FIXTURES


def test_clock_times_of_the_fixture_workshop():
    project, _ = check(FIXTURES / "mini")
    modules = {m.id: m for m in project.modules}
    (day,) = compute(project.workshops[0], modules)
    rows = [(r.start, r.end, r.kind, r.title, r.minutes) for r in day.rows]
    assert rows == [
        ("09:00", "09:15", "opening", "Opening", 15),
        ("09:15", "10:00", "session", "Opening a first conversation", 45),
        ("10:00", "11:00", "session", "Practising the opening", 60),
        ("11:00", "11:15", "break", "Coffee", 15),
        ("11:15", "11:45", "session", "Open overview", 30),
        ("11:45", "12:15", "session", "Closed-door peer exchange", 30),
    ]
    assert day.end == "12:15" and day.overrun == -15 and day.teaching_minutes == 165


def test_core_variant_skips_extension_activities_and_moves_the_clock(mini: Path):
    path = mini / "curriculum/demo.yml"
    path.write_text(path.read_text().replace("      - module: alpha\n", "      - module: alpha\n        variant: core\n"))
    project, diags = check(mini)
    assert not [d for d in diags if d.severity == "error"]
    (day,) = compute(project.workshops[0], {m.id: m for m in project.modules})
    assert [(r.start, r.end) for r in day.rows[1:3]] == [("09:15", "09:50"), ("09:50", "10:50")]
    assert day.end == "12:05"


def test_knowledge_test_has_one_item_per_served_objective_or_the_chosen_items(mini: Path, capsys):
    project, _ = check(mini)
    modules = {m.id: m for m in project.modules}
    chosen = [(m.id, q.id) for m, q in knowledge_test_items(project.workshops[0], modules)]
    assert chosen == [("alpha", "q1"), ("alpha", "q2"), ("beta", "q1")]
    path = mini / "curriculum/demo.yml"
    path.write_text(path.read_text() + "knowledge_test: [alpha/q3, beta/q1, beta/q9]\n")
    assert main(["check", str(mini)]) == 1
    assert "knowledge_test[2]: module 'beta' has no assessment item 'q9'" in capsys.readouterr().out
    path.write_text(path.read_text().replace(", beta/q9", ""))
    project, _ = check(mini)
    chosen = [(m.id, q.id) for m, q in knowledge_test_items(project.workshops[0], {m.id: m for m in project.modules})]
    assert chosen == [("alpha", "q3"), ("beta", "q1")]
