"""Check every internal link and anchor of a built site (offline; no network)."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(str(a[key]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        elif tag in ("img", "script") and a.get("src"):
            self.links.append(str(a["src"]))
        elif tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "icon", "shortcut icon"):
            self.links.append(str(a["href"]))


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor in ``site`` that leads nowhere, as 'page: target'."""
    pages: dict[str, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path.relative_to(site).as_posix()] = parser
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
