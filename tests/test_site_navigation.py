"""Finding one's way in the sites, read back from real builds of the fixture repository.

The fixture is copied and given what the checks need to see: a curriculum with a track and a
"how to use" text, a glossary term used twice in a participant text, a "see also", a term that
only a facilitator text uses (its definition is a canary that must never reach the participant
manual) and a content warning that already says participants may step out.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml

from workshopkit.site import terms

from build_helpers import build
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.xdist_group("site")

CONSENT = "Agreement given freely by a person who understands what they agree to."
FACILITATOR_TERM = "Observer checklist"
FACILITATOR_DEFINITION = "CANARY-TERM-7f3a a list the facilitator hands to observers."
SITE_URL = "https://training.example.org/"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def prepare(root: Path) -> Path:
    """Copy the fixture to ``root`` with the repository's mkdocs.yml and the additions above."""
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    alpha = root / "modules/alpha/module.yml"
    _replace(alpha, "participant: Read the case and discuss the questions.",
             "participant: Read the case and discuss how consent was asked. Was consent given freely?")
    _replace(alpha, "background: Read the handbook chapter first.",
             "background: Read the handbook chapter first and bring the observer checklist.")
    _replace(alpha, "note: The case mentions exploitation without detail.",
             "note: The case mentions exploitation without detail. You may step out at any time.")
    _replace(alpha, "level: introductory\n", "level: introductory\ntrack: core\n")
    _replace(root / "modules/beta/module.yml", "level: intermediate\n", "level: intermediate\ntrack: core\n")
    glossary = root / "curriculum/glossary.yml"
    _replace(glossary, "    source: lib-handbook\n", "    source: lib-handbook\n    see_also: [Referral]\n")
    glossary.write_text(glossary.read_text(encoding="utf-8")
                        + f"  - term: {FACILITATOR_TERM}\n    definition: {FACILITATOR_DEFINITION}\n", encoding="utf-8")
    (root / "curriculum/curriculum.yml").write_text(
        "title: Mini curriculum\nsummary: A small curriculum for the tests.\n"
        "how_to_use: Read each session page before the session.\n"
        "tracks:\n  - id: core\n    title: Core track\n    summary: For everyone.\n    modules: [alpha, beta]\n",
        encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = prepare(tmp_path_factory.mktemp("navigation") / "repo")
    build(root)
    return root / "build"


def _page(build_dir: Path, audience: str, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((build_dir / "site" / audience / rel).read_bytes())


def _text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def _heading(el: lxml.html.HtmlElement) -> str:
    return _text(el).rstrip("¶").strip()


def _article(build_dir: Path, audience: str, rel: str) -> lxml.html.HtmlElement:
    return _page(build_dir, audience, rel).xpath("//article")[0]


# --- index pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["participant", "facilitator"])
def test_the_modules_and_workshops_sections_open_on_index_pages(sites: Path, audience: str):
    config = yaml.safe_load((sites / ".gen" / audience / "mkdocs.yml").read_text(encoding="utf-8"))
    sections = {next(iter(item)): item[next(iter(item))] for item in config["nav"]}
    # Material's navigation.indexes: a section's first page named index.md is the section's page.
    assert list(sections["Modules"][0].values()) == ["modules/index.md"]
    assert list(sections["Workshops"][0].values()) == ["workshops/index.md"]
    assert {"navigation.indexes", "navigation.path", "content.tooltips"} <= set(config["theme"]["features"])

    modules = _article(sites, audience, "modules/index.html")
    assert [_heading(h) for h in modules.xpath(".//h2")] == ["Core track"]
    cards = modules.xpath(".//div[contains(@class, 'cards')]//li")
    assert [c.xpath(".//h3/a/@href")[0] for c in cards] == ["alpha/index.html", "beta/index.html"]
    alpha = _text(cards[0])
    assert "95 min · Introductory · For caseworkers" in alpha  # core length, level label, audience
    assert "Practise a safe first conversation." in alpha  # the module's aim, in one line

    workshops = _article(sites, audience, "workshops/index.html")
    card = workshops.xpath(".//div[contains(@class, 'cards')]//li")
    assert len(card) == 1 and card[0].xpath(".//h2/a[not(@class='headerlink')]/@href") == ["demo.html"]
    assert "2 March 2026 · Seoul · on-site" in _text(card[0])
    pdfs = card[0].xpath(".//a[contains(@href, '.pdf')]/@href")
    assert {p.rsplit("/", 1)[-1] for p in pdfs} >= {"workbook.pdf", "knowledge-test.pdf", "evaluation-form.pdf"}
    for href in pdfs:
        assert (sites / "site" / audience / "workshops" / href).resolve().is_file(), href


def test_the_home_page_writes_dates_out_and_explains_the_manual_before_the_lists(sites: Path):
    home = _article(sites, "participant", "index.html")
    headings = [_heading(h) for h in home.xpath(".//h2")]
    assert headings[:3] == ["How to use this manual", "Workshops", "Modules"]
    assert "2 March 2026" in _text(home) and "2026-03-02" not in _text(home)
    assert home.xpath(".//table[.//th[normalize-space()='Venue']]") == []  # workshops as cards, not a table


# --- glossary -----------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["participant", "facilitator"])
def test_each_glossary_term_has_an_anchor_a_search_entry_and_linked_see_also(sites: Path, audience: str):
    article = _article(sites, audience, "glossary.html")
    headings = article.xpath(".//h2")
    names = [_heading(h) for h in headings]
    expected = ["Consent", "Referral", "Warm handover"] + ([FACILITATOR_TERM] if audience == "facilitator" else [])
    assert names == sorted(expected, key=str.casefold)
    assert [h.get("id") for h in headings] == [terms.slug(n) for n in names]
    toc = _page(sites, audience, "glossary.html").xpath("//nav[contains(@class, 'md-nav--secondary')]//a/@href")
    assert {f"#{terms.slug(n)}" for n in names} <= set(toc)
    see_also = article.xpath(".//h2[@id='consent']/following-sibling::p[1]/following-sibling::p[1]//a/@href")
    assert see_also == ["#referral"]
    index = json.loads((sites / "site" / audience / "search/search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"] for d in index["docs"]}
    assert {f"glossary.html#{terms.slug(n)}" for n in names} <= locations


def test_the_first_use_of_a_term_on_a_page_shows_its_definition(sites: Path):
    session = _article(sites, "participant", "modules/alpha/opening.html")
    shown = session.xpath(".//abbr[contains(@class, 'wk-term')]")
    assert [(_text(a), a.get("title"), a.get("tabindex")) for a in shown] == [("consent", CONSENT, "0")]
    assert "Was consent given freely?" in _text(session)  # the second use stays plain text
    for a in shown:  # never in a heading, a link or code
        assert not [p for p in a.iterancestors() if p.tag in ("a", "code", "pre", "h1", "h2", "h3", "h4")]
    # Every page starts afresh: the module page shows the definition at its own first use.
    fac = _article(sites, "facilitator", "modules/alpha/index.html")
    assert [_text(a) for a in fac.xpath(".//abbr[contains(@class, 'wk-term')]")] == ["observer checklist"]


def test_the_participant_manual_holds_no_definition_of_a_term_only_facilitators_use(sites: Path):
    site = sites / "site" / "participant"
    found = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".js")
             and "CANARY-TERM-7f3a" in p.read_text(encoding="utf-8", errors="replace")]
    assert found == []
    assert "CANARY-TERM-7f3a" in (sites / "site/facilitator/glossary.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("text, expected", [
    ("Ask for consent first.", ["consent"]),
    ("Ask for `consent` first, then consent.", ["consent"]),  # the code span is left alone
    ("See [consent](x.md) and <https://consent.example.org>. Consent matters.", ["Consent"]),
    ("# Consent\n\nConsent is needed.", ["Consent"]),  # not in the heading
    ("Consent-based work; informed consent.", ["informed consent"]),  # a part of a word is not the term
    ("    consent in indented code\n\nno term here", []),
    ("```\nconsent\n```\n\nConsent.", ["Consent"]),
    ("!!! note \"Consent\"\n\n    Text.", []),
])
def test_terms_are_found_only_in_prose(text: str, expected: list[str]):
    from workshopkit.model import GlossaryEntry

    entries = [GlossaryEntry(term="Consent", definition="Agreement. [x](javascript:1) `c` | *e*"),
               GlossaryEntry(term="Informed consent", definition="Consent with full information.")]
    out = terms.annotate(text, terms.glossary_terms(entries), set())
    used = re.findall(r'<abbr class="wk-term" title="([^"]*)" tabindex="0">(.*?)</abbr>', out, re.S)
    assert [u for _, u in used] == expected
    for title, _ in used:  # Markdown and table syntax in a definition cannot act on the page
        assert not set("[]`|*<>") & set(title)


# --- the facilitator edition --------------------------------------------------------------------


def _html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html")


def test_every_facilitator_page_has_the_banner_and_links_to_the_same_participant_page(sites: Path):
    fac, part = sites / "site/facilitator", sites / "site/participant"
    linked = 0
    for rel in _html_pages(fac):
        banner = _article(sites, "facilitator", rel).xpath(".//p[contains(@class, 'wk-edition')]")
        assert len(banner) == 1 and "Facilitator edition – do not project" in _text(banner[0]), rel
        assert banner[0].get("data-search-exclude") is not None
        hrefs = banner[0].xpath(".//a/@href")
        if (part / rel).is_file():
            assert hrefs == [SITE_URL + rel], rel
            linked += 1
        else:  # answer keys and the editor's guide have no participant page
            assert hrefs == [], rel
    assert linked >= 10
    fac_config = yaml.safe_load((sites / ".gen/facilitator/mkdocs.yml").read_text(encoding="utf-8"))
    part_config = yaml.safe_load((sites / ".gen/participant/mkdocs.yml").read_text(encoding="utf-8"))
    assert {p["primary"] for p in fac_config["theme"]["palette"]} == {"deep purple"}
    assert {p["primary"] for p in part_config["theme"]["palette"]} == {"teal"}


def test_the_participant_manual_never_links_to_the_facilitator_site(sites: Path):
    part = sites / "site/participant"
    for rel in _html_pages(part):
        page = _page(sites, "participant", rel)
        assert page.xpath("//*[contains(@class, 'wk-edition')]") == [], rel
        for href in page.xpath("//a/@href"):
            assert "facilitator/" not in href and "Facilitator edition" not in _text(page), (rel, href)


def test_without_a_site_url_facilitator_pages_link_to_the_participant_manual_beside_them(tmp_path: Path):
    root = prepare(tmp_path / "repo")
    _replace(root / "mkdocs.yml", f"site_url: {SITE_URL}\n", "")
    build(root, pdf=False)
    site = root / "build/site"
    page = lxml.html.fromstring((site / "facilitator/modules/alpha/opening.html").read_bytes())
    href = page.xpath("//p[contains(@class, 'wk-edition')]//a/@href")
    assert href == ["../../../participant/modules/alpha/opening.html"]
    assert (site / "facilitator/modules/alpha" / href[0]).resolve() == (site / "participant/modules/alpha/opening.html")


# --- session plans, labels, content warnings, search ---------------------------------------------


def test_a_session_plan_shows_core_and_full_versions_as_tabs_with_their_own_clocks(sites: Path):
    article = _article(sites, "facilitator", "modules/alpha/opening.html")
    tabs = article.xpath(".//div[contains(@class, 'tabbed-set')]")
    assert len(tabs) == 1
    assert [_text(label) for label in tabs[0].xpath(".//div[@class='tabbed-labels']/label")] == ["Core version", "Full version"]
    core, full = tabs[0].xpath(".//div[@class='tabbed-block']")
    assert [[_text(td) for td in tr.xpath("td")][1] for tr in core.xpath(".//tbody/tr")] == ["0:15", "0:35"]
    assert [[_text(td) for td in tr.xpath("td")][1] for tr in full.xpath(".//tbody/tr")] == ["0:15", "0:35", "0:45"]
    assert "(full version only)" in _text(full) and "Extra practice" not in _text(core)
    # A session without extension activities has one plan.
    practice = _article(sites, "facilitator", "modules/alpha/practice.html")
    assert practice.xpath(".//div[contains(@class, 'tabbed-set')]") == []
    assert practice.xpath(".//div[contains(@class, 'wk-plan')]//table")


def test_participants_read_labels_not_the_values_of_the_schema(sites: Path):
    raw = re.compile(r"\b(case-study|role-play|small-groups|job-aid|card-sort|introductory|Full version only)\b")
    for rel in _html_pages(sites / "site/participant"):
        article = _page(sites, "participant", rel).xpath("//article")
        text = _text(article[0]) if article else ""
        assert not raw.findall(text), (rel, raw.findall(text))
    session = _text(_article(sites, "participant", "modules/alpha/practice.html"))
    assert "Role play · 50 min · in threes" in session


def test_a_content_warning_that_says_step_out_is_not_followed_by_the_same_sentence(sites: Path):
    module = _text(_article(sites, "participant", "modules/alpha/index.html"))
    assert module.count("step out") == 1
    assert "You may also take a break or talk to a facilitator in private." in module
    session = _text(_article(sites, "participant", "modules/alpha/opening.html"))
    assert "You may step out at any time, take a break, or talk to a facilitator in private." in session


def test_search_splits_words_at_punctuation(sites: Path):
    index = json.loads((sites / "site/participant/search/search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"].replace("\\u200b", "\u200b"))
    assert [t for t in separator.split('Consent, referral: "warm" handover (in person)/later.') if t] == [
        "Consent", "referral", "warm", "handover", "in", "person", "later"]
    assert [t for t in separator.split("version 1.10 and e.g. this") if t] == ["version", "1.10", "and", "e", "g", "this"]


def test_breadcrumbs_lead_back_through_the_sections(sites: Path):
    page = _page(sites, "participant", "modules/alpha/opening.html")
    path = page.xpath("//nav[contains(@class, 'md-path')]//a")
    assert [_text(a) for a in path] == ["Home", "Modules", "Core track", "Alpha module on safe first contact"]
    for a in path:
        target = posixpath.normpath(posixpath.join("modules/alpha", a.get("href")))
        assert (sites / "site/participant" / target).is_file(), target
