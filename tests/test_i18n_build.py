"""A translated edition built for real: the Korean sites inside the English ones with a language
switch to the same page, Korean PDFs with embedded CJK fonts and lines that break only between
words, notices on what is only partly translated, and private translations kept private."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import polib
import pypdf
import pytest
from lxml import html as lxml_html
from test_i18n import declare_korean

from workshopkit.pdf.html import keep_words_whole

from build_helpers import all_files_text, build, pdf_outline, pdf_text

pytestmark = pytest.mark.slow

#: A Korean sentence of words of different lengths: a line may only end after one of them.
SENTENCE = "참가자는 비밀보장과 사전 동의의 원칙을 지키면서 북한이탈주민에게 필요한 정착지원 서비스를 안내합니다."
WORDS = set(SENTENCE.split())
PRIVATE = ("/facilitator", "/safety_notes", "/explanation", "/debrief", "/de_roling", "/facilitator_notes", "/answer",
           "/materials", "/preparation", "/background", "/disclosure", "/misconceptions", "/logistics", "/facilitators/role")


def _korean(e: polib.POEntry) -> str:
    private = e.msgctxt.endswith(PRIVATE) or e.msgid.startswith("Pause here")
    if e.msgid.startswith("|"):
        return e.msgid.replace("| ", "| 번역 ", 1)
    if private:
        return "KOPRIVATE " + e.msgid
    if e.msgctxt.endswith(("/title", "/term", "/short_title")) or any(c in e.msgid for c in "[*`_<!") or "\n" in e.msgid:
        # Korean inside emphasis too ("**강조 Questions**"), which is set upright
        return "번역 " + re.sub(r"(\*\*|\*)(?=\w)", r"\g<1>강조 ", e.msgid, count=1)
    return " ".join([SENTENCE] * 3)  # long enough to fill several lines


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The small fixture with the repository's site configuration, Korean declared and every
    message of alpha translated (beta left in English), built with its sites, PDFs and zip."""
    from conftest import FIXTURES, ROOT

    root = tmp_path_factory.mktemp("ko") / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    declare_korean(root)
    for path in [root / "modules" / "alpha" / "locales" / "ko.po", root / "curriculum" / "locales" / "ko.po"]:
        po = polib.pofile(str(path))
        for e in po:
            e.msgstr = _korean(e)
        po.save(str(path))
    build(root, zip=True)
    return root


def _page(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def test_the_korean_sites_sit_inside_the_english_ones_in_korean(built: Path):
    site = built / "build" / "site"
    for audience in ("participant", "facilitator"):
        home = _page(site / audience / "ko" / "index.html")
        assert home.get("lang") == "ko"
        assert _page(site / audience / "index.html").get("lang") == "en"
    index = json.loads((site / "participant" / "ko" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["ko", "en"]  # lunr's Korean tokeniser, and English for what is not translated
    assert "비밀보장과" in json.dumps(index, ensure_ascii=False)
    # The English site's search and sitemap hold no Korean page.
    assert "/ko/" not in (site / "participant" / "sitemap.xml").read_text(encoding="utf-8")
    assert "비밀보장과" not in (site / "participant" / "search" / "search_index.json").read_text(encoding="utf-8")


def test_the_language_switch_leads_to_the_same_page(built: Path):
    site = built / "build" / "site" / "participant"
    pages = ["index.html", "modules/alpha/opening.html", "modules/alpha/handouts/case-lin.html", "glossary.html"]
    for page in pages:
        for here, other, lang in ((site, site / "ko", "ko"), (site / "ko", site, "en")):
            links = _page(here / page).xpath(f'//a[contains(@class, "md-select__link")][@hreflang="{lang}"]/@href')
            assert len(links) == 1, (here, page)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), links[0]))
            assert (here / target).resolve() == (other / page).resolve(), (here / page, links[0])


def test_korean_dates_and_labels_and_the_notice_on_what_is_partly_translated(built: Path):
    ko = built / "build" / "site" / "participant" / "ko"
    workshop = _page(ko / "workshops" / "demo.html").text_content()
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일", workshop)
    assert "분" in workshop  # durations: '50분'
    alpha = (ko / "modules" / "alpha" / "opening.html").read_text(encoding="utf-8")
    beta = (ko / "modules" / "beta" / "index.html").read_text(encoding="utf-8")
    assert "wk-partial" not in alpha
    assert "wk-partial" in beta and "일부만 번역" in beta
    # A message that is not translated shows in English, marked as English.
    assert 'lang="en"' in beta


def test_private_translations_never_reach_a_participant_output_of_any_language(built: Path):
    out = built / "build"
    public = {**all_files_text(out / "site" / "participant"), **all_files_text(out / "pdf" / "ko" / "participant"),
              **all_files_text(out / "pdf" / "participant")}
    assert any("ko/" in p.as_posix() for p in public)
    leaks = [p for p, text in public.items() if "KOPRIVATE" in text]
    assert not leaks
    with zipfile.ZipFile(next((out / "offline").glob("*.zip"))) as z:
        names = z.namelist()
        assert any("/ko/" in n or n.startswith("ko/") for n in names)
        assert not [n for n in names if b"KOPRIVATE" in z.read(n)]
    facilitator = all_files_text(out / "site" / "facilitator" / "ko")
    assert any("KOPRIVATE" in text for text in facilitator.values())


def test_korean_pdfs_embed_their_fonts_and_break_lines_only_between_words(built: Path):
    pdfs = sorted((built / "build" / "pdf" / "ko").rglob("*.pdf"))
    assert pdfs
    workbook = next(p for p in pdfs if p.name == "workbook.pdf")
    fonts = subprocess.run(["pdffonts", str(workbook)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK-KR" in line]
    assert cjk and all(" yes yes " in line for line in cjk), fonts
    # Hangul is never slanted nor set in a bold myeongjo: emphasis is set upright in gothic, so the
    # CJK faces are the gothic, its bold and the myeongjo of the text.
    faces = {line.split()[0].split("+")[-1] for line in cjk}
    assert "Noto-Sans-CJK-KR-Bold" in faces and faces <= {"Noto-Sans-CJK-KR", "Noto-Sans-CJK-KR-Bold",
                                                          "Noto-Serif-CJK-KR"}, faces
    text = pdf_text(workbook)
    # The text a reader copies or searches is clean Korean: no missing glyph, no invisible joiner.
    assert "\ufffd" not in text and "\u2060" not in text
    titles = [title for _, title in pdf_outline(pypdf.PdfReader(str(workbook)))]
    assert any(re.search(r"[\uac00-\ud7a3]", t) for t in titles) and not any("\u2060" in t for t in titles)
    lines = [line.strip() for line in text.splitlines() if any(w in line for w in WORDS)]
    assert len(lines) > 10
    words = {w.strip(".,") for w in WORDS}

    def cut(token: str) -> bool:
        """Whether ``token`` is a piece of a source word (its start or its end, not all of it)."""
        t = token.strip("().,")
        return t not in words and any(w != t and (w.startswith(t) or w.endswith(t)) for w in words)

    cuts = [line for line in lines for token in (line.split()[0], line.split()[-1]) if cut(token)]
    assert not cuts, cuts[:5]


def test_whole_words_are_kept_in_the_body_only():
    html = ('<html><head><title>사전 동의</title><style>p::after{content:"동의"}</style></head>'
            '<body><h2>사전 동의</h2><p class="x" title="비밀보장">사전 동의와 consent, 비밀보장&amp;지원.</p>'
            '</body></html>')
    out = keep_words_whole(html)
    assert '<title>사전 동의</title>' in out and 'content:"동의"' in out and 'title="비밀보장"' in out
    j = "\u2060"
    assert f'>사{j}전 동{j}의{j}와 consent, 비{j}밀{j}보{j}장{j}&amp;{j}지{j}원{j}.</p>' in out
    # the outline is made from the headings' text: their words are kept whole without joiners
    assert '<h2><span class="w">사전</span> <span class="w">동의</span></h2>' in out


@pytest.mark.browser
def test_a_korean_query_in_the_search_box_finds_the_korean_page(built: Path):
    """Material's search with lunr's Korean support, in chromium: a word of a translated session
    finds its page (an English-only index would find nothing)."""
    import functools
    import http.server
    import threading

    from test_browser import CHROMIUM, CHROMIUM_ARGS, _need

    _need(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    folder = built / "build" / "site" / "participant"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = b.new_page()
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/ko/index.html", wait_until="networkidle")
            box = page.locator("input.md-search__input")
            box.click()
            box.fill("비밀보장")  # Hangul comes through an input method: the text, then a key
            box.press("End")
            hit = page.locator(".md-search-result__link").first
            hit.wait_for(timeout=15000)
            hrefs = [a.get_attribute("href") or "" for a in page.locator(".md-search-result__link").all()]
            b.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert any("modules/alpha/" in h for h in hrefs), hrefs
