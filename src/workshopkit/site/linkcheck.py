"""Check a built site (offline; no network): every internal link and anchor leads somewhere,
and the pages' content holds nothing unsafe (the same rule as ``check``, applied to the output)."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html

from ..htmlsafety import scan_element

_ICON_OR_STYLE = ("stylesheet", "icon", "shortcut icon")


class _Page:
    """The anchors a page offers and the links it makes, in document order."""

    def __init__(self, html: bytes) -> None:
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.unsafe: list[str] = []
        if not html.strip():
            return
        root = lxml.html.fromstring(html)
        self.ids = {str(v) for v in root.xpath("//@id | //a/@name") if v}
        # What authors wrote ends up in the article; the theme's own markup lies around it.
        self.unsafe = [u.message for article in root.iter("article") for u in scan_element(article)]
        for el in root.iter("a", "img", "script", "link"):
            if el.tag == "a":
                target = el.get("href")
            elif el.tag == "link":
                target = el.get("href") if el.get("rel") in _ICON_OR_STYLE else None
            else:
                target = el.get("src")
            if target:
                self.links.append(target)


def _pages(site: Path) -> dict[str, _Page]:
    return {path.relative_to(site).as_posix(): _Page(path.read_bytes()) for path in sorted(site.rglob("*.html"))}


def site_problems(site: Path, pending: str = "") -> tuple[list[str], list[str]]:
    """(broken links, unsafe content) of a built site, each as 'page: what'.

    Links into ``pending`` (a folder filled in later, e.g. with the PDFs) are not followed.
    """
    pages = _pages(site)
    unsafe = [f"{rel}: {message}" for rel, page in pages.items() for message in page.unsafe]
    return _broken(pages, site, pending), unsafe


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor in ``site`` that leads nowhere, as 'page: target'."""
    return _broken(_pages(site), site)


def _broken(pages: dict[str, _Page], site: Path, pending: str = "") -> list[str]:
    problems: list[str] = []
    for rel_page, parser in pages.items():
        if rel_page == "404.html":
            continue  # served at any depth; its links are relative to the site root by design
        for href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            target = unquote(parts.path)
            if target:
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel_page), target))
                if resolved.startswith(".."):
                    problems.append(f"{rel_page}: {href} (leaves the site)")
                    continue
                if pending and resolved.startswith(pending):
                    continue
                fs = site / resolved
                if fs.is_dir():
                    fs = fs / "index.html"
                    resolved = posixpath.join(resolved, "index.html")
                if not fs.is_file():
                    problems.append(f"{rel_page}: {href} (no such file)")
                    continue
            else:
                resolved = rel_page
            if parts.fragment and resolved.endswith(".html"):
                anchors = pages.get(resolved)
                frag = unquote(parts.fragment)
                if anchors is not None and frag not in anchors.ids and frag not in ("", "__skip"):
                    problems.append(f"{rel_page}: {href} (no anchor '#{frag}')")
    return problems
