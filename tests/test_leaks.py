"""Facilitator-only and restricted content never reaches a participant output.

A fixture repository holds a unique canary in every private place the schema knows of; the
tests build it for real and scan every byte of every participant output (pages, search index,
sitemap, 404 page, assets, PDF text, the offline zip).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from workshopkit.model import SCHEMAS
from workshopkit.walk import class_fields, field_visibility

from build_helpers import all_files_text, build
from canary import Canaries, make_canary_repo

pytestmark = pytest.mark.xdist_group("canary")


@pytest.fixture(scope="module")
def canary_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Canaries]:
    root = tmp_path_factory.mktemp("canary") / "repo"
    canaries = make_canary_repo(root)
    build(root, zip=True)
    return root, canaries


@pytest.fixture(scope="module")
def restricted_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Canaries]:
    root = tmp_path_factory.mktemp("canary-r") / "repo"
    canaries = make_canary_repo(root)
    build(root, include_restricted=True)
    return root, canaries


def _found(texts: dict[Path, str], tokens: set[str]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for path, text in texts.items():
        for token in tokens:
            if token in text:
                hits.setdefault(token, []).append(path.name)
    return hits


def test_canaries_cover_every_private_field_of_the_schema(canary_build):
    _, canaries = canary_build
    planted = set(canaries.places.values())
    private_fields = {(cls.__name__, loc[-1]) for name, model in SCHEMAS.items()
                      for loc, cls, _, info in class_fields(model) if field_visibility(info)}
    assert private_fields, "the schema declares private fields"
    missing = private_fields - canaries.fields
    assert missing == set(), f"no canary planted in {sorted(missing)}"
    assert all(any(f".{key}" in where for where in planted) for _, key in private_fields)
    assert len(canaries.facilitator) > 20 and len(canaries.restricted) > 10 and canaries.organiser


def test_no_private_canary_in_any_participant_output(canary_build, record_property):
    root, canaries = canary_build
    outputs = all_files_text(root / "build" / "site" / "participant")
    outputs.update(all_files_text(root / "build" / "pdf" / "participant"))
    names = {p.name for p in outputs}
    assert {"search_index.json", "sitemap.xml", "404.html", "index.html", "workbook.pdf",
            "knowledge-test.pdf", "evaluation-form.pdf"} <= names
    assert not (root / "build" / "pdf" / "restricted").exists()
    leaks = _found(outputs, canaries.private)
    record_property("figure: canaries planted / participant files scanned",
                    f"{len(canaries.private)} / {len(outputs)}, leaks {len(leaks)}")
    assert leaks == {}, {t: (canaries.places[t], files) for t, files in leaks.items()}
    # The knowledge test for participants carries no answer marks.
    test_text = outputs[root / "build/pdf/participant/demo/knowledge-test.pdf"]
    assert "✔" not in test_text and "Answer:" not in test_text
    # Participants see that a closed session exists, but nothing of it.
    agenda = outputs[root / "build/site/participant/workshops/demo.html"]
    assert "Closed session" in agenda


def test_offline_zip_holds_no_private_canary(canary_build, tmp_path):
    root, canaries = canary_build
    archive = root / "build" / "offline" / "participant-site.zip"
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path)
        assert "participant/index.html" in z.namelist()
    leaks = _found(all_files_text(tmp_path), canaries.private)
    assert leaks == {}


def test_facilitator_outputs_hold_every_facilitator_canary_but_no_restricted(canary_build):
    root, canaries = canary_build
    site = all_files_text(root / "build" / "site" / "facilitator")
    missing = canaries.facilitator - set(_found(site, canaries.facilitator))
    assert missing == set(), {t: canaries.places[t] for t in missing}
    guide = all_files_text(root / "build" / "pdf" / "facilitator")
    in_guide = set(_found({p: t for p, t in guide.items() if p.name == "facilitator-guide.pdf"}, canaries.facilitator))
    # Workshop-level private fields other than facilitators are organiser data, not in the guide;
    # the facilitators' part of a session's own slides is in the notes of the facilitator deck.
    decks = {t for t in canaries.facilitator if "slides" in canaries.places[t]}
    assert decks and set(_found({p: t for p, t in guide.items() if p.suffix == ".pptx"}, decks)) == decks
    assert canaries.facilitator - decks - in_guide == set(), {
        t: canaries.places[t] for t in canaries.facilitator - decks - in_guide}
    assert _found({**site, **guide}, canaries.restricted | canaries.organiser) == {}


def test_restricted_canaries_only_with_include_restricted(restricted_build):
    root, canaries = restricted_build
    fac = all_files_text(root / "build" / "restricted" / "site" / "facilitator")
    fac.update(all_files_text(root / "build" / "restricted" / "pdf" / "facilitator"))
    found = set(_found(fac, canaries.restricted))
    # Slides are made for what the room may see: a closed session's own slides are in no deck.
    missing = {t for t in canaries.restricted - found if "slides" not in canaries.places[t]}
    assert missing == set(), {t: canaries.places[t] for t in missing}
    assert _found(fac, canaries.organiser) == {}
    # The participant outputs stay clean even in this build.
    part = all_files_text(root / "build" / "restricted" / "site" / "participant")
    part.update(all_files_text(root / "build" / "restricted" / "pdf" / "participant"))
    assert _found(part, canaries.private) == {}
    # The restricted pack holds closed-door participant material, never facilitator notes.
    pack = all_files_text(root / "build" / "restricted" / "pdf" / "restricted")
    assert pack, "a restricted pack is built for the workshop with closed sessions"
    assert _found(pack, canaries.facilitator | canaries.organiser) == {}
    assert set(_found(pack, canaries.restricted))
    # The closed-door facilitator site asks not to be indexed and lists no pages in a sitemap.
    fac_site = root / "build" / "restricted" / "site" / "facilitator"
    assert (fac_site / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert not (fac_site / "sitemap.xml").exists()
    # ... and the sites meant for publishing were not touched by this build.
    assert not (root / "build" / "site").exists()


def test_participant_view_itself_holds_no_private_canary(tmp_path):
    """The gate, not the templates, removes private content: the view object is clean."""
    from workshopkit.audience import view
    from workshopkit.load import load_project
    from workshopkit.visibility import FACILITATOR, PARTICIPANT

    canaries = make_canary_repo(tmp_path / "repo")
    project, _ = load_project(tmp_path / "repo")

    def dump(v) -> str:
        parts = [m.model_dump_json() for m in v.modules]
        parts += [wv.workshop.model_dump_json() for wv in v.workshops]
        parts += [repr(wv.days) for wv in v.workshops]
        return "\n".join(parts)

    participant = dump(view(project, PARTICIPANT))
    assert [t for t in canaries.private if t in participant] == []
    facilitator = dump(view(project, FACILITATOR))
    assert [t for t in canaries.restricted | canaries.organiser if t in facilitator] == []
    assert [t for t in canaries.facilitator if t not in facilitator] == []


def test_roster_names_never_reach_any_output(canary_build):
    """events/ holds private rosters: nothing of them is in any site, PDF or archive."""
    root, canaries = canary_build
    roster = {t for t, where in canaries.places.items() if where.startswith("events/")}
    assert len(roster) == 3
    outputs = all_files_text(root / "build" / "site")
    outputs.update(all_files_text(root / "build" / "pdf"))
    with zipfile.ZipFile(root / "build" / "offline" / "participant-site.zip") as z:
        for name in z.namelist():
            outputs[Path(name)] = z.read(name).decode("utf-8", errors="replace")
    assert _found(outputs, roster) == {}
    assert "events/" in (Path(__file__).resolve().parent.parent / ".gitignore").read_text().split()


@pytest.mark.parametrize("text", [
    "```\n/// facilitator\nzqsecret\n///\n```\n",  # inside a closed code fence
    "```text\nnever closed\n\n/// facilitator\nzqsecret\n///\n",  # after a fence the renderer ignores
    "- a point\n\n    /// facilitator\n    zqsecret\n    ///\n",  # indented inside a list item
    "\t/// restricted\n\tzqsecret\n\t///\n",  # indented with a tab
    "> /// facilitator\n> zqsecret\n> ///\n",  # inside a quote
    "1. /// restricted\n   zqsecret\n   ///\n",  # as a list item
])
def test_gate_fails_safe_wherever_a_block_marker_stands(text: str):
    from workshopkit.blocks import gate
    from workshopkit.visibility import PARTICIPANT

    assert "zqsecret" not in gate(text, PARTICIPANT.allowed)


def test_glossary_sources_and_seeds_are_gated_even_without_check(tmp_path):
    """Blocks in plain-text fields are a check error; were one to slip through, the gate still holds."""
    from workshopkit.audience import view
    from workshopkit.load import load_project
    from workshopkit.visibility import PARTICIPANT

    root = tmp_path / "repo"
    make_canary_repo(root)
    project, _ = load_project(root)
    secret = "\n\n/// facilitator\nzqglosssecret\n///\n"
    assert project.glossary is not None
    project.glossary.terms[0].definition += secret
    project.sources[0].summary += secret
    project.seeds[0].summary += secret
    v = view(project, PARTICIPANT)
    dumped = v.glossary.model_dump_json() + "".join(s.model_dump_json() for s in v.sources + v.seeds)
    assert "zqglosssecret" not in dumped and v.sources and v.seeds
