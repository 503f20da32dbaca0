"""Links and images in Markdown: one reading of the source for checking, rewriting and copying.

Authors link relative to the file they write in (``handouts/case.md`` from module.yml,
``../handouts/case.md`` from ``sessions/s1.md``). The loader rewrites every relative target to
``repo:<path from the repository root>`` so that publishers, which place pages elsewhere, can
map a target to their own page or asset with :func:`rewrite`.

:func:`find` is the only reader of link syntax: ``check`` judges exactly the links it finds,
the loader and the publishers rewrite exactly those, and nothing else is ever copied into an
output. It reads the source the way Python-Markdown does (code spans and backslash escapes
first, then bracketed labels and the parenthesised destination with Python-Markdown's own
destination parser, then reference definitions), so a link hidden in a title stays a title.
``check`` also renders each text and refuses any link the renderer makes that :func:`find`
did not see, so a disagreement between the two readings fails closed.

Which files may be copied is judged once, by :func:`publishable`: a regular file of an allowed
kind inside a module folder, reached without a symbolic link and without leaving that folder.
"""

from __future__ import annotations

import bisect
import functools
import os
import posixpath
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PREFIX = "repo:"

#: Kinds of file a link or image may bring into an output, besides handouts (which become pages).
IMAGE_EXT = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
FILE_EXT = IMAGE_EXT | {".pdf"}

#: Most ``[`` in one paragraph: Markdown renderers read brackets in time that grows with their
#: square, so a paragraph made of thousands of them would stall every build.
MAX_BRACKETS = 400

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"(?<!\\)`+")
_ESCAPABLE = frozenset("\\`*_{}[]()>#+-.!:|<\"'~^=&")
_REFERENCE = re.compile(r"^[ ]{0,3}\[([^\[\]\n]*)\]:[ ]*(?:\n[ ]*)?(<[^>\n]*>|[^\s]+)", re.M)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
MASK = "\x02"  # stands for a character that link syntax must not see (code, escapes)


@dataclass(frozen=True)
class Link:
    """One link, image or reference definition found in a text."""

    start: int  # offset of the whole construct (``!`` or ``[``) in the text
    end: int  # offset just after it
    target_start: int  # offset of the destination as written (without ``<`` ``>``)
    target_end: int
    target: str
    image: bool
    label: str
    definition: bool = False  # ``[id]: target`` rather than ``[label](target)``
    masked: bool = False  # the destination holds code or escapes (it would render differently)

    def line_col(self, text: str) -> tuple[int, int]:
        line = text.count("\n", 0, self.start) + 1
        return line, self.start - (text.rfind("\n", 0, self.start) + 1) + 1


@functools.lru_cache(maxsize=1)
def _destination_parser() -> Callable[[str, int], tuple[str, str | None, int, bool]]:
    """Python-Markdown's own parser of ``(destination "title")``, so both readings agree."""
    import markdown
    from markdown.inlinepatterns import LINK_RE, LinkInlineProcessor

    md = markdown.Markdown()
    md.treeprocessors["inline"].stashed_nodes = {}  # type: ignore[attr-defined]  # titles are unescaped against it
    return LinkInlineProcessor(LINK_RE, md).getLink


def _mask_code_and_escapes(chunk: str) -> str:
    """``chunk`` with code spans and backslash escapes replaced by :data:`MASK` (same length)."""
    if "`" not in chunk and "\\" not in chunk:
        return chunk
    out = list(chunk)
    runs = list(_BACKTICKS.finditer(chunk))
    i = 0
    while i < len(runs):
        opening = runs[i]
        j = next((k for k in range(i + 1, len(runs)) if len(runs[k].group()) == len(opening.group())), None)
        if j is None:
            i += 1
            continue
        for pos in range(opening.start(), runs[j].end()):
            if out[pos] != "\n":
                out[pos] = MASK
        i = j + 1
    pos = 0
    while True:
        pos = chunk.find("\\", pos)
        if pos < 0 or pos + 1 >= len(chunk):
            break
        if out[pos] != MASK and chunk[pos + 1] in _ESCAPABLE:
            out[pos] = out[pos + 1] = MASK
            pos += 2
        else:
            pos += 1
    return "".join(out)


def _label_end(data: str, index: int) -> int:
    """Offset after the ``]`` that closes the label opened just before ``index``, or -1."""
    depth = 1
    for pos in range(index, len(data)):
        c = data[pos]
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return pos + 1
    return -1


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each run of lines outside fenced code, split at blank lines.

    Inline syntax never crosses a blank line or a fence, so each chunk is read on its own; this
    also bounds how far a bracket can make the reader look.
    """
    out: list[tuple[int, str]] = []
    fence = ""
    start = None
    offset = 0
    for line in text.split("\n"):
        end = offset + len(line)
        m = _FENCE.match(line)
        in_code = bool(fence)
        if m:
            marker = m.group(1)
            if not fence:
                fence, in_code = marker, True
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):].strip():
                fence, in_code = "", True
        if in_code or not line.strip():
            if start is not None:
                out.append((start, text[start:offset - 1] if offset else ""))
                start = None
        elif start is None:
            start = offset
        offset = end + 1
    if start is not None:
        out.append((start, text[start:]))
    return out


def find(text: str) -> list[Link]:
    """Every inline link, image and reference definition of ``text``, in source order."""
    if "[" not in text:
        return []
    parse = _destination_parser()
    found: list[Link] = []
    for base, chunk in _chunks(text):
        if "[" not in chunk:
            continue
        data = _mask_code_and_escapes(chunk)
        if data.count("[") > MAX_BRACKETS:
            continue  # check refuses such a paragraph; nothing in it is linked
        defined: list[tuple[int, int]] = []
        for m in _REFERENCE.finditer(data):
            t_start, t_end = m.span(2)
            if data[t_start] == "<" and data[t_end - 1] == ">":
                t_start, t_end = t_start + 1, t_end - 1
            found.append(Link(base + m.start(), base + m.end(), base + t_start, base + t_end,
                              chunk[t_start:t_end], False, m.group(1), definition=True,
                              masked=MASK in data[t_start:t_end]))
            defined.append(m.span())
        skips: list[tuple[int, int]] = list(defined)  # destinations and titles: never read for links
        pos = data.find("[")
        while pos >= 0:
            inside = next((b for a, b in skips if a <= pos < b), None)
            if inside is not None:
                pos = data.find("[", inside)
                continue
            label_end = _label_end(data, pos + 1)
            if label_end < 0:
                break  # no later bracket closes either
            if data[label_end:label_end + 1] == "(":
                href, _title, end, handled = parse(data, label_end)
                if handled:
                    image = pos > 0 and data[pos - 1] == "!"
                    t_start = data.find(href, label_end + 1, end) if href else -1
                    if t_start < 0:
                        t_start = label_end + 1
                    t_end = t_start + len(href)
                    found.append(Link(base + (pos - 1 if image else pos), base + end, base + t_start, base + t_end,
                                      chunk[t_start:t_end], image, chunk[pos + 1:label_end - 1],
                                      masked=MASK in data[t_start:t_end]))
                    skips.append((label_end, end))
            pos = data.find("[", pos + 1)
    found.sort(key=lambda link: link.start)
    return found


def _comments(text: str) -> list[tuple[int, int]]:
    """(start, end) of each closed HTML comment outside code; one pass, linear in the text."""
    if "<!--" not in text:
        return []
    code = _code_ranges(text)
    out: list[tuple[int, int]] = []
    pos = text.find("<!--")
    while pos >= 0:
        if _inside(code, pos):
            pos = text.find("<!--", pos + 4)
            continue
        close = text.find("-->", pos + 4)
        if close < 0:
            break
        out.append((pos, close + 3))
        pos = text.find("<!--", close + 3)
    return out


def strip_comments(text: str) -> str:
    """``text`` without HTML comments outside code; the lines a comment spanned stay (empty)."""
    edits = [(a, b, "\n" * text.count("\n", a, b)) for a, b in _comments(text)]
    return _replace(text, edits)


def unclosed_comment(text: str) -> int:
    """Offset of an ``<!--`` outside code that is never closed, or -1."""
    if "<!--" not in text:
        return -1
    code = _code_ranges(text)
    closed = _comments(text)
    last = closed[-1][1] if closed else 0
    pos = text.find("<!--", last)
    while pos >= 0:
        if not _inside(code, pos):
            return pos
        pos = text.find("<!--", pos + 4)
    return -1


def _inside(ranges: list[tuple[int, int]], pos: int) -> bool:
    """True if ``pos`` falls in one of ``ranges`` (sorted, not overlapping)."""
    i = bisect.bisect_right(ranges, (pos, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= pos < ranges[i][1]


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks and code spans (where ``<!--`` is just text)."""
    ranges: list[tuple[int, int]] = []
    covered = 0
    for base, chunk in _chunks(text):
        if covered < base:
            ranges.append((covered, base))  # blank lines and fenced code between chunks
        masked = _mask_code_and_escapes(chunk)
        pos = masked.find(MASK)
        while pos >= 0:
            end = pos
            while end < len(masked) and masked[end] == MASK:
                end += 1
            ranges.append((base + pos, base + end))
            pos = masked.find(MASK, end)
        covered = base + len(chunk)
    if covered < len(text):
        ranges.append((covered, len(text)))
    return [(a, b) for a, b in ranges if "`" in text[a:b] or "~" in text[a:b] or "\\" in text[a:b]]


def is_relative(target: str) -> bool:
    return not (SCHEME.match(target) or target.startswith(("#", "/")))


def repo_path(target: str, base: Path, root: Path) -> str | None:
    """The path from ``root`` of a relative ``target`` written in folder ``base``, without
    following symbolic links; None if it leaves the repository."""
    path = target.partition("#")[0]
    try:
        folder = base.relative_to(root).as_posix()
    except ValueError:
        return None
    joined = posixpath.normpath(posixpath.join(folder, path)) if path else ""
    if not joined or joined == "." or joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
        return None
    return joined


def _replace(text: str, edits: list[tuple[int, int, str]]) -> str:
    if not edits:
        return text
    out, last = [], 0
    for start, end, new in sorted(edits):
        if start < last:
            continue  # an edit inside one already made (a link in a label that was unlinked)
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


def normalise(text: str, base: Path, root: Path) -> str:
    """``text`` (written in folder ``base``) without HTML comments, its relative link targets
    rewritten to ``repo:`` form. Targets that leave the repository are left as written (``check``
    refuses them)."""
    text = strip_comments(text)
    edits = []
    for link in find(text):
        if link.masked or not is_relative(link.target) or not link.target:
            continue
        path = repo_path(link.target, base, root)
        if path is None or not SAFE_PATH.match(path):
            continue
        anchor = link.target.partition("#")[2]
        edits.append((link.target_start, link.target_end, PREFIX + path + ("#" + anchor if anchor else "")))
    return _replace(text, edits)


#: Characters a normalised path may hold: anything else could change how the link is read.
SAFE_PATH = re.compile(r"^[\w./-]+$")


def rewrite(text: str, resolve: Callable[[str, str], str | None]) -> str:
    """Map each ``repo:`` target with ``resolve(repo_path, anchor)``; ``None`` unlinks it (the
    label stays as text, a reference definition goes)."""
    edits = []
    for link in find(text):
        if not link.target.startswith(PREFIX):
            continue
        path, _, anchor = link.target[len(PREFIX):].partition("#")
        new = resolve(path, anchor)
        if new is not None:
            edits.append((link.target_start, link.target_end, new))
        elif link.definition:
            edits.append((link.start, link.end, ""))
        else:
            # The label stays as text, with the links inside it (an image) mapped in turn.
            edits.append((link.start, link.end, rewrite(link.label, resolve) if "[" in link.label else link.label))
    return _replace(text, edits)


def relative(target: str, page: str) -> str:
    """A path from the page ``page`` (docs-relative) to ``target`` (docs-relative)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


# --------------------------------------------------------------------------------------------
# What may be copied into an output


def symlink_on_path(root: Path, path: str) -> str | None:
    """The first component of ``path`` (from ``root``) that is a symbolic link, or None."""
    current = root
    for part in path.split("/"):
        current = current / part
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return posixpath.relpath(current.as_posix(), root.as_posix())
        except OSError:
            return None
    return None


def publishable(root: Path, path: str) -> Path | None:
    """The file to copy for the repository path ``path``, or None if it must not be copied.

    Only a regular file of an allowed kind (:data:`FILE_EXT`) inside ``modules/<module>/``,
    named without ``..`` and reached without a symbolic link, is ever copied.
    """
    if not path or path != posixpath.normpath(path) or path.startswith(("/", "../")) or "\\" in path:
        return None
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "modules" or not SAFE_PATH.match(path):
        return None
    if posixpath.splitext(path)[1].lower() not in FILE_EXT:
        return None
    if symlink_on_path(root, path) is not None:
        return None
    full = root / path
    try:
        st = os.lstat(full)
    except OSError:
        return None
    return full if stat.S_ISREG(st.st_mode) else None


# --------------------------------------------------------------------------------------------
# Links in rendered HTML

_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "poster", "background", "cite", "srcset",
                        "ping", "longdesc", "manifest", "xlink:href"})


def rendered_urls(html: str) -> list[str]:
    """Every URL-valued attribute of ``html`` (read by a streaming parser: no depth limit)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name.lower() in _URL_ATTRS and value is not None:
                    if name.lower() == "srcset":
                        found.extend(part.strip().split(" ")[0] for part in value.split(","))
                    else:
                        found.append(value.strip())

        handle_startendtag = handle_starttag

    parser = Collect(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return found


def has_comment(html: str) -> bool:
    """True if rendered ``html`` holds an HTML comment (which would reach a page's source)."""
    if "<!--" not in html:
        return False
    from html.parser import HTMLParser

    found: list[str] = []

    class Comments(HTMLParser):
        def handle_comment(self, data: str) -> None:
            found.append(data)

    parser = Comments(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return bool(found)


def stray_urls(html: str, allowed_prefixes: tuple[str, ...] = ()) -> list[str]:
    """URLs of ``html`` that lead to neither an address (a scheme), an anchor, nor an allowed
    prefix: relative paths that no checked link made, which publishers must refuse."""
    return [u for u in rendered_urls(html)
            if u and not u.startswith("#") and not u.startswith(allowed_prefixes) and not SCHEME.match(u)]

