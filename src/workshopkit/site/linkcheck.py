"""Check a built site (offline; no network): every internal link and anchor leads somewhere,
and nothing in its pages or its search index is unsafe (the same rule as ``check``, applied to
the output).

The whole of every page is scanned: head, nav, header and footer as well as the article, since
titles and the site name reach them. The theme writes a few things there that the rule forbids
in authors' content; they are told apart from anything an author's text could have become by
where they come from, never by what they look like alone:

- an external ``<script>`` whose ``src`` is a file in the site's ``assets/`` folder, which holds
  the theme's and workshopkit's files only (authors' files are published under ``modules/``);
- an inline ``<script>`` or ``<style>`` whose text is one the theme's own template files write
  (:func:`~workshopkit.site.mkdocs_adapter.theme_inline_code`), or a ``<script
  type="application/json">`` holding valid JSON, which browsers never run;
- outside ``<article>``, the theme's controls and head (``form``, ``button``, ``meta``, ``link``)
  and icons (an ``<svg>`` holding only shapes).

Attributes are judged everywhere with no exception: the theme writes no event handler, no
``style`` and no ``javascript:`` URL. Authors' text reaches these parts of a page only as text,
so any other element there, or any element the theme's list does not explain, is a finding. A
page or search index that cannot be read completely is a finding too.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..htmlsafety import SAFE_SCHEMES, parse_document, scan_element, scan_fragment, url_scheme

_ICON_OR_STYLE = ("stylesheet", "icon", "shortcut icon")
#: Tags the theme uses outside the article for its search form, toggles and page head.
_THEME_CONTROLS = frozenset({"form", "button", "meta", "link"})
#: What an icon may hold: shapes, nothing that links, animates or embeds.
_SVG_SHAPES = frozenset({"path", "g", "circle", "ellipse", "line", "polyline", "polygon", "rect", "title", "desc"})
SEARCH_INDEX = ("search/search_index.json", "search/search_index.js")
#: The tags Material's search index keeps, bare (it drops all others and escapes the text).
_INDEX_TAGS = re.compile(r"</?(?:p|code|pre|li|ol|ul|sub|sup)>")
_JS_INDEX_PREFIX = "var __index = "


class _Theme:
    """Which elements of a built page the theme wrote itself (see the module docstring)."""

    def __init__(self, site: Path, rel_page: str) -> None:
        self.site = site
        self.rel_page = rel_page

    def __call__(self, el: etree._Element) -> bool:
        tag = el.tag.lower()
        if tag == "script":
            return self._script(el)
        if tag == "style":
            return not len(el) and _theme_code((el.text or "").strip())
        in_article = tag == "article" or any(True for _ in el.iterancestors("article"))
        if in_article:
            return False
        if tag in _THEME_CONTROLS:
            return True
        if tag == "svg":
            return all(isinstance(d.tag, str) and d.tag.lower() in _SVG_SHAPES for d in el.iterdescendants())
        return False

    def _script(self, el: etree._Element) -> bool:
        text = (el.text or "").strip()
        if len(el):
            return False
        src = el.get("src")
        if src is not None:
            return not text and self._asset(src)
        if (el.get("type") or "").strip().lower() == "application/json":
            try:
                json.loads(text)
            except ValueError:
                return False
            return True
        return _theme_code(text)

    def _asset(self, url: str) -> bool:
        """Whether ``url`` is a file in the site's ``assets/`` folder."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith("//"):
            return False
        path = unquote(parts.path)
        if path.startswith("/"):
            # Pages served at any depth (404.html) address the site from the server's root,
            # below which the site may sit in a folder: the site's part starts at 'assets/'.
            segments = path.split("/")
            path = "/".join(segments[segments.index("assets"):]) if "assets" in segments else ""
        else:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(self.rel_page), path))
        if not path.startswith("assets/"):
            return False
        target = self.site / path
        return not target.is_symlink() and target.is_file()


def _theme_code(text: str) -> bool:
    from .mkdocs_adapter import theme_inline_code

    return any(p.fullmatch(text) for p in theme_inline_code())


class _Page:
    """The anchors a page offers, the links it makes (in document order) and what in it is unsafe."""

    def __init__(self, html: bytes, rel_page: str = "", site: Path | None = None) -> None:
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.unsafe: list[str] = []
        if not html.strip():
            return
        root, problems = parse_document(html)
        self.unsafe = [u.message for u in problems]
        if root is None:
            return
        found = root.xpath("//@id | //a/@name")
        self.ids = {str(v) for v in found if v} if isinstance(found, list) else set()
        theme: Callable[[etree._Element], bool] | None = _Theme(site, rel_page) if site is not None else None
        self.unsafe += [u.message for u in scan_element(root, theme=theme)]
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
    out = {}
    for path in sorted(site.rglob("*.html")):
        rel_page = path.relative_to(site).as_posix()
        out[rel_page] = _Page(path.read_bytes(), rel_page, site)
    return out


def search_index_problems(site: Path) -> list[str]:
    """What is unsafe in the search index, as 'file: what (location)'.

    Material's search shows each entry's title and text as HTML, so both are judged by the
    content rule, and each location (a link) by its scheme. An index that cannot be read is a
    finding.
    """
    problems: list[str] = []
    for rel_path in SEARCH_INDEX:
        path = site / rel_path
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if rel_path.endswith(".js"):
            if not text.startswith(_JS_INDEX_PREFIX):
                problems.append(f"{rel_path}: not a search index that can be read, so it cannot be checked")
                continue
            text = text[len(_JS_INDEX_PREFIX):].rstrip().rstrip(";")
        try:
            docs = json.loads(text)["docs"]
            entries = [(str(d.get("location", "")), [d.get(k) for k in ("title", "text", "tags")]) for d in docs]
        except (ValueError, KeyError, TypeError, AttributeError):
            problems.append(f"{rel_path}: not a search index that can be read, so it cannot be checked")
            continue
        for location, fields in entries:
            scheme = url_scheme(location)
            if scheme and scheme not in SAFE_SCHEMES:
                problems.append(f"{rel_path}: a link with the scheme '{scheme}:' is not allowed ({location[:60]})")
            for value in fields:
                for item in value if isinstance(value, list) else [value]:
                    # Nothing but the bare tags the index keeps: no element that could be unsafe.
                    if isinstance(item, str) and "<" in _INDEX_TAGS.sub("", item):
                        problems += [f"{rel_path}: {u.message} ({location[:60]})" for u in scan_fragment(item)]
    return problems


def site_problems(site: Path, pending: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """(broken links, unsafe content) of a built site, each as 'page: what'.

    Links into ``pending`` (a folder filled in later, e.g. with the PDFs) are not followed.
    """
    pages = _pages(site)
    unsafe = [f"{rel}: {message}" for rel, page in pages.items() for message in page.unsafe]
    return _broken(pages, site, pending), unsafe + search_index_problems(site)


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor in ``site`` that leads nowhere, as 'page: target'."""
    return _broken(_pages(site), site)


def _into_twin(site: Path, resolved: str) -> bool:
    """Whether a path that leaves a facilitator site leads to a page of the participant manual
    beside it (a facilitator page links to the same page there when no ``site_url`` is set). The
    page must exist when the participant manual is built beside it."""
    from .generate import PARTICIPANT_SITE

    prefix = f"../{PARTICIPANT_SITE}/"
    if site.name == PARTICIPANT_SITE or not resolved.startswith(prefix) or not resolved.endswith(".html"):
        return False
    twin = site.parent / PARTICIPANT_SITE
    return not twin.is_dir() or (twin / resolved[len(prefix):]).is_file()


def _beside(site: Path, resolved: str) -> bool:
    """Whether a path that leaves a site of another language (``site/participant/ko``) leads to
    a page of the sites it sits in or beside, built before it (the language switch, and a
    facilitator page's link to the same page of the participant manual)."""
    if not resolved.endswith(".html") or site.parent.name not in ("participant", "facilitator"):
        return False
    outer = site.parent.parent.resolve()
    target = (site / resolved).resolve()
    return target.is_relative_to(outer) and target.is_file()


def _broken(pages: dict[str, _Page], site: Path, pending: tuple[str, ...] = ()) -> list[str]:
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
                if resolved.startswith("..") and (_into_twin(site, resolved) or _beside(site, resolved)):
                    continue
                if resolved.startswith(".."):
                    problems.append(f"{rel_page}: {href} (leaves the site)")
                    continue
                if pending and resolved.startswith(tuple(pending)):
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
