"""The shipped starter curriculum cannot silently shrink."""

from __future__ import annotations

import re

import pytest

from workshopkit.agenda import compute, session_minutes
from workshopkit.check import check
from workshopkit.strings import load_strings

from conftest import ROOT

EXPECTED_MODULES = {
    "humanitarian-principles", "migration-context", "identifying-trafficking", "ethical-interviewing",
    "health-care-principles", "psychological-first-aid", "referral-case-management", "staff-wellbeing",
    "humanitarian-system-dprk", "principled-aid-constraints", "human-rights-dprk",
    "facilitating-sensitive-trainings",
}
TRACKS = {"foundations", "service-providers", "humanitarian-dprk", "training-of-trainers"}


@pytest.fixture(scope="module")
def project():
    project, diags = check(ROOT)
    assert [d.format() for d in diags] == [], "the shipped curriculum checks clean, without warnings"
    return project

STRINGS = load_strings("en")


def test_twelve_modules_in_four_tracks(project):
    assert {m.id for m in project.modules} >= EXPECTED_MODULES
    assert {m.track for m in project.modules} == TRACKS


@pytest.mark.parametrize("mid", sorted(EXPECTED_MODULES))
def test_each_module_is_complete(project, mid):
    m = project.module(mid)
    assert m is not None
    assert 3 <= len(m.learning_objectives) <= 5
    assert 2 <= len(m.sessions) <= 4
    for s in m.sessions:
        assert 45 <= s.minutes <= 120, s.id
        assert session_minutes(s, "full") == s.minutes
        assert len({a.method for a in s.activities}) >= 2, f"{s.id} mixes methods"
        for a in s.activities:
            assert a.participant or a.facilitator, f"{s.id}/{a.id} has instructions"
            if a.method == "role-play":
                questions = len(a.debrief) + sum(len(r.questions) for r in a.debrief_by_role)
                assert a.opt_out and a.de_roling and questions >= 2 and a.observer
    methods = {a.method for s in m.sessions for a in s.activities}
    assert len(methods) >= 4, f"{mid} uses {methods}"
    # Facilitator notes a first-time facilitator can follow: substantial, in every session.
    for s in m.sessions:
        notes = " ".join([s.facilitator_notes] + [a.facilitator for a in s.activities])
        assert len(notes.split()) >= 150, f"{mid}/{s.id}: facilitator notes are thin"
    assert m.facilitator.disclosure or m.sensitivity == "standard"
    assert len(m.handouts) >= 1
    assert len(m.assessment) >= 6
    for q in m.assessment:
        assert q.answer and q.explanation, q.id
    assert {q.objective for q in m.assessment} == {o.id for o in m.learning_objectives}
    assert len(m.sources) >= 2
    for h in m.handouts:
        if h.kind == "case-study":
            assert h.anonymisation in ("fictional", "composite")
            # The handout's printed and online notice says so (from 'anonymisation'), once.
            assert re.search(r"fictional|invented", STRINGS[f"case_{h.anonymisation}"], re.I)
            assert STRINGS[f"case_{h.anonymisation}"] not in h.body, f"{h.id} repeats the notice"
    if m.content_warnings.tags:
        assert m.content_warnings.note


def test_every_seed_is_cited_and_sources_are_complete(project):
    cited = {c.ref for m in project.modules for c in m.sources}
    cited |= {c.ref for m in project.modules for h in m.handouts for c in h.sources}
    assert {s.id for s in project.seeds} <= cited
    assert len(project.seeds) == 5
    for seed in project.seeds:
        assert seed.summary and seed.key_facts and seed.seed_file and seed.url
    for src in project.all_sources:
        assert src.title and src.publisher


def test_the_restricted_module_is_closed_door(project):
    m = project.module("principled-aid-constraints")
    assert m.visibility == "restricted"
    assert all(s.visibility == "restricted" and s.attribution in ("chatham-house", "off-record") for s in m.sessions)


def test_psychological_first_aid_has_a_core_half_day_and_a_full_day(project):
    m = project.module("psychological-first-aid")
    core = sum(session_minutes(s, "core") for s in m.sessions)
    full = sum(session_minutes(s, "full") for s in m.sessions)
    assert 200 <= core <= 260 and 300 <= full <= 360 and full - core >= 60


def test_both_workshops_fit_their_days(project):
    modules = {m.id: m for m in project.modules}
    by_id = {w.id: w for w in project.workshops}
    service = by_id["resettlement-service-providers"]
    seminar = by_id["humanitarian-dprk-seminar-workshop"]
    assert len(service.days) == 2 and service.mode == "on-site" and 15 <= service.participants <= 25
    assert len(seminar.days) == 2 and seminar.mode == "hybrid"
    for w in (service, seminar):
        for day in compute(w, modules):
            assert day.overrun <= 0
            assert any(r.kind == "break" for r in day.rows)
    day1 = compute(seminar, modules)[0]
    assert any(r.closed for r in day1.rows), "the seminar's first day holds the closed-door discussion"
    assert not any(r.closed for r in compute(seminar, modules)[1].rows)
    topics = {r.module_id for d in compute(service, modules) for r in d.rows}
    assert {"migration-context", "identifying-trafficking", "ethical-interviewing", "health-care-principles",
            "psychological-first-aid", "referral-case-management"} <= topics
