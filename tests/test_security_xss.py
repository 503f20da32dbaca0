"""Stored XSS through titles and behind deep nesting.

Threats covered:

- **Titles as HTML.** A title (module, session, handout, activity, workshop, day, track, source,
  glossary term …) written with HTML, entities or backticks — ``Alpha `<script>alert(1)</script>```
  — reaches the derived ``mkdocs.yml`` and from there the nav, header, footer, ``<title>`` and
  search index of every page, where MkDocs and Material print it as HTML. ``check`` refuses such
  titles at ``path:line:col``; and even with ``check`` bypassed, every built page and the search
  index show a title as text, escaped exactly once ('Health & safety' never becomes '&amp;amp;').
- **A scan that looks only at the article.** The post-build scan reads the whole page (head,
  nav, header, footer) and the search index, and tells the theme's own scripts and icons from
  anything an author's text could have become: a build whose pages would run a script fails.
- **Nesting deeper than the scanner reads.** lxml stops building its tree 256 elements deep and
  drops the rest, which browsers still render: 300 nested ``<div>`` before an ``onerror`` image
  passed every scan. ``check`` refuses nesting beyond a small limit, and every scanner (a text's
  HTML, a built page, the search index) fails closed on HTML it cannot read to its end.
"""

from __future__ import annotations

import base64
import html
import json
import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workshopkit.cli import main
from workshopkit.errors import BuildError

from build_helpers import build
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.xdist_group("site")

ALERT = "alert(1)"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    return root


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _where(path: Path, new: str, char: str) -> tuple[int, int]:
    """Line and column of ``char`` in the line of ``path`` that holds ``new``."""
    for no, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if new in line:
            return no, line.index(new) + new.index(char) + 1
    raise AssertionError(new)


def _build_unchecked(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build as if ``check`` had passed: what the publishers alone make of bad content."""
    import workshopkit.build as build_module
    from workshopkit.check import check

    monkeypatch.setattr(build_module, "load_checked", lambda repo: (check(repo)[0], 0))
    build(root, pdf=False)


def _pages(site: Path) -> dict[str, lxml.html.HtmlElement]:
    return {p.relative_to(site).as_posix(): lxml.html.fromstring(p.read_bytes()) for p in sorted(site.rglob("*.html"))}


def _index_entries(site: Path) -> list[dict]:
    return json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _live_alerts(root) -> list[str]:
    """Scripts and event handlers in ``root`` that would run ``alert(1)``."""
    found = [f"<script>{s.text}" for s in root.iter("script") if ALERT in (s.text or "")]
    for el in root.iter():
        if isinstance(el.tag, str):
            found += [f"<{el.tag} {k}>" for k, v in el.attrib.items() if k.lower().startswith("on") and ALERT in v]
    return found


# --------------------------------------------------------------------------------------------
# check refuses titles that are not plain text


TITLE_CASES = [
    # (file, text in the fixture, hostile replacement, offending character, key, message)
    ("modules/alpha/module.yml", "title: Alpha module on safe first contact",
     'title: "Alpha `<script>alert(1)</script>`"', "`", "title", "a backtick in a title"),
    ("modules/alpha/module.yml", "title: Opening a first conversation",
     "title: Opening <b>a first</b> conversation", "<", "sessions[0].title", "'<' in a title"),
    ("modules/alpha/module.yml", "title: Short input",
     "title: Short input &lt;img src=x onerror=alert(1)&gt;", "&", "sessions[0].activities[0].title",
     "the HTML entity '&lt;' in a title"),
    ("modules/alpha/module.yml", "title: The case of Lin",
     "title: The case of Lin &#60;", "&", "handouts[0].title", "the HTML entity '&#60;' in a title"),
    ("curriculum/demo.yml", "title: Demo workshop",
     "title: Demo `workshop`", "`", "title", "a backtick in a title"),
    ("curriculum/demo.yml", "  - title: Day one", "  - title: Day one >", ">", "days[0].title", "'>' in a title"),
    ("curriculum/sources/library.yml", "title: A handbook on direct assistance",
     "title: A handbook &copy on assistance", "&", "sources[0].title", "the HTML entity '&copy' in a title"),
    ("curriculum/glossary.yml", "term: Referral", "term: <i>Referral</i>", "<", "terms[1].term", "'<' in a title"),
]


@pytest.mark.parametrize("path, old, new, char, key, message", TITLE_CASES, ids=[c[4] + ":" + c[3] for c in TITLE_CASES])
def test_check_refuses_titles_that_are_not_plain_text(mini: Path, capsys, path, old, new, char, key, message):
    _replace(mini / path, old, new)
    assert main(["check", str(mini)]) == 1
    out = capsys.readouterr().out
    line, col = _where(mini / path, new, char)
    assert f"{path}:{line}:{col}: {key}: {message} (titles are plain text: write the title without HTML or code" in out


def test_check_refuses_html_in_the_titles_of_a_track_and_the_curriculum(mini: Path, capsys):
    (mini / "curriculum/curriculum.yml").write_text(
        "title: Mini `curriculum`\nsummary: Intro.\ntracks:\n  - id: core\n    title: Core <em>track</em>\n    modules: []\n",
        encoding="utf-8")
    assert main(["check", str(mini)]) == 1
    out = capsys.readouterr().out
    assert "curriculum/curriculum.yml:1:13: title: a backtick in a title" in out
    assert "curriculum/curriculum.yml:5:17: tracks[0].title: '<' in a title" in out


def test_check_accepts_ampersands_and_quotes_in_titles(mini: Path, capsys):
    _replace(mini / "modules/alpha/module.yml", "title: Opening a first conversation",
             """title: 'Health & safety: Q&A on the "first" minutes'""")
    assert main(["check", str(mini)]) == 0, capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# Titles are escaped exactly once on their way to every page


def test_escaping_reads_back_as_the_text_and_leaves_a_plain_ampersand_alone():
    from workshopkit.htmlsafety import escape_text

    assert escape_text("Health & safety <b>") == "Health & safety &lt;b&gt;"
    assert escape_text('Q&A "day"') == "Q&A &quot;day&quot;"
    assert escape_text("R&amp;D &#60; &copy 2024") == "R&amp;amp;D &amp;#60; &amp;copy 2024"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("&<>\"'#;x0aAmpltcopy é") + ["&amp;", "&#", "&lt", "&copy", "&notin;"]), max_size=20))
def test_escaped_text_reads_back_as_itself_and_holds_no_markup(pieces: list[str]):
    from workshopkit.htmlsafety import escape_text

    text = "".join(pieces)
    escaped = escape_text(text)
    assert html.unescape(escaped) == text
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped


def test_hostile_titles_show_as_text_on_every_page_even_when_check_is_bypassed(tmp_path: Path, monkeypatch):
    root = _repo(tmp_path)
    yml = root / "modules/alpha/module.yml"
    _replace(yml, "title: Alpha module on safe first contact", 'title: "Alpha `<script>alert(1)</script>`"')
    _replace(yml, "title: Opening a first conversation", 'title: "Health & safety <b>"')
    _replace(root / "curriculum/demo.yml", "title: Demo workshop", 'title: "Demo `<img src=x onerror=alert(1)>`"')
    _build_unchecked(root, monkeypatch)
    config = yaml.safe_load((root / "build/.gen/participant/mkdocs.yml").read_text(encoding="utf-8"))
    assert "Health & safety &lt;b&gt;" in json.dumps(config["nav"])
    for audience in ("participant", "facilitator"):
        site = root / "build/site" / audience
        pages = _pages(site)
        assert len(pages) > 8
        for rel, page in pages.items():
            assert _live_alerts(page) == [], rel
            chrome = [el for el in page.iter() if not any(a.tag == "article" for a in el.iterancestors())]
            assert not [el for el in chrome if el.tag in ("b", "img")], rel  # titles are text outside the article
            assert "&amp;amp;" not in (site / rel).read_text(encoding="utf-8"), rel
        session = pages["modules/alpha/opening.html"]
        assert session.findtext(".//title").startswith("Health & safety <b> - ")
        assert "Health & safety <b>" in _text(session.xpath("//*[@data-md-component='header-topic']")[-1])
        assert [_text(a) for a in session.xpath("//nav//a[@href='opening.html']")] and all(
            _text(a) == "Health & safety <b>" for a in session.xpath("//nav//a[@href='opening.html']"))
        module = pages["modules/alpha/index.html"]
        assert [_text(a) for a in module.xpath("//footer//a[contains(@class, 'md-footer__link--next')]")] == [
            "Next Health & safety <b>"]
        assert "Alpha `<script>alert(1)</script>`" in [_text(a) for a in module.xpath("//nav//a[@href='index.html']")]
        assert "Demo `<img src=x onerror=alert(1)>`" in _text(pages["workshops/demo.html"].xpath("//nav")[0])
        entries = _index_entries(site)
        assert "&amp;amp;" not in json.dumps(entries)
        for entry in entries:
            for value in (entry["title"], entry["text"]):
                if value.strip():
                    assert _live_alerts(lxml.html.fragment_fromstring(value, create_parent="div")) == [], entry


def test_titles_with_ampersands_and_quotes_are_escaped_once_in_a_checked_build(tmp_path: Path):
    root = _repo(tmp_path)
    _replace(root / "modules/alpha/module.yml", "title: Opening a first conversation",
             "title: 'Health & safety: Q&A on the \"first\" minutes'")
    _replace(root / "mkdocs.yml", "site_name: Protection and Humanitarian Training",
             "site_name: Protection & \"Humanitarian\" Training")
    build(root, pdf=False)
    wanted = 'Health & safety: Q&A on the "first" minutes'
    site = root / "build/site/participant"
    pages = _pages(site)
    for rel in pages:
        assert "&amp;amp;" not in (site / rel).read_text(encoding="utf-8"), rel
    session = pages["modules/alpha/opening.html"]
    assert session.findtext(".//title") == f'{wanted} - Protection & "Humanitarian" Training – Participant manual'
    assert _text(session.xpath("//nav//a[@href='opening.html']")[0]) == wanted
    assert wanted in _text(session.xpath("//header")[0])
    assert 'Protection & "Humanitarian" Training' in _text(session.xpath("//header")[0])
    assert session.xpath("//header//a[contains(@class, 'md-logo')]/@aria-label")[0].startswith(
        'Protection & "Humanitarian" Training')
    module = pages["modules/alpha/index.html"]
    footer = module.xpath("//footer//a[contains(@class, 'md-footer__link--next')]")[0]
    assert _text(footer) == f"Next {wanted}"
    assert footer.get("aria-label").startswith("Next: Health & safety: Q&A")
    titles = [e["title"] for e in _index_entries(site) if e["location"] == "modules/alpha/opening.html"]
    assert titles and html.unescape(titles[0]) == wanted


def test_a_title_that_would_run_a_script_in_the_page_stops_a_build_that_bypasses_check(tmp_path: Path, monkeypatch):
    root = _repo(tmp_path)
    _replace(root / "modules/alpha/module.yml", "title: The case of Lin", 'title: "<img src=x onerror=alert(1)>"')
    with pytest.raises(BuildError, match="would publish unsafe HTML"):
        _build_unchecked(root, monkeypatch)
    assert not (root / "build/site/participant").exists()


# --------------------------------------------------------------------------------------------
# The post-build scan reads the whole page and the search index


def _material_script(name: str, value: str = ".") -> str:
    """The text of one of Material's inline scripts, as its template writes it."""
    from workshopkit.site.mkdocs_adapter import theme_inline_code

    pattern = next(p.pattern for p in theme_inline_code() if p.pattern.startswith(name))
    return __import__("re").sub(r"\\(.)", r"\1", pattern.replace(r"[\w ./-]*", value))


def _page(head: str = "", nav: str = "", article: str = "<p>Text</p>", footer: str = "") -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>T - Site</title>{head}</head><body>"
            f"<header><form name='search'><button type='reset'>x</button></form>"
            f"<svg viewBox='0 0 24 24'><path d='M1 1h2'/></svg></header><nav>{nav}</nav>"
            f"<main><article>{article}</article></main><footer>{footer}</footer>"
            f"<script id='__config' type='application/json'>{{\"base\": \".\"}}</script>"
            f"<script src='assets/javascripts/bundle.js'></script>"
            f"<script>{_material_script('__md_scope')}</script></body></html>")


def _site(tmp_path: Path, page: str, index: object = None) -> Path:
    site = tmp_path / "site"
    (site / "assets/javascripts").mkdir(parents=True)
    (site / "assets/javascripts/bundle.js").write_text("")
    (site / "index.html").write_text(page, encoding="utf-8")
    if index is not None:
        (site / "search").mkdir()
        text = index if isinstance(index, str) else json.dumps(index)
        (site / "search/search_index.json").write_text(text, encoding="utf-8")
    return site


def test_the_themes_own_scripts_icons_and_controls_pass_the_scan(tmp_path: Path):
    from workshopkit.site.linkcheck import site_problems

    index = {"config": {}, "docs": [{"location": "index.html", "title": "Health &amp; safety",
                                     "text": "<p>Use <code>&lt;b&gt;</code></p><ul><li>one</li></ul>"}]}
    assert site_problems(_site(tmp_path, _page(), index)) == ([], [])


@pytest.mark.parametrize("where, markup, finding", [
    ("head", "</title><script>alert(1)</script>", "raw HTML <script>"),
    ("nav", "<script>alert(1)</script>", "raw HTML <script>"),
    ("nav", "<img src=x onerror=alert(1)>", "the event-handler attribute 'onerror'"),
    ("footer", "<a href='javascript:alert(1)'>x</a>", "the scheme 'javascript:'"),
    ("footer", "<script src='https://cdn.example.org/x.js'></script>", "raw HTML <script>"),
    ("footer", "<script src='modules/alpha/x.js'></script>", "raw HTML <script>"),
    ("footer", "<script type='application/json'>{]</script>", "raw HTML <script>"),
    ("nav", "<svg><a href='https://example.org'><path d='M1'/></a></svg>", "raw HTML <svg>"),
    ("nav", "<iframe src='https://example.org'></iframe>", "raw HTML <iframe>"),
    ("head", "<meta http-equiv='refresh' content='0;url=https://example.org'>", "<meta http-equiv>"),
    ("article", "<form><button>Go</button></form>", "raw HTML <form>"),
    ("article", "<svg viewBox='0 0 1 1'><path d='M1'/></svg>", "raw HTML <svg>"),
])
def test_the_scan_reads_the_whole_page(tmp_path: Path, where: str, markup: str, finding: str):
    from workshopkit.site.linkcheck import site_problems

    page = _page(**{where: markup})
    if where == "head" and markup.startswith("</title>"):
        page = page.replace("<title>T - Site</title>", "<title>T " + markup + " - Site</title>")
    broken, unsafe = site_problems(_site(tmp_path, page))
    assert any(finding in u for u in unsafe), unsafe


@pytest.mark.parametrize("index, finding", [
    ({"docs": [{"location": "a.html", "title": "<img src=x onerror=alert(1)>", "text": ""}]}, "onerror"),
    ({"docs": [{"location": "a.html", "title": "A", "text": "<p>x</p><script>alert(1)</script>"}]}, "<script>"),
    ({"docs": [{"location": "javascript:alert(1)", "title": "A", "text": ""}]}, "javascript:"),
    ({"docs": [{"location": "a.html", "title": "A", "text": "<div>" * 300 + "<img src=x onerror=alert(1)>"}]},
     "nested 300 levels deep"),
    ("{not json", "cannot be checked"),
    ({"documents": []}, "cannot be checked"),
])
def test_the_scan_reads_the_search_index_and_fails_closed_on_one_it_cannot_read(tmp_path: Path, index, finding):
    from workshopkit.site.linkcheck import site_problems

    broken, unsafe = site_problems(_site(tmp_path, _page(), index))
    assert any(u.startswith("search/search_index.json: ") and finding in u for u in unsafe), unsafe


# --------------------------------------------------------------------------------------------
# Deep nesting: refused by check, and no scanner passes what it cannot read


DEEP = "<div>" * 300 + "\n\n" + '![logo](../modules/alpha/logo.png){: src="#" onerror="alert(1)"}' + "\n\n" + "</div>" * 300


def _deep_curriculum(root: Path) -> None:
    (root / "modules/alpha/logo.png").write_bytes(PNG)
    doc = {"title": "Mini curriculum", "summary": "Intro.", "how_to_use": DEEP,
           "tracks": [{"id": "core", "title": "Core", "modules": []}]}
    (root / "curriculum/curriculum.yml").write_text(yaml.safe_dump(doc, sort_keys=False, width=10**6), encoding="utf-8")


def test_check_refuses_deep_nesting_at_its_place(mini: Path, capsys):
    _deep_curriculum(mini)
    assert main(["check", str(mini)]) == 1
    out = capsys.readouterr().out
    assert "curriculum/curriculum.yml:3:1: how_to_use: HTML elements nested 300 levels deep (at most 16)" in out


def test_nesting_is_allowed_up_to_the_limit():
    from workshopkit.htmlsafety import MAX_DEPTH, scan_fragment

    assert scan_fragment("<div>" * MAX_DEPTH + "x" + "</div>" * MAX_DEPTH) == []
    # A list level is one level, however many items and rows it has.
    assert scan_fragment("<ul><li>" * MAX_DEPTH + "x" + "</li></ul>" * MAX_DEPTH) == []
    assert [u.message for u in scan_fragment("<div>" * (MAX_DEPTH + 1) + "x")] == [
        f"HTML elements nested {MAX_DEPTH + 1} levels deep (at most {MAX_DEPTH}); flatten the structure"]


def test_every_scanner_fails_closed_on_html_nested_past_the_parsers_limit(tmp_path: Path):
    from workshopkit.htmlsafety import parse_document, scan_fragment
    from workshopkit.site.linkcheck import site_problems

    deep = "<div>" * 300 + '<img src="#" onerror="alert(1)">' + "</div>" * 300
    assert scan_fragment(deep) != []
    root, problems = parse_document(f"<html><body>{deep}</body></html>")
    assert root is None and "cannot be checked" in problems[0].message
    broken, unsafe = site_problems(_site(tmp_path, _page(article=deep)))
    assert unsafe and all("cannot be checked" in u for u in unsafe)


def test_a_parser_that_silently_drops_elements_is_caught_by_the_streaming_count(monkeypatch):
    from workshopkit import htmlsafety

    real = lxml.html.fragment_fromstring

    def dropping(*args, **kw):
        root = real(*args, **kw)
        for img in list(root.iter("img")):
            img.getparent().remove(img)
        return root

    monkeypatch.setattr(htmlsafety.lxml.html, "fragment_fromstring", dropping)
    problems = htmlsafety.scan_fragment('<p><img src="#" onerror="alert(1)"></p>')
    assert [u.message for u in problems] == ["the HTML parser kept 0 of 1 <img> elements, so it cannot be checked"]


def test_a_build_that_bypasses_check_refuses_the_deeply_nested_page(tmp_path: Path, monkeypatch):
    root = _repo(tmp_path)
    _deep_curriculum(root)
    with pytest.raises(BuildError, match="index.html: the HTML could not be read to its end"):
        _build_unchecked(root, monkeypatch)
    assert not (root / "build/site/participant").exists()
