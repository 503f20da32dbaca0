"""The two sites, built for real from the fixture repository and read back as HTML."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml

from build_helpers import build
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.xdist_group("site")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site") / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    build(root)
    return root


def _page(root: Path, audience: str, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((root / "build" / "site" / audience / rel).read_bytes())


@pytest.mark.parametrize("audience", ["participant", "facilitator"])
def test_glossary_is_one_flat_list_of_every_term(sites: Path, audience: str):
    terms = [t["term"] for t in yaml.safe_load((sites / "curriculum/glossary.yml").read_text())["terms"]]
    article = _page(sites, audience, "glossary.html").xpath("//article")[0]
    headings = article.xpath("./h2")  # one heading per term, each with its anchor
    assert [h.text_content().rstrip("¶").strip() for h in headings] == sorted(terms, key=str.casefold)
    assert all(h.get("id") for h in headings)
    assert article.xpath(".//h2//h2 | .//dl") == []  # a term never swallows the next one


def test_sites_offer_the_pdfs_of_their_audience_and_no_other(sites: Path):
    part = sites / "build/site/participant"
    page = _page(sites, "participant", "modules/alpha/handouts/case-lin.html")
    hrefs = [a.get("href") for a in page.xpath("//article//a[contains(@href, '.pdf')]")]
    assert hrefs == ["../../../downloads/participant/handouts/alpha/case-lin.pdf"]
    target = (part / "modules/alpha/handouts" / hrefs[0]).resolve()
    assert target.read_bytes().startswith(b"%PDF")
    workshop = _page(sites, "participant", "workshops/demo.html")
    listed = {a.get("href").rsplit("/", 1)[-1] for a in workshop.xpath("//article//a[contains(@href, '.pdf')]")}
    assert listed == {"workbook.pdf", "knowledge-test.pdf", "evaluation-form.pdf", "slides.pdf"}
    offered = {p.relative_to(part / "downloads").parts[0] for p in (part / "downloads").rglob("*.pdf")}
    assert offered == {"participant"}  # never a facilitator guide or answer key
    fac = _page(sites, "facilitator", "workshops/demo.html")
    fac_listed = {a.get("href").rsplit("/", 1)[-1] for a in fac.xpath("//article//a[contains(@href, '.pdf')]")}
    assert {"facilitator-guide.pdf", "answer-key.pdf", "workbook.pdf"} <= fac_listed
    for href in fac.xpath("//article//a[contains(@href, '.pdf')]/@href"):
        assert (sites / "build/site/facilitator/workshops" / href).resolve().is_file(), href


def test_a_site_only_build_links_no_pdfs(tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    build(root, pdf=False)
    site = root / "build/site/participant"
    assert not (site / "downloads").exists()
    assert ".pdf" not in (site / "modules/alpha/handouts/case-lin.html").read_text(encoding="utf-8")


def test_a_build_notes_a_placeholder_site_url_for_the_qr_codes(tmp_path: Path):
    from workshopkit.build import BuildOptions, setup_notes
    from workshopkit.markdown import SiteConfig

    opts = BuildOptions(root=tmp_path)
    placeholder = setup_notes(SiteConfig(tmp_path / "mkdocs.yml", {"site_url": "https://training.example.org/"}), opts)
    assert any("site_url is 'https://training.example.org/', a placeholder" in n for n in placeholder)
    assert any("site_url is not set" in n for n in setup_notes(SiteConfig(tmp_path / "mkdocs.yml", {}), opts))
    real = setup_notes(SiteConfig(tmp_path / "mkdocs.yml", {"site_url": "https://training.ngo.kr/"}), opts)
    assert not any("site_url" in n for n in real)
