"""Audience blocks inside Markdown: ``/// facilitator`` … ``///`` and ``/// restricted`` … ``///``.

Blocks are split out of the text *before* any rendering, so a publisher never receives the
prose an audience must not see (not even as hidden HTML or in a search index).

The gate fails safe: a marker counts wherever it stands, at any indentation and inside code
fences too (a renderer may not read a fence the way a scanner does: an unclosed one is plain
text to Python-Markdown). ``check`` asks for markers at the start of a line and for closed fences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .visibility import Visibility

#: Block names an author may use, and how private each one is.
BLOCKS: dict[str, Visibility] = {
    "restricted": Visibility.restricted,
    "facilitator": Visibility.facilitator,
    "say": Visibility.facilitator,
}

# Whatever stands before the marker (indentation, quote marks, list bullets) the gate still sees it.
_OPEN_RE = re.compile(r"^(?:[ \t>*+-]|\d+[.)])*///[ \t]*([A-Za-z][\w-]*)?[ \t]*(?:\|(.*))?$")
_AT_LINE_START = re.compile(r"^ {0,3}///")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
#: Spaces that look like a blank but are not one: a marker typed with them is still a marker.
_ODD_SPACE = re.compile(r"[\u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff]")


class _Open:
    """``_OPEN_RE`` read with odd spaces as ordinary ones (the gate must not be fooled by them)."""

    @staticmethod
    def match(line: str) -> re.Match[str] | None:
        if _ODD_SPACE.search(line):
            line = _ODD_SPACE.sub(" ", line)
        return _OPEN_RE.match(line)


_OPEN = _Open()

# Things that look like an attempt to mark private text and are not a valid marker. The gate
# hides a text holding one from every audience below facilitator; ``check`` names the line.
_NAMES = r"(?:facilitators?|restricted|say|organi[sz]ers?)"
#: What an admonition's title says when it means "not for participants" (in English or Korean).
_ROLES = r"(?:facilitators?|trainers?|organi[sz]ers?)"
_PRIVATE_TITLE = (r"(?:(?:for|only\s+for)\s+(?:the\s+)?" + _ROLES + r"\b|" + _ROLES + r"['’]?s?\s+(?:only|notes?|guide|eyes)\b"
                  r"|\brestricted\b|\bconfidential\b|not\s+for\s+participants"
                  r"|(?:진행자|강사|운영진|퍼실리테이터)\s*(?:전용|용)|비공개)")
#: Characters that look like a slash (or are typed instead of one): full-width, division and
#: fraction slashes, the big solidus, a backslash.
_SLASH = "[/\uff0f\u2215\u2044\u29f8\\\\]"
_TO_EVERYONE = "write '/// facilitator' … '///' around text that only facilitators may see"
_HIDDEN = "the 'hidden' attribute does not keep text from participants: it is in the page and the search index"
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# Each pattern is matched at the start of a line or looked for from a fixed token, so that a
# long line costs linear time.
# The last item is the code of the problem (see workshopkit.rules).
_LOOKALIKES: tuple[tuple[str, re.Pattern[str], str, str, str], ...] = (
    ("match", re.compile(r"(?:[\s>*+-]|\d+[.)])*(?:" + _SLASH + r"[^\S\n]*){3,}"),
     "this line looks like a block marker but is not one",
     "write '/// facilitator' (or restricted, say) alone on its line, and '///' alone where the block ends", "WK308"),
    ("match", re.compile(r"(?:[\s>*+-]|\d+[.)])*(?:" + _SLASH + r"[^\S\n]*){2}" + _NAMES + r"\b", re.I),
     "this line looks like a block marker but is not one",
     "write '/// facilitator' (or restricted, say) alone on its line, and '///' alone where the block ends", "WK308"),
    ("search", re.compile(r"///[^\S\n]*" + _NAMES + r"\b", re.I),
     "a block marker in the middle of a line hides nothing",
     "put '/// facilitator' on a line of its own; in YAML write the text with '|' (not '>'), which keeps lines apart",
     "WK309"),
    ("match", re.compile(r"[\s>]*(?:!!!|\?\?\?\+?)[^\S\n]*" + _NAMES + r"\b", re.I),
     "an admonition is shown to everyone; it does not hide text", _TO_EVERYONE, "WK311"),
    ("match", re.compile(r"[\s>]*(?:!!!|\?\?\?\+?)[\w \t-]{0,80}?[\"'][^\"'\n]{0,120}?" + _PRIVATE_TITLE, re.I),
     "an admonition is shown to everyone, whatever its title says", _TO_EVERYONE, "WK311"),
    ("match", re.compile(r"[\s>]*:{3,}[^\S\n]*\{?[^\S\n]*\.?" + _NAMES + r"\b", re.I),
     "a fenced div is shown to everyone; it does not hide text", _TO_EVERYONE, "WK312"),
    ("search", re.compile(r"\bclass[^\S\n]*=[^\S\n]*[\"']?[\w\s-]{0,80}?\b" + _NAMES + r"\b", re.I),
     "an HTML class does not hide text", _TO_EVERYONE, "WK313"),
    ("search", re.compile(r"\{[^{}\n]{0,80}?(?<![\w)\]])\." + _NAMES + r"\b[^{}\n]{0,80}\}", re.I),
     "an attribute list does not hide text", _TO_EVERYONE, "WK314"),
    ("search", re.compile(r"\{:?[^{}\n]{0,80}?(?<![\w.:-])hidden(?=[\s=}])[^{}\n]{0,80}\}", re.I),
     _HIDDEN, _TO_EVERYONE, "WK315"),
)
_LOOKALIKE_HINT = re.compile(_SLASH + r"[^\S\n]*" + _SLASH + r"|!!!|\?\?\?|:::|hidden|" + _NAMES, re.I)


def may_hide(text: str) -> bool:
    """False only for a text that holds neither a marker nor anything like one (a quick test)."""
    return "///" in text or bool(_LOOKALIKE_HINT.search(text))


def lookalikes(text: str) -> list[BlockProblem]:
    """Lines that try to mark private text without a valid marker (each would show to everyone)."""
    if not _LOOKALIKE_HINT.search(text):
        return []
    problems: list[BlockProblem] = []
    fence = ""
    for no, line in enumerate(text.split("\n"), start=1):
        if _OPEN.match(line):
            if _ODD_SPACE.search(line):
                problems.append(BlockProblem(no, "a block marker typed with a no-break or invisible space",
                                             "retype the spaces of this line as ordinary spaces", "WK310"))
            continue
        m = _FENCE.match(line)
        if m:  # code is shown as written: what stands in it marks nothing
            if not fence:
                fence = m.group(1)
            elif m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
            continue
        if fence:
            continue
        if "`" in line:
            line = _INLINE_CODE.sub("", line)
        for how, pattern, message, hint, code in _LOOKALIKES:
            if (pattern.match(line) if how == "match" else pattern.search(line)):
                problems.append(BlockProblem(no, message, hint, code))
                break
        else:
            if "<" in line and "hidden" in line.lower() and _has_hidden_attribute(line):
                problems.append(BlockProblem(no, _HIDDEN, _TO_EVERYONE, "WK315"))
    return problems


def _has_hidden_attribute(line: str) -> bool:
    """True if an HTML tag on ``line`` carries the ``hidden`` attribute (not a value 'hidden')."""
    from html.parser import HTMLParser

    found: list[bool] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if any(name.lower() == "hidden" for name, _ in attrs):
                found.append(True)

    parser = Tags(convert_charrefs=True)
    parser.feed(line)
    parser.close()
    return bool(found)


@dataclass(frozen=True)
class BlockProblem:
    line: int  # 1-based line inside the text
    message: str
    hint: str
    code: str  # see workshopkit.rules


@dataclass
class _Frame:
    name: str
    line: int


def unclosed_fence(text: str) -> int:
    """The 1-based line of a code fence that is never closed, or 0."""
    fence, opened = "", 0
    for no, line in enumerate(text.split("\n"), start=1):
        m = _FENCE.match(line)
        if not m:
            continue
        marker = m.group(1)
        if not fence:
            fence, opened = marker, no
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):].strip():
            fence, opened = "", 0
    return opened


def check_blocks(text: str) -> list[BlockProblem]:
    """Find unknown, unclosed, stray and wrongly nested blocks."""
    problems: list[BlockProblem] = []
    stack: list[_Frame] = []
    for no, line in enumerate(text.split("\n"), start=1):
        m = _OPEN.match(line)
        if not m:
            continue
        if not _AT_LINE_START.match(line):
            problems.append(BlockProblem(no, "a '///' line must start at the beginning of the line",
                                         "remove what stands before it; a block cannot sit inside a list item, "
                                         "a quote or code", "WK305"))
        name = m.group(1)
        if name is None:
            if not stack:
                problems.append(BlockProblem(no, "'///' closes a block that was never opened",
                                             "remove it, or open a block above with '/// facilitator'", "WK303"))
            else:
                stack.pop()
            continue
        if name not in BLOCKS:
            known = ", ".join(sorted(BLOCKS))
            problems.append(BlockProblem(no, f"unknown block '/// {name}'", f"use one of: {known}", "WK301"))
            stack.append(_Frame(name, no))
            continue
        if stack and stack[-1].name in BLOCKS and BLOCKS[name] < BLOCKS[stack[-1].name]:
            outer = stack[-1]
            problems.append(BlockProblem(
                no, f"'/// {name}' inside '/// {outer.name}' (line {outer.line}) would make text more "
                f"visible than its surroundings", "close the outer block first, or nest only more private blocks", "WK304"))
        stack.append(_Frame(name, no))
    for frame in stack:
        problems.append(BlockProblem(frame.line, f"'/// {frame.name}' is never closed",
                                     "add a line with just '///' where the block ends", "WK302"))
    problems.extend(lookalikes(text))
    return sorted(problems, key=lambda p: p.line)


def gate(text: str, allowed: frozenset[Visibility]) -> str:
    """Remove every block whose level is not in ``allowed``; keep the others as they are.

    Unknown block names count as the most private level (fail safe), and so does a text holding
    something that looks like a marker but is not one (:func:`lookalikes`): an audience below
    facilitator gets none of it.
    """
    if Visibility.facilitator not in allowed and lookalikes(text):
        return ""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (name, kept)
    for line in text.split("\n"):
        hidden = any(not kept for _, kept in stack)
        m = _OPEN.match(line)
        if m:
            name = m.group(1)
            if name is None:
                if stack:
                    _, kept = stack.pop()
                    if kept and not hidden:
                        out.append(line)
                continue
            level = BLOCKS.get(name, Visibility.organiser)
            kept = level in allowed and not hidden
            stack.append((name, kept))
            if kept:
                out.append(line)
            continue
        if not hidden:
            out.append(line)
    return "\n".join(out)


def has_blocks(text: str) -> bool:
    return any(_OPEN.match(line) and _OPEN.match(line).group(1) for line in text.split("\n"))  # type: ignore[union-attr]


def to_admonitions(text: str, labels: dict[str, str]) -> str:
    """Turn the blocks that survived the gate into admonitions for rendering.

    ``/// facilitator`` becomes ``!!! facilitator "<label>"`` with its body indented, which
    Python-Markdown's admonition extension renders on the site and in print alike.
    """
    out: list[str] = []
    depth = 0
    for line in text.split("\n"):
        indent = "    " * depth
        m = _OPEN.match(line)
        if m and m.group(1) is None and depth:
            depth -= 1
            out.append("")
            continue
        if m and m.group(1):
            name = m.group(1)
            title = (m.group(2) or "").strip() or labels.get(name, name.title())
            title = title.replace('"', "'")
            out.append("")
            out.append(f'{indent}!!! {name} "{title}"')
            out.append("")
            depth += 1
            continue
        out.append(indent + line if line else line)
    return "\n".join(out)


# --- texts cut into parts at '---' (card sets, author slides) ------------------------------------

#: The only line that separates the parts of a cut text.
SEPARATOR = "---"
BLOCK_MARKER = re.compile(r"^\s*///")
#: Any way of writing a thematic break (rule) in Markdown.
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")


@dataclass
class Cut:
    """A text cut at each line of exactly ``---`` outside code fences, and what makes the cut
    ambiguous; the callers say so in their own words (cards, slides)."""

    parts: list[tuple[int, list[str]]]  # (1-based first line, lines) of each part, in order
    under_text: list[int]  # lines of a '---' directly under a line of text (that would be a heading)
    across: list[int]  # lines where a '///' block opens that runs across a '---'
    other_rules: list[tuple[int, str]]  # (line, text) of other ways of writing a rule: '***', '- - -' …


def cut_at_separators(text: str) -> Cut:
    """``text`` cut into parts at each line of exactly ``---`` (never inside a code fence)."""
    lines = text.split("\n")
    out = Cut([(1, [])], [], [], [])
    fence = ""
    open_block = 0  # line of an open '///' block, 0 when none is open
    for no, line in enumerate(lines, start=1):
        m = _FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
        elif m:
            fence = m.group(1)
        elif BLOCK_MARKER.match(line):
            # A marker with a name opens a block; a bare '///' closes it.
            open_block = 0 if line.strip() == "///" else no
        elif line == SEPARATOR:
            if no > 1 and lines[no - 2].strip():
                out.under_text.append(no)
            if open_block:
                out.across.append(open_block)
                open_block = 0
            out.parts.append((no + 1, []))
            continue
        elif _RULE.match(line):
            out.other_rules.append((no, line.strip()))
        out.parts[-1][1].append(line)
    return out
