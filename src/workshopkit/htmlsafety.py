"""What rendered HTML may contain: one rule for ``check``, the sites and the PDFs.

Authors write Markdown, and Markdown lets raw HTML, attribute lists and links through in many
spellings (entities, reference links, split tags). Rather than chase spellings in the source,
this module looks at what the renderer made of it: no scripts, frames, forms or styles, no
event handlers, and links only to web, mail and phone addresses or to files of the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

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


@dataclass(frozen=True)
class Unsafe:
    message: str
    needle: str  # a piece of the source to look for when placing the problem on a line


def _scheme(url: str) -> str:
    m = _SCHEME.match(_IGNORED_IN_URL.sub("", url))
    return m.group(1).lower() if m else ""


def scan_element(root: etree._Element, allow_prefix: str = "") -> list[Unsafe]:
    """Everything unsafe under ``root`` (itself included), in document order.

    URLs starting with ``allow_prefix`` (the print publisher's own asset folder) are allowed.
    """
    found: list[Unsafe] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions render nothing
        tag = el.tag.rsplit("}", 1)[-1].lower()
        if tag in FORBIDDEN_TAGS:
            found.append(Unsafe(f"raw HTML <{tag}> is not allowed", tag))
        for name, value in el.attrib.items():
            attr = name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
            if attr.startswith("on"):
                found.append(Unsafe(f"the event-handler attribute '{attr}' is not allowed", attr))
            elif attr in ("style", "srcdoc"):
                found.append(Unsafe(f"the attribute '{attr}' is not allowed", attr))
            elif attr in URL_ATTRS:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if attr == "srcset" else [value]
                for url in urls:
                    if allow_prefix and url.startswith(allow_prefix):
                        continue
                    scheme = _scheme(url)
                    if scheme and scheme not in SAFE_SCHEMES:
                        found.append(Unsafe(f"a link or image with the scheme '{scheme}:' is not allowed", scheme))
    return found


def scan_fragment(html: str, allow_prefix: str = "") -> list[Unsafe]:
    if not html.strip():
        return []
    return scan_element(lxml.html.fragment_fromstring(html, create_parent="div"), allow_prefix)


def lines_with(text: str, needle: str) -> list[int]:
    """The 1-based lines of ``text`` where ``needle`` shows, also entity-encoded or split by blanks."""
    import html as html_lib

    want = needle.lower()
    out = []
    for no, line in enumerate(text.split("\n"), start=1):
        low = line.lower()
        plain = html_lib.unescape(low)
        if want in low or want in plain or want in _IGNORED_IN_URL.sub("", plain):
            out.append(no)
    return out
