"""A strict, line-aware YAML reader.

PyYAML's ``safe_load`` does not run code, but it still expands alias bombs, silently keeps the
last of two duplicate keys and applies YAML 1.1's implicit typing (``NO`` becomes ``False``,
``1.10`` becomes ``1.1``, ``1:30`` becomes ``90``). This reader closes those traps:

* anchors, aliases and explicit tags are refused;
* duplicate keys are refused;
* every scalar stays the text the author typed (only an empty value or ``~``/``null`` becomes
  ``None``); the schema decides what a field's type is, so ``version: 1.10`` stays ``"1.10"``;
* the position of every key and list item is kept, so that a schema error on
  ``sessions[1].activities[0].minutes`` can be reported at the line of that key.

Files are read with :func:`read_bounded`: only regular files (a named pipe would block the
reader, a device never ends), and never more than the size limit plus one byte.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Diagnostic

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40

PathKey = tuple[str | int, ...]

@dataclass
class YamlDoc:
    """What a YAML file holds: the data, and where each part of it was written."""

    path: Path
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    #: line (1-based) on which the text of each multi-line scalar value starts
    text_lines: dict[PathKey, int] = field(default_factory=dict)
    #: list items left out of ``data`` since it was read, in order: (path of the list, index)
    #: (see :mod:`workshopkit.partial`); ``positions`` already follow the items that moved up
    removed: list[tuple[PathKey, int]] = field(default_factory=list)

    def written(self, loc: PathKey) -> PathKey:
        """``loc`` (a path of ``data``) as the file numbers its list items."""
        out = tuple(loc)
        for path, index in reversed(self.removed):
            n = len(path)
            at = out[n] if len(out) > n else None
            if out[:n] == path and isinstance(at, int) and at >= index:
                out = out[:n] + (at + 1,) + out[n + 1:]
        return out

    def where(self, loc: PathKey) -> tuple[int, int]:
        """Line and column (1-based) of the deepest known part of ``loc``."""
        loc = tuple(loc)
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))


class YamlError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


class _Refused(yaml.composer.ComposerError):
    """Valid YAML that workshopkit refuses (too deep): reported without 'invalid YAML'."""

    def __init__(self, problem: str, hint: str, mark: Any):
        super().__init__(None, None, problem, mark)
        self.hint = hint


class _Refusals:
    """Composing with aliases, anchors and deep nesting refused as soon as they are met."""

    _depth = 0

    # Provided by the parser this class is mixed with.
    peek_event: Any
    check_event: Any

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # PyYAML composes recursively: stop deep nesting here, at its line, before Python's
        # recursion limit is reached.
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure",
                           self.peek_event().start_mark)
        self._depth += 1
        try:
            return self._compose_node(parent, index)
        finally:
            self._depth -= 1

    def _compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None,
                "aliases (*name) are not allowed: write the value out in full",
                event.start_mark)
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.composer.ComposerError(
                None, None,
                f"anchors (&{anchor}) are not allowed: write each value out in full",
                event.start_mark)
        return Composer.compose_node(self, parent, index)  # type: ignore[arg-type]


class _Loader(_Refusals, yaml.SafeLoader):
    """The pure-Python reader: slower, but its error messages and positions are the ones we
    report (and it refuses control characters)."""


_FastLoader: Any = None
if getattr(yaml, "__with_libyaml__", False):
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _CLoader(_Refusals, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """libyaml's scanner and parser (several times faster) with our composer on top."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self.anchors: dict[str, Any] = {}

        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document
        compose_scalar_node = Composer.compose_scalar_node
        compose_sequence_node = Composer.compose_sequence_node
        compose_mapping_node = Composer.compose_mapping_node

    _FastLoader = _CLoader


def _compose_fast(text: str) -> Node | None | bool:
    """Compose with libyaml, the reference YAML parser in C (the same nodes and positions as the
    pure-Python reader for valid files, several times faster). ``False`` means: use the
    pure-Python reader (no libyaml, a character where the two differ, or any problem at all, so
    that every message and position reported comes from the pure-Python reader)."""
    # Tabs and stray byte-order marks: the two readers disagree there, and ours has the clear
    # messages for them.
    if _FastLoader is None or "\t" in text or "\ufeff" in text or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return False
    try:
        loader = _FastLoader(text)
        try:
            node: Node | None = loader.get_single_node()
            return node
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        return False


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_STD_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:binary", "tag:yaml.org,2002:value",
}


#: Characters YAML does not allow in a file; refused in scalars built from escapes too.
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _build(node: Node, path: PathKey, positions: dict[PathKey, tuple[int, int]],
           file: str, depth: int, text_lines: dict[PathKey, int]) -> Any:
    if depth > MAX_DEPTH:
        line, col = _pos(node)
        raise YamlError(Diagnostic(file, line, col, "", f"nesting deeper than {MAX_DEPTH} levels",
                                   "flatten the structure", code="WK026"))
    if node.tag not in _STD_TAGS:
        line, col = _pos(node)
        raise YamlError(Diagnostic(file, line, col, _dotted(path), f"the tag {node.tag!r} is not allowed",
                                   "remove the !tag; plain values are enough", code="WK023"))
    if isinstance(node, ScalarNode):
        if node.tag == "tag:yaml.org,2002:null":
            return None
        bad = _NON_PRINTABLE.search(node.value)
        if bad:  # an escape such as "\0" in a double-quoted scalar
            line, col = _pos(node)
            raise YamlError(Diagnostic(file, line, col, _dotted(path),
                                       f"the text holds the character U+{ord(bad.group()):04X}, which is not allowed",
                                       "remove the escape sequence", code="WK008"))
        # Literal and folded block scalars start on the line after their indicator.
        text_lines[path] = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
        return node.value
    if isinstance(node, SequenceNode):
        out = []
        for i, item in enumerate(node.value):
            positions[path + (i,)] = _pos(item)
            out.append(_build(item, path + (i,), positions, file, depth + 1, text_lines))
        return out
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, col = _pos(key_node)
                raise YamlError(Diagnostic(file, line, col, _dotted(path), "merge keys (<<) are not allowed",
                                           "write the keys out in full", code="WK024"))
            if not isinstance(key_node, ScalarNode):
                line, col = _pos(key_node)
                raise YamlError(Diagnostic(file, line, col, _dotted(path), "a key must be plain text",
                                           "remove the brackets or braces around the key", code="WK025"))
            key = key_node.value
            line, col = _pos(key_node)
            if key in first:
                raise YamlError(Diagnostic(
                    file, line, col, _dotted(path + (key,)),
                    f"duplicate key {key!r} (first defined on line {first[key]})",
                    "remove one of the two", code="WK021"))
            first[key] = line
            positions[path + (key,)] = (line, col)
            result[key] = _build(value_node, path + (key,), positions, file, depth + 1, text_lines)
        return result
    raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover


def _dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


dotted = _dotted


def decode(raw: bytes, file: str) -> str:
    """Decode UTF-8 text (a BOM is allowed), or raise with the line of the first bad byte."""
    if len(raw) > MAX_BYTES:
        raise YamlError(Diagnostic(file, 0, 0, "", f"file is {len(raw) // 1024} KiB; the limit is "
                                   f"{MAX_BYTES // 1024} KiB", "split it into smaller files", code="WK006"))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(Diagnostic(file, line, col, "", "the file is not valid UTF-8 text",
                                   "save it as UTF-8 in your editor", code="WK007")) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _runaway_quote(text: str, mark: Any) -> Any:
    """The quoted scalar just before ``mark`` if it runs over several lines (an unclosed quote
    that swallowed the lines after it until the next quote character), else None."""
    prev = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.end_mark.index > mark.index:
                break
            prev = token
    except yaml.YAMLError:
        pass
    if (isinstance(prev, yaml.ScalarToken) and prev.style in ('"', "'")
            and prev.end_mark.line > prev.start_mark.line):
        return prev
    return None


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def parse(text: str, file: str) -> YamlDoc:
    """Parse YAML text into a :class:`YamlDoc`; raise :class:`YamlError` on any problem."""
    fast = _compose_fast(text)
    node: Node | None
    try:
        if fast is not False and fast is not True:
            node = fast
        else:
            loader = _Loader(text)  # the reader refuses control characters right here
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
    except _Refused as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise YamlError(Diagnostic(file, line, col, "", exc.problem or "", exc.hint, code="WK026")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or str(exc)
        context = exc.context or ""
        hint = ""
        parser_error = isinstance(exc, yaml.parser.ParserError) and exc.problem_mark
        runaway = _runaway_quote(text, exc.problem_mark) if parser_error else None
        if "\t" in problem or "'\\t'" in problem:
            hint = "indent with spaces, not tabs"
            problem = "a tab character is not allowed here"
        elif context == "while scanning a quoted scalar" and exc.context_mark:
            line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
            problem = "the quote that starts here is never closed"
            hint = "add the closing quote"
        elif runaway is not None:
            line, col = runaway.start_mark.line + 1, runaway.start_mark.column + 1
            problem = f"the quote that starts here runs on to line {runaway.end_mark.line + 1}"
            hint = "close the quote on the line where it starts"
        elif "expected a single document" in context:
            problem = "the file holds more than one YAML document"
            hint = "remove the second '---'"
        elif "mapping values are not allowed" in problem:
            hint = "put the value in quotes if it contains ': '"
        elif "found undefined tag" in problem or "could not determine a constructor" in problem:
            hint = "remove the !tag"
        elif ("flow sequence" in context or "flow mapping" in context) and exc.context_mark:
            opener = "[" if "sequence" in context else "{"
            problem += f" (the '{opener}' on line {exc.context_mark.line + 1} is not closed)"
            hint = f"close it with '{']' if opener == '[' else '}'}' or put the value in quotes"
        code = "WK022" if problem.startswith(("aliases", "anchors")) else "WK020"
        raise YamlError(Diagnostic(file, line, col, "", f"invalid YAML: {problem}", hint, code=code)) from None
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise YamlError(Diagnostic(file, line, col, "", f"the character U+{ord(char):04X} is not allowed in YAML",
                                   "delete it; control characters are invisible in most editors", code="WK008")) from None
    except yaml.YAMLError as exc:
        raise YamlError(Diagnostic(file, 0, 0, "", f"invalid YAML: {exc}", code="WK020")) from None
    except RecursionError:
        raise YamlError(Diagnostic(file, 0, 0, "", "the YAML is nested too deeply",
                                   "flatten the structure", code="WK026")) from None
    if node is None:  # an empty file
        return YamlDoc(Path(file), None, {(): (1, 1)})
    # The top of the file is where its first key (or list item, or text) is written.
    positions: dict[PathKey, tuple[int, int]] = {(): _pos(node)}
    text_lines: dict[PathKey, int] = {}
    data = _build(node, (), positions, file, 0, text_lines)
    return YamlDoc(Path(file), data, positions, text_lines)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_bounded(path: Path, display: str, limit: int = MAX_BYTES) -> tuple[bytes, int]:
    """The first ``limit + 1`` bytes of a regular file (one more than allowed, so that the
    caller sees a file that is too large) and the file's size.

    Anything but a regular file is refused before it is read: it is looked at first, opened
    without blocking (a named pipe without a writer would wait for ever) and looked at again
    once open (in case it was replaced in between). Raises :class:`YamlError` with the problem.
    """
    def refuse(mode: int) -> YamlError:
        return YamlError(Diagnostic(display, 0, 0, "", f"not a regular file: it is {_kind(mode)}",
                                    "content files must be ordinary files; replace it with one", code="WK004"))

    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise refuse(mode)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise YamlError(Diagnostic(display, 0, 0, "", f"cannot read the file: {exc.strerror}", code="WK005")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse(info.st_mode)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), max(info.st_size, size)
    except OSError as exc:
        raise YamlError(Diagnostic(display, 0, 0, "", f"cannot read the file: {exc.strerror}", code="WK005")) from None
    finally:
        os.close(fd)


def load_file(path: Path, display: str) -> YamlDoc:
    """Read and parse one YAML file; ``display`` is the name used in diagnostics."""
    raw, size = read_bounded(path, display)
    if size > MAX_BYTES:
        raise YamlError(Diagnostic(display, 0, 0, "", f"file is {size // 1024} KiB; the limit is "
                                   f"{MAX_BYTES // 1024} KiB", "split it into smaller files", code="WK006"))
    doc = parse(decode(raw, display), display)
    doc.path = path
    return doc
