"""What rendered HTML may contain: one rule for ``check``, the sites and the PDFs.

Authors write Markdown, and Markdown lets raw HTML, attribute lists and links through in many
spellings (entities, reference links, split tags). Rather than chase spellings in the source,
this module looks at what the renderer made of it: no scripts, frames, forms or styles, no
event handlers, and links only to web, mail and phone addresses or to files of the site.

Every scan reads its input completely or reports that it could not. lxml (libxml2) stops
building the tree 256 elements deep and silently drops the rest, which browsers still render.
So a parse that libxml2 reports as stopped, or a tree that reaches that depth, is a finding,
never a pass; and the HTML of an author's text is also read by a streaming tokenizer
(:class:`html.parser.HTMLParser`, which keeps no tree and has no depth limit): a tree with fewer
elements of some kind than the tokenizer read is a finding too. Authors' texts may not nest
elements more than :data:`MAX_DEPTH` levels deep, far below where any parser gives up. (Whole
pages are the theme's markup around texts so checked; reading each of them twice would double
the time of the scan.)

Plain text that the theme prints as HTML (titles in the site configuration) is escaped here
too, by :func:`escape_text`, so that escaping and the rule on what a title may hold agree.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html.entities import html5 as _NAMED_REFERENCES
from html.parser import HTMLParser

import lxml.html
from lxml import etree

#: One list for the source check and every scan of rendered HTML. (``input`` is not on it: content
#: tabs render radio inputs; an author's raw ``<input>`` is refused by the source check's list of
#: allowed tags.)
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
FORBIDDEN_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link", "style",
    "form", "button", "textarea", "select", "template", "portal", "noscript",
    # SVG and MathML can carry links and scripts of their own (e.g. <animate values="javascript:…">).
    "svg", "math", "animate", "set", "use", "foreignobject",
})
URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "poster", "background", "cite", "srcset",
                       "ping", "longdesc", "manifest"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these before reading a scheme

#: Levels of elements one text may nest (a list, quote, table or element counts once; see
#: :data:`_NO_LEVEL`). Markdown itself needs a few; check refuses quotes and lists beyond 12.
MAX_DEPTH = 16

_VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
                   "keygen", "link", "meta", "param", "source", "track", "wbr"})
#: Elements whose content HTML parsers read as text, not as markup (as libxml2 does too).
_TEXT_ONLY = ("script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes")
#: Items, rows and cells always sit in their list or table: they add no level of their own.
_NO_LEVEL = frozenset({"li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "colgroup"})
#: A start tag of one of these closes an open element of the same name (<p>…<p>, <li>…<li>).
_CLOSES_SIBLING = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})
#: Elements that libxml2 creates or merges by itself: their counts are not compared.
_IMPLIED = frozenset({"html", "head", "body"})
#: How deeply libxml2 nests elements before it stops building the tree.
_PARSER_DEPTH = 256


@dataclass(frozen=True)
class Unsafe:
    message: str
    needle: str  # a piece of the source to look for when placing the problem on a line


def url_scheme(url: str) -> str:
    m = _SCHEME.match(_IGNORED_IN_URL.sub("", url))
    return m.group(1).lower() if m else ""


# --------------------------------------------------------------------------------------------
# Plain text as HTML


_LEGACY_MAX = max(len(name) for name in _NAMED_REFERENCES if not name.endswith(";"))
_REFERENCE = re.compile(r"&(#[xX][0-9A-Fa-f]|#[0-9]|[A-Za-z][A-Za-z0-9]*;?)")


def reference_at(text: str, i: int) -> bool:
    """Whether an HTML parser reads the ``&`` at ``text[i]`` as the start of a character
    reference (``&amp;``, ``&#60;``, or a legacy name without ';' such as ``&copy``)."""
    m = _REFERENCE.match(text, i)
    if not m:
        return False
    body = m.group(1)
    if body.startswith("#") or body in _NAMED_REFERENCES:
        return True
    name = body.rstrip(";")
    return any(name[:n] in _NAMED_REFERENCES for n in range(1, min(len(name), _LEGACY_MAX) + 1))


def escape_text(text: str) -> str:
    """``text`` as HTML that reads back as exactly ``text``, in content and in double-quoted
    attributes alike (``html.unescape(escape_text(t)) == t``).

    Only what HTML would misread is escaped: ``<``, ``>``, ``"``, and an ``&`` that would start
    a character reference. A plain ``&`` (as in 'Health & safety') and ``'`` stay as they are, so
    a theme that escapes such a value once more (Material does in a few attributes) shows it
    unchanged.
    """
    if not any(c in text for c in '<>"&'):
        return text
    out: list[str] = []
    for i, c in enumerate(text):
        if c == "&":
            out.append("&amp;" if reference_at(text, i) else "&")
        elif c == "<":
            out.append("&lt;")
        elif c == ">":
            out.append("&gt;")
        elif c == '"':
            out.append("&quot;")
        else:
            out.append(c)
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Reading HTML completely


class _Tokens(HTMLParser):
    """A streaming reading of HTML: how many elements of each name it holds and how deeply they
    nest. It keeps no tree, so nothing limits the depth it can follow."""

    CDATA_CONTENT_ELEMENTS = _TEXT_ONLY  # type: ignore[misc]  # read their content as text, as browsers do

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.counts: Counter[str] = Counter()
        self.open: list[str] = []
        self.level = 0
        self.deepest = 0
        self.deepest_tag = ""

    def _push(self, tag: str) -> None:
        self.open.append(tag)
        if tag not in _NO_LEVEL:
            self.level += 1
            if self.level > self.deepest:
                self.deepest, self.deepest_tag = self.level, tag

    def _pop(self) -> None:
        if self.open.pop() not in _NO_LEVEL:
            self.level -= 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] += 1
        if tag in _VOID:
            return
        if tag in _CLOSES_SIBLING and self.open and self.open[-1] == tag:
            self._pop()
        self._push(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # '<div/>' opens a div in HTML; only in SVG and MathML does '/>' close the element.
        foreign = "svg" in self.open or "math" in self.open
        self.counts[tag] += 1
        if tag not in _VOID and not foreign:
            self._push(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open[-1] != tag:
                self._pop()
            self._pop()


def _tokens(html: str) -> _Tokens | None:
    reader = _Tokens()
    try:
        reader.feed(html)
        reader.close()
    except Exception:  # noqa: BLE001 - a reading that cannot finish is reported, not passed
        return None
    return reader


def _incomplete(root: etree._Element | None, parser: etree.HTMLParser, stream: _Tokens | None | bool) -> str:
    """Why the tree ``root`` that ``parser`` built may not be the whole of its HTML, or ''.

    ``stream`` is a streaming reading of the same HTML to compare the tree's element counts
    with (None: that reading failed), or False for no comparison.
    """
    if root is None:
        return "the HTML could not be read"
    fatal = [e for e in parser.error_log if e.level >= etree.ErrorLevels.FATAL]
    if fatal:
        return f"the HTML could not be read to its end ({fatal[0].message.strip()})"
    if root.xpath(f"boolean(//*[count(ancestor::*) >= {_PARSER_DEPTH - 8}])"):
        return "the HTML nests elements as deeply as the parser can follow"
    if stream is False:
        return ""
    if not isinstance(stream, _Tokens):
        return "the HTML could not be read to its end"
    built = Counter(el.tag.lower() for el in root.iter(etree.Element))
    for tag, n in stream.counts.items():
        if tag not in _IMPLIED and built[tag] < n:
            return f"the HTML parser kept {built[tag]} of {n} <{tag}> elements"
    return ""


def parse_document(html: bytes | str) -> tuple[etree._Element | None, list[Unsafe]]:
    """A whole page as a tree, or None with a finding: a page that cannot be read to its end is
    never judged by the part that could."""
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    parser = etree.HTMLParser()
    try:
        root = etree.fromstring(text, parser)
    except (etree.LxmlError, ValueError):
        root = None
    problem = _incomplete(root, parser, stream=False)
    if problem:
        return None, [Unsafe(f"{problem}, so it cannot be checked", "")]
    return root, []


# --------------------------------------------------------------------------------------------
# The rule


def scan_element(root: etree._Element, allow_prefix: str = "",
                 theme: Callable[[etree._Element], bool] | None = None) -> list[Unsafe]:
    """Everything unsafe under ``root`` (itself included), in document order.

    URLs starting with ``allow_prefix`` (the print publisher's own asset folder) are allowed.
    ``theme`` says which elements with a forbidden tag a site's theme wrote itself (see
    :mod:`workshopkit.site.linkcheck`); their attributes are judged all the same.
    """
    found: list[Unsafe] = []
    for el in root.iter(etree.Element):  # comments and processing instructions render nothing
        tag = el.tag.lower()
        if "}" in tag:
            tag = tag.rsplit("}", 1)[-1]
        if tag in FORBIDDEN_TAGS and not (theme is not None and theme(el)):
            found.append(Unsafe(f"raw HTML <{tag}> is not allowed", tag))
        for raw_name, raw_value in el.items():
            name, value = str(raw_name), str(raw_value)
            attr = name.lower()
            if ":" in attr or "}" in attr:
                attr = attr.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
            if attr.startswith("on"):
                found.append(Unsafe(f"the event-handler attribute '{attr}' is not allowed", attr))
            elif attr in ("style", "srcdoc"):
                found.append(Unsafe(f"the attribute '{attr}' is not allowed", attr))
            elif attr == "http-equiv":
                found.append(Unsafe("a <meta http-equiv> is not allowed", attr))
            elif attr in URL_ATTRS:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if attr == "srcset" else [value]
                for url in urls:
                    if allow_prefix and url.startswith(allow_prefix):
                        continue
                    scheme = url_scheme(url)
                    if scheme and scheme not in SAFE_SCHEMES:
                        found.append(Unsafe(f"a link or image with the scheme '{scheme}:' is not allowed", scheme))
    return found


def scan_fragment(html: str, allow_prefix: str = "") -> list[Unsafe]:
    """Everything unsafe in the HTML of one text, including nesting deeper than :data:`MAX_DEPTH`
    and HTML that cannot be read to its end."""
    if not html.strip():
        return []
    found: list[Unsafe] = []
    tokens = _tokens(html)
    if tokens is not None and tokens.deepest > MAX_DEPTH:
        found.append(Unsafe(f"HTML elements nested {tokens.deepest} levels deep (at most {MAX_DEPTH}); "
                            "flatten the structure", f"<{tokens.deepest_tag}"))
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div", parser=parser)
    except (etree.LxmlError, ValueError):
        root = None
    problem = _incomplete(root, parser, tokens)
    if problem or root is None:
        # Never judged by the part that could be read; too deep a nesting already explains it.
        return found or [Unsafe(f"{problem or 'the HTML could not be read'}, so it cannot be checked", "")]
    return found + scan_element(root, allow_prefix)


def lines_with(text: str, needle: str) -> list[int]:
    """The 1-based lines of ``text`` where ``needle`` shows, also entity-encoded or split by blanks."""
    want = needle.lower()
    out = []
    for no, line in enumerate(text.split("\n"), start=1):
        low = line.lower()
        plain = html_lib.unescape(low)
        if want in low or want in plain or want in _IGNORED_IN_URL.sub("", plain):
            out.append(no)
    return out
