"""``workshopkit stats --items``: every assessment item across the results of every event, with
figures worked out by hand.

Two events of the mini curriculum's workshop ``demo`` (items 1 = alpha/q1, single choice, key b,
options a b c; 2 = alpha/q2, true or false, key true; 3 = beta/q1, multiple choice, key a and b,
options a b c). Answers as typed into the entry sheets (✓ right, ✗ wrong):

    spring  pre                      post           autumn  pre                      post
    S1      a ✗  true ✓   a ✗        b ✓ true ✓ ab ✓    A1      a ✗  true ✓   a ✗        b ✓ true ✓  a ✗
    S2      c ✗  true ✓   b ✗        b ✓ true ✓ a ✗     A2      b ✓  true ✓   b ✗        b ✓ false ✗ b ✗
    S3      a ✗  true ✓   ab ✓       b ✓ true ✓ a ✗     A3      c ✗  true ✓   a ✗        b ✓ true ✓  a ✗
    S4      b ✓  true ✓   a ✗        b ✓ true ✓ ab ✓    A4      a ✗  true ✓   ab ✓       b ✓ true ✓  a ✗
    S5      a ✗  false ✗  a ✗        a ✗ true ✓ a ✗     A5      a ✗  true ✓   a ✗        c ✗ true ✓  b ✗
    S6      c ✗  true ✓   ab ✓       (no post-test: every test counts, matched or not)

Difficulty (share right): item 1 before 2/11, after 8/10; item 2 before 10/11 (≥ 90 %: too easy
before the workshop), after 9/10; item 3 before 3/11, after 2/10 (under 50 % and no rise: not
learned), and its option c was never ticked (a distractor nobody picks).

Discrimination after: the Pearson correlation, over the 10 post-tests, of the item (1/0) with the
rest of the test (the number of the two other items right; a share gives the same r):

    item 1: x = 1 1 1 1 0 1 1 1 1 0, rest = 2 1 1 2 1 1 0 1 1 1: mean x .8, mean rest 1.1,
            cov = 9/10 - .8 × 1.1 = .02, var x = .16, var rest = 15/10 - 1.21 = .29
            r = .02 / sqrt(.16 × .29) = 0.0928
    item 3: x = 1 0 0 1 0 0 0 0 0 0, rest = 2 2 2 2 1 2 1 2 2 1: mean x .2, mean rest 1.7,
            cov = 4/10 - .34 = .06, var x = .16, var rest = 31/10 - 2.89 = .21
            r = .06 / sqrt(.16 × .21) = 0.3273
    item 2: x = 1 1 1 1 1 1 0 1 1 1, rest = 2 1 1 2 0 1 1 1 1 0: cov = 9/10 - .9 × 1 = 0, r = 0
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from test_event import new_event

from workshopkit.cli import main

HEADER = "participant_code,phase,q_alpha__q1,q_alpha__q2,q_beta__q1\n"
SPRING = {"pre": {"S1": "a,true,a", "S2": "c,true,b", "S3": "a,true,a b", "S4": "b,true,a", "S5": "a,false,a",
                  "S6": "c,true,a b"},
          "post": {"S1": "b,true,a b", "S2": "b,true,a", "S3": "b,true,a", "S4": "b,true,a b", "S5": "a,true,a"}}
AUTUMN = {"pre": {"A1": "a,true,a", "A2": "b,true,b", "A3": "c,true,a", "A4": "a,true,a b", "A5": "a,true,a"},
          "post": {"A1": "b,true,a", "A2": "b,false,b", "A3": "b,true,a", "A4": "b,true,a", "A5": "c,true,b"}}


def _answers(rows: dict[str, dict[str, str]]) -> str:
    return HEADER + "".join(f"{code},{phase},{cells}\n" for phase, by_code in rows.items()
                            for code, cells in by_code.items())


def _event(repo: Path, name: str, rows: dict[str, dict[str, str]]) -> Path:
    folder = new_event(repo, "workshop: demo\n", "name,organisation\nKim Ji-won,Hana Centre\n")
    if name != "spring":
        folder = folder.rename(folder.parent / name)
    (folder / "answers.csv").write_text(_answers(rows), encoding="utf-8")
    return folder


@pytest.fixture
def events(repo: Path) -> Path:
    _event(repo, "autumn", AUTUMN)  # made as events/spring/ by `event new`, then renamed
    _event(repo, "spring", SPRING)
    return repo


def _json(repo: Path, capsys, *extra: str) -> dict:
    assert main(["stats", str(repo), "--items", "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_item_figures_equal_the_hand_computed_ones(events: Path, capsys):
    data = _json(events, capsys)
    assert data["events"] == [{"id": "autumn", "workshop": "demo", "pre": 5, "post": 5},
                              {"id": "spring", "workshop": "demo", "pre": 6, "post": 5}]
    items = {i["item"]: i for i in data["items"]}
    assert list(items) == ["alpha/q1", "alpha/q2", "beta/q1"]
    q1, q2, q3 = items["alpha/q1"], items["alpha/q2"], items["beta/q1"]
    assert (q1["before"]["answers"], q1["before"]["correct"], q1["after"]["answers"], q1["after"]["correct"]) == (11, 2, 10, 8)
    assert q1["before"]["difficulty"] == pytest.approx(2 / 11) and q1["after"]["difficulty"] == pytest.approx(0.8)
    assert q1["gain"] == pytest.approx(0.8 - 2 / 11)
    assert q2["before"]["difficulty"] == pytest.approx(10 / 11) and q2["after"]["difficulty"] == pytest.approx(0.9)
    assert q3["before"]["difficulty"] == pytest.approx(3 / 11) and q3["after"]["difficulty"] == pytest.approx(0.2)
    assert q1["after"]["discrimination"] == pytest.approx(0.02 / math.sqrt(0.16 * 0.29))  # 0.0928
    assert q3["after"]["discrimination"] == pytest.approx(0.06 / math.sqrt(0.16 * 0.21))  # 0.3273
    assert q2["after"]["discrimination"] == pytest.approx(0, abs=1e-12)
    # How often each option was ticked, before and after (true/false items have no options).
    assert q1["options"] == [{"option": "a", "right": False, "chosen_before": 6, "chosen_after": 1},
                             {"option": "b", "right": True, "chosen_before": 2, "chosen_after": 8},
                             {"option": "c", "right": False, "chosen_before": 3, "chosen_after": 1}]
    assert q3["options"] == [{"option": "a", "right": True, "chosen_before": 9, "chosen_after": 8},
                             {"option": "b", "right": True, "chosen_before": 5, "chosen_after": 4},
                             {"option": "c", "right": False, "chosen_before": 0, "chosen_after": 0}]
    assert q2["options"] == []
    assert q1["flags"] == []
    assert q2["flags"] == [{"flag": "too-easy-before"}]
    assert q3["flags"] == [{"flag": "not-learned"}, {"flag": "distractor-never-chosen", "option": "c"}]
    assert data["method"]["discrimination"].startswith("item-rest correlation")


def test_too_few_answers_are_not_judged(events: Path, capsys):
    # 11 tests before and 10 after: a phase is judged from 12 on; an option, over both phases (21).
    data = _json(events, capsys, "--min-answers", "12")
    assert [i["flags"] for i in data["items"]] == [[], [], [{"flag": "distractor-never-chosen", "option": "c"}]]
    data = _json(events, capsys, "--min-answers", "22")
    assert all(i["flags"] == [] for i in data["items"])


def test_the_text_table_names_the_flags_and_the_method(events: Path, capsys):
    assert main(["stats", str(events), "--items"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for expected in ("Assessment items across 2 event(s) and 21 test(s)", "too easy before the workshop",
                     "not learned", "option c never chosen", "a 6/1, c 3/1", "+0.09", "+0.33",
                     "item-rest correlation (a corrected point-biserial)"):
        assert expected in out, expected


def test_a_bad_row_stops_the_count_unless_skipped(events: Path, capsys):
    autumn = events / "events" / "autumn" / "answers.csv"
    autumn.write_text(autumn.read_text(encoding="utf-8") + "A6,pre,d,true,a\n", encoding="utf-8")
    assert main(["stats", str(events), "--items"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "events/autumn/answers.csv:12:3: 'd' is not an answer to 'q_alpha__q1'" in out and "[WK730]" in out
    assert "nothing was counted" in out
    data = _json(events, capsys, "--skip-bad")
    assert data["skipped_rows"] == 1 and data["items"][0]["before"]["answers"] == 11


def test_no_answers_yet_and_nothing_written(repo: Path, capsys):
    new_event(repo, "workshop: demo\n", "name\nKim Ji-won\n")
    assert main(["stats", str(repo), "--items"]) == 0
    assert "No event in events/ has answers to the knowledge test yet." in capsys.readouterr().out
    assert not (repo / "build").exists()  # the analysis is printed, never written where a build publishes
