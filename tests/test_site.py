"""The two sites, built for real from the fixture repository and read back as HTML."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest

from build_helpers import build
from conftest import FIXTURES, ROOT
import yaml

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
    assert [dt.text_content().strip() for dt in article.xpath(".//dt")] == sorted(terms, key=str.casefold)
    assert article.xpath(".//dd//dl") == []  # a term never swallows the next one
