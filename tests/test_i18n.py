"""Translations: extraction into gettext catalogues, msgmerge semantics, the checks of a
catalogue, and a translated model that the audience gate keeps private where the English is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest

from workshopkit.audience import publishing_views
from workshopkit.check import check
from workshopkit.cli import main
from workshopkit.i18n import markdown_blocks
from workshopkit.load import load_project
from workshopkit.strings import load_strings

from conftest import ROOT

CURRICULUM = "title: T\ntracks:\n  - id: t\n    title: T\n    modules: [alpha, beta]\nlanguages: [ko]\n"
CATALOGUE = Path("modules/alpha/locales/ko.po")


def declare_korean(root: Path) -> Path:
    """A copy of the small fixture (``root``) with Korean declared and its catalogues extracted."""
    (root / "curriculum" / "curriculum.yml").write_text(CURRICULUM, encoding="utf-8")
    for module in ("alpha", "beta"):
        path = root / "modules" / module / "module.yml"
        path.write_text(path.read_text(encoding="utf-8") + "track: t\n", encoding="utf-8")
    assert main(["i18n", "update", "--path", str(root)]) == 0
    return root


@pytest.fixture
def ko(mini: Path) -> Path:
    """The small fixture with Korean declared and its catalogues extracted."""
    return declare_korean(mini)


def translate_all(root: Path, how=lambda e: "번역 " + e.msgid) -> None:
    """Fill every msgstr of every Korean catalogue (table rows keep their cells)."""
    for path in root.rglob("locales/ko.po"):
        po = polib.pofile(str(path))
        for e in po:
            e.msgstr = how(e)
            if e.msgid.startswith("|"):
                e.msgstr = e.msgid.replace("| ", "| 번역 ", 1)
        po.save(str(path))


def entries(root: Path) -> list[polib.POEntry]:
    return list(polib.pofile(str(root / CATALOGUE)))


def test_update_writes_one_catalogue_per_module_with_id_paths_as_contexts(ko: Path):
    assert (ko / "curriculum" / "locales" / "ko.po").is_file()
    found = entries(ko)
    contexts = {e.msgctxt for e in found}
    assert "alpha/title" in contexts
    assert "alpha/sessions/opening/title" in contexts
    # Contexts are paths of ids and keys, never list indexes.
    assert not [c for c in contexts if any(part.isdigit() for part in c.split("/"))]
    # Ids, enums and times are no messages; the '///' lines stay outside every message.
    assert not [e for e in found if e.msgid in ("alpha", "introductory", "core", "discussion")]
    assert not [e for e in found if any(markdown_blocks.MARKER.match(line) for line in e.msgid.split("\n"))]
    pause = next(e for e in found if e.msgid.startswith("Pause here"))
    assert pause.occurrences[0][0] == "modules/alpha/intro.md"
    # The translator is told which texts only facilitators read.
    notes = [e for e in found if e.msgctxt.endswith("/facilitator")]
    assert notes and all("facilitator" in e.comment for e in notes)


def test_a_translated_model_replaces_every_text_and_the_gate_keeps_private_translations_private(ko: Path):
    def canary(e: polib.POEntry) -> str:
        private = e.msgctxt.endswith(("/facilitator", "/safety_notes", "/explanation", "/debrief", "/de_roling",
                                      "/facilitator_notes", "/answer")) or e.msgid.startswith("Pause here")
        return ("KOPRIVATE " if private else "번역 ") + e.msgid

    translate_all(ko, canary)
    project, diags = load_project(ko, "ko")
    assert not [d for d in diags if d.severity == "error"], diags
    alpha = project.module("alpha")
    assert alpha is not None and alpha.title.startswith("번역 ")
    views = publishing_views(project, ("participant", "facilitator"), False, load_strings("ko")["closed_session"])
    participant = json.dumps([m.model_dump(mode="json") for m in views["participant"].modules], ensure_ascii=False)
    facilitator = json.dumps([m.model_dump(mode="json") for m in views["facilitator"].modules], ensure_ascii=False)
    assert "번역 " in participant
    assert "KOPRIVATE" not in participant
    assert facilitator.count("KOPRIVATE") >= 3


def test_changed_english_makes_exactly_its_message_fuzzy_and_the_output_falls_back_to_english(ko: Path):
    translate_all(ko)
    intro = ko / "modules" / "alpha" / "intro.md"
    intro.write_text(intro.read_text(encoding="utf-8").replace("feels safe.", "feels safe and respected."),
                     encoding="utf-8")
    assert main(["i18n", "update", "--path", str(ko)]) == 0
    fuzzy = [e for e in entries(ko) if "fuzzy" in e.flags]
    assert [e.msgid for e in fuzzy] == ["The first minutes of a conversation decide whether a person feels safe and respected."]
    assert fuzzy[0].previous_msgid.endswith("feels safe.")  # the '#|' line a translator compares with
    _, diags = check(ko)
    reported = [d for d in diags if d.code == "WK802"]
    assert [(d.path, d.line) for d in reported] == [(CATALOGUE.as_posix(), fuzzy[0].linenum)]
    project, _ = load_project(ko, "ko")
    session = project.module("alpha").sessions[0]  # type: ignore[union-attr]
    texts = " ".join(a.participant for a in session.activities)
    assert '<span lang="en">The first minutes of a conversation decide whether a person feels safe and respected.</span>' in texts
    assert "번역 See the" in texts


def test_status_counts_translated_fuzzy_and_untranslated(ko: Path, capsys):
    po = polib.pofile(str(ko / CATALOGUE))
    po[0].msgstr = "번역"
    po[1].msgstr = "번역"
    po[1].flags.append("fuzzy")
    po.save()
    capsys.readouterr()
    assert main(["i18n", "status", "--format", "json", "--path", str(ko)]) == 0
    rows = {r["catalogue"]: r for r in json.loads(capsys.readouterr().out)}
    alpha = rows[CATALOGUE.as_posix()]
    assert (alpha["translated"], alpha["fuzzy"]) == (1, 1)
    assert alpha["untranslated"] == alpha["messages"] - 2 > 10


@pytest.mark.parametrize("msgstr, fragment, code", [
    ("**번역 [사례](handouts/case-lin.md)", "strong mark", "WK803"),
    ("[다른 곳](https://elsewhere.example.net/)", "links differ", "WK803"),
    ("번역\n///\n번역", "'///' line", "WK806"),
])
def test_a_translation_that_changes_structure_is_reported_at_its_line_and_not_used(ko: Path, msgstr: str, fragment: str,
                                                                                   code: str):
    po = polib.pofile(str(ko / CATALOGUE))
    target = next(e for e in po if e.msgid.startswith("See the [case of Lin]"))
    target.msgstr = msgstr
    po.save()
    target_line = next(e for e in polib.pofile(str(ko / CATALOGUE)) if e.msgid == target.msgid).linenum
    _, diags = check(ko)
    found = [d for d in diags if d.code == code]
    assert [(d.path, d.line) for d in found] == [(CATALOGUE.as_posix(), target_line)]
    assert fragment in found[0].message
    project, _ = load_project(ko, "ko")
    texts = " ".join(a.participant for s in project.module("alpha").sessions for a in s.activities)  # type: ignore[union-attr]
    assert "elsewhere.example.net" not in texts and "번역\n///" not in texts
    assert "case of Lin" in texts


def test_a_broken_catalogue_is_reported_with_its_line_and_check_fails(ko: Path, capsys):
    path = ko / CATALOGUE
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 10)
    lines[at] = 'msgstr "번역'
    path.write_text("\n".join(lines), encoding="utf-8")
    assert main(["check", str(ko)]) == 1
    out = capsys.readouterr().out
    assert re.search(rf"{re.escape(CATALOGUE.as_posix())}:{at + 1}:\d+: this catalogue cannot be read", out) or \
        re.search(rf"{re.escape(CATALOGUE.as_posix())}:{at + 2}:\d+: this catalogue cannot be read", out), out


def test_a_hostile_translation_is_held_to_the_same_html_rules_as_english(ko: Path):
    po = polib.pofile(str(ko / CATALOGUE))
    target = next(e for e in po if e.msgid.startswith("The first minutes"))
    target.msgstr = '번역 <img src=x onerror="alert(1)">'
    po.save()
    _, diags = check(ko)
    errors = [d for d in diags if d.severity == "error" and d.path == CATALOGUE.as_posix()]
    assert errors, [d.format() for d in diags]


def test_the_repository_declares_korean_and_its_resettlement_modules_are_fully_translated(capsys):
    assert main(["i18n", "status", "ko", "--format", "json", "--path", str(ROOT)]) == 0
    rows = {r["catalogue"]: r for r in json.loads(capsys.readouterr().out)}
    workshop = (ROOT / "curriculum" / "resettlement-service-providers.yml").read_text(encoding="utf-8")
    used = sorted(set(re.findall(r"session: ([a-z0-9-]+)/", workshop)))
    assert len(used) >= 5
    for module in used + ["curriculum"]:
        row = rows[f"modules/{module}/locales/ko.po" if module != "curriculum" else "curriculum/locales/ko.po"]
        assert (row["untranslated"], row["fuzzy"]) == (0, 0), row


def test_korean_dates_and_durations_come_from_cldr():
    import datetime as dt

    from workshopkit.agenda import date_span, long_date, weekday

    day = dt.date(2027, 3, 9)
    assert long_date(day, "ko") == "2027년 3월 9일"
    assert weekday(day, "ko") == "화요일"
    assert date_span(day, dt.date(2027, 3, 10), "ko") == "2027년 3월 9일~10일"
    assert load_strings("ko").minutes(50) == "50분"


def test_a_glossary_term_must_keep_its_translation_unless_the_translator_says_it_means_something_else(ko: Path):
    glossary = polib.pofile(str(ko / "curriculum" / "locales" / "ko.po"))
    next(e for e in glossary if e.msgctxt == "glossary/terms/Consent/term").msgstr = "동의"
    glossary.save()
    po = polib.pofile(str(ko / CATALOGUE))
    target = next(e for e in po if e.msgid == "Consent comes first.")
    target.msgstr = "허락이 먼저입니다."
    po.save()
    _, diags = check(ko)
    assert [d.code for d in diags if d.path == CATALOGUE.as_posix() and d.code == "WK805"] == ["WK805"]
    target.tcomment = "not the glossary term: Consent"
    po.save()
    _, diags = check(ko)
    assert not [d for d in diags if d.code == "WK805"]


def test_the_bibliography_has_its_own_catalogue_and_a_translated_title_keeps_the_original_beside_it(ko: Path):
    from workshopkit.build import BuildOptions, site_pages, views_for
    from workshopkit.markdown import load_site_config

    path = ko / "curriculum" / "sources" / "locales" / "ko.po"
    po = polib.pofile(str(path))
    by_context = {e.msgctxt: e for e in po}
    title = by_context["library/sources/lib-handbook/title"]
    english = title.msgid
    seeds = {e.msgctxt for e in polib.pofile(str(ko / "seeds" / "locales" / "ko.po"))}
    assert seeds and all(c.split("/")[-1] in {"title", "summary", "key_facts"} for c in seeds), seeds
    title.msgstr = "핸드북 한국어판"
    po.save(str(path))
    project, diags = load_project(ko, "ko")
    assert not [d for d in diags if d.severity == "error"], diags
    source = next(s for s in project.sources if s.id == "lib-handbook")
    assert (source.title, source.original_title) == ("핸드북 한국어판", english)
    # Only a title that differs from the English names the original.
    view = views_for(project, BuildOptions(root=ko, out=ko / "build"))["participant"]
    files, _ = site_pages(view, load_site_config(ko), ko, language="ko")
    page = files.pages["sources.md"]
    assert "### 핸드북 한국어판" in page and f"원제: *{english}*" in page
    english_project, _ = load_project(ko)
    assert next(s for s in english_project.sources if s.id == "lib-handbook").original_title == ""
