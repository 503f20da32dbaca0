"""Property tests: no input makes the loader raise anything but its own, located errors.

* ``yamlload.parse`` on any text, and ``yamlload.decode`` on any bytes, either succeed or raise
  :class:`YamlError` whose diagnostic points inside the file;
* what ``parse`` returns holds only text, lists, mappings and ``None`` (no YAML 1.1 typing);
* ``load_project`` (and the checks after it) on a repository whose files hold generated or
  mutated text never raise: they return diagnostics.

About 11,450 examples in all; the in-memory tests carry most of them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshopkit.check import run_checks
from workshopkit.errors import Diagnostic
from workshopkit.load import load_project
from workshopkit.yamlload import YamlDoc, YamlError, decode, parse

from conftest import FIXTURES

# All property tests run in one worker, in file order, so that the last test can report the count.
pytestmark = pytest.mark.xdist_group("fuzz")
EXAMPLES = {"tried": 0}

# --------------------------------------------------------------------------------------------
# Strategies

#: Pieces YAML is made of, and pieces that have broken YAML readers before.
FRAGMENTS = [
    # keys and values of the real files
    "id", "title", "minutes", "sessions", "activities", "objectives", "answer", "options",
    "participant", "file", "handouts/case-lin.md", "intro.md", "alpha", "beta", "lo1",
    "version", "1.10", "NO", "yes", "off", "~", "null", "0x1F", "1:30", "2026-03-02", ".inf",
    "-5", "0", "999999999999999999999", "facilitator", "restricted",
    # structure
    ":", ": ", "-", "- ", "? ", ",", "[", "]", "{", "}", "[]", "{}", "|", "|-", ">", ">+",
    "#", " #", "---", "...", "\n", "\n", "\n", "  ", "  ", "    ", "\t", " \t", "\r\n", "\r",
    # quotes and escapes
    "'", '"', "''", '""', "\\", "\\0", "\\x00", "\\u2028", "\\ud800", "\\q", "\\\n",
    # anchors, aliases, tags, directives, merge keys
    "&a ", "*a", "&", "*", "!tag ", "!", "!!", "!!str ", "!!int ", "!!map ", "!!seq ",
    "!!python/object:os.system ", "!!python/name:os.system ", "!<tag:x,2000:y> ", "<<: ",
    "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "@", "`", "%",
    # Markdown and audience blocks inside values
    "/// facilitator", "/// restricted", "///", "[x](a.md)", "![](p.png)", "<script>", "```",
    # odd characters
    "\ufeff", "\x00", "\x07", "\x85", "\u2028", "\ufffe", "é", "💯", ":100:", "\U0001f600",
]

yamlish = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join)

#: Nested flow or block structure, sometimes deeper than the reader allows.
deep = st.builds(
    lambda n, opener, tail: (opener * n) + tail,
    st.integers(min_value=0, max_value=120),
    st.sampled_from(["[", "{a: ", "- ", "a:\n" + " " * 2, "[{", "? "]),
    st.sampled_from(["", "x", "]" * 50, "}" * 50, "\n"]),
)

any_text = st.text(max_size=200)

# --------------------------------------------------------------------------------------------
# Helpers

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


def _lines(text: str) -> int:
    """How many lines PyYAML sees in ``text`` (it also breaks at NEL and U+2028/9)."""
    return len(_LINE_BREAK.split(text))


def _plain(value: object) -> bool:
    """Only text, lists, text-keyed mappings and None: no YAML 1.1 typing, no objects."""
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def check_parse(text: str) -> YamlDoc | None:
    try:
        doc = parse(text, "f.yml")
    except YamlError as exc:
        d = exc.diagnostic
        assert d.path == "f.yml"
        assert 1 <= d.line <= _lines(text) + 1, (d, text)
        assert d.col >= 1
        assert d.message
        return None
    assert _plain(doc.data), doc.data
    assert all(line >= 1 and col >= 1 for line, col in doc.positions.values())
    return doc


# --------------------------------------------------------------------------------------------
# In memory: parse and decode


@settings(max_examples=2500, deadline=None)
@given(any_text)
def test_parse_arbitrary_text(text: str) -> None:
    EXAMPLES["tried"] += 1
    check_parse(text)


@settings(max_examples=6000, deadline=None)
@given(yamlish | deep)
def test_parse_yamlish_text(text: str) -> None:
    EXAMPLES["tried"] += 1
    check_parse(text)


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=200) | yamlish.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_decode_and_parse_bytes(raw: bytes) -> None:
    EXAMPLES["tried"] += 1
    try:
        text = decode(raw, "f.yml")
    except YamlError as exc:
        d = exc.diagnostic
        assert 1 <= d.line <= raw.count(b"\n") + 1 and d.col >= 1
        return
    assert "\r" not in text and not text.startswith("\ufeff") or raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    check_parse(text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["\ufeff", ""]), yamlish, st.sampled_from(["\n", "\r\n", "\r"]))
def test_bom_and_line_endings_do_not_change_the_result(bom: str, text: str, newline: str) -> None:
    """A BOM and Windows or old Mac line endings give the same data and lines as plain '\\n'."""
    EXAMPLES["tried"] += 1
    plain = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    raw = (bom + plain.replace("\n", newline)).encode("utf-8", "surrogatepass")
    try:
        via_bytes: object = parse(decode(raw, "f.yml"), "f.yml")
    except YamlError as exc:
        via_bytes = exc.diagnostic
    try:
        direct: object = parse(plain, "f.yml")
    except YamlError as exc:
        direct = exc.diagnostic
    if isinstance(direct, YamlDoc):
        assert isinstance(via_bytes, YamlDoc) and via_bytes.data == direct.data
        assert via_bytes.positions == direct.positions
    elif isinstance(direct, Diagnostic) and isinstance(via_bytes, Diagnostic):
        assert via_bytes.line == direct.line


# --------------------------------------------------------------------------------------------
# On disk: load_project and the checks on a repository holding generated text

TARGETS = [
    "modules/alpha/module.yml",
    "modules/beta/module.yml",
    "curriculum/demo.yml",
    "curriculum/glossary.yml",
    "curriculum/sources/library.yml",
    "seeds/seed-one.yml",
    "modules/alpha/intro.md",
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the mini repository shared by the examples; each restores what it changes."""
    dest = tmp_path_factory.mktemp("props") / "mini"
    shutil.copytree(FIXTURES / "mini", dest)
    return dest


def _load_and_check(repo: Path, target: str, raw: bytes) -> list[Diagnostic]:
    path = repo / target
    original = path.read_bytes()
    path.write_bytes(raw)
    try:
        project, diags = load_project(repo)
        diags = diags + run_checks(project)
    finally:
        path.write_bytes(original)
    for d in diags:
        assert isinstance(d, Diagnostic) and isinstance(d.path, str) and d.message
        assert d.line >= 0 and d.col >= 0
    return diags


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(TARGETS[:-1]), text=yamlish | any_text)
def test_load_project_on_generated_file(repo: Path, target: str, text: str) -> None:
    EXAMPLES["tried"] += 1
    diags = _load_and_check(repo, target, text.encode("utf-8", "surrogatepass"))
    assert all(d.severity in ("error", "warning") for d in diags)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real file of the mini repository with a fragment inserted in, or replacing, one line."""
    target = draw(st.sampled_from(TARGETS))
    lines = (FIXTURES / "mini" / target).read_text(encoding="utf-8").split("\n")
    index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    piece = draw(yamlish)
    how = draw(st.sampled_from(["insert-line", "replace-line", "inside-line", "append-to-line"]))
    line = lines[index]
    if how == "insert-line":
        lines.insert(index, piece)
    elif how == "replace-line":
        lines[index] = line[: len(line) - len(line.lstrip())] + piece
    elif how == "inside-line":
        at = draw(st.integers(min_value=0, max_value=len(line)))
        lines[index] = line[:at] + piece + line[at:]
    else:
        lines[index] = line + piece
    return target, "\n".join(lines).encode("utf-8", "surrogatepass")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_load_project_on_mutated_file(repo: Path, case: tuple[str, bytes]) -> None:
    EXAMPLES["tried"] += 1
    target, raw = case
    _load_and_check(repo, target, raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(TARGETS), raw=st.binary(max_size=300))
def test_load_project_on_arbitrary_bytes(repo: Path, target: str, raw: bytes) -> None:
    EXAMPLES["tried"] += 1
    _load_and_check(repo, target, raw)



@settings(max_examples=1500, deadline=None)
@given(yamlish | any_text)
def test_libyaml_path_gives_the_same_data_and_positions(text: str) -> None:
    """Where both readers accept a text, the fast (libyaml) one gives the same data, positions
    and refusals as the pure-Python one. (libyaml, the reference parser, accepts a few corner
    cases the pure-Python reader rejects, such as a lone '!' tag, which our checks then refuse.)"""
    EXAMPLES["tried"] += 1
    from workshopkit import yamlload

    if "!" in text:
        return  # tags: a lone non-specific '!' resolves differently in the two (both refuse real tags)
    fast = yamlload._compose_fast(text)
    if fast is False:
        return
    loader = yamlload._Loader(text)
    try:
        slow = loader.get_single_node()
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()
    if fast is None or slow is None:
        assert fast is None and slow is None
        return
    results = []
    for node in (fast, slow):
        positions: dict = {}
        lines: dict = {}
        try:
            data = yamlload._build(node, (), positions, "f.yml", 0, lines)
        except YamlError as exc:
            results.append(exc.diagnostic)
        else:
            results.append((data, positions, lines))
    assert results[0] == results[1]

def test_zz_fuzz_figures(record_property):
    """Reported at the end of the run: how many generated inputs the loader survived."""
    record_property("figure: loader fuzz examples tried", EXAMPLES["tried"])
    if EXAMPLES["tried"]:  # zero when only this test was selected
        assert EXAMPLES["tried"] >= 10_000
