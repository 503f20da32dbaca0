"""Golden files: generated pages and pure text transforms, compared with stored expectations.

Two kinds live under ``tests/golden/``:

``mini/<audience>/``
    The docs folder that a build of ``tests/fixtures/mini`` writes for each site before MkDocs
    runs (``build/.gen/<audience>/``): every generated page under ``docs/`` as written, and the
    derived ``mkdocs.yml``. Files copied into the docs folder (the stylesheet, the iframe-worker
    shim, module images) are not stored; ``copied.txt`` lists each one's docs path and origin.
    The pages are made by the build's own stages (load + check, the publishing views, the plan,
    ``site_pages`` and ``write_docs``) with neither MkDocs nor WeasyPrint: the PDF download
    links are the real set, asked of the build's plan without rendering. Machine-specific
    values are fixed: ``SOURCE_DATE_EPOCH`` is set, the iframe-worker shim counts as installed
    (as after ``scripts/setup``), and absolute paths are replaced by ``<root>``/``<tmp>``
    (there are none today).

``transforms/<transform>/``
    Input → expected output of the pure text transforms: ``<case>.in.<ext>`` and
    ``<case>.out.<ext>``, plus ``<case>.json`` with parameters where a transform needs them (the
    audience, the base folder, the heading depth, a link map). One parametrized test per
    transform. A case whose JSON has
    ``"known_bug": "<why>"`` holds the *correct* output and is a strict xfail: fix the code, then
    remove the key (updating never overwrites such a case).

Updating: when a change of output is intended, rewrite the expectations and review the diff::

    WORKSHOPKIT_UPDATE_GOLDEN=1 scripts/test tests/test_golden.py
    git diff tests/golden

With the switch the tests write what the code produces now (stale files of the site goldens are
removed) and pass; without it they compare, file by file, and fail with a unified diff.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from workshopkit import blocks, links
from workshopkit.markdown import shift_headings
from workshopkit.pdf.html import keep_words_whole
from workshopkit.visibility import Audience

GOLDEN = Path(__file__).resolve().parent / "golden"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
UPDATE = os.environ.get("WORKSHOPKIT_UPDATE_GOLDEN", "") not in ("", "0")
SOURCE_DATE_EPOCH = "1700000000"  # 2023-11-14
MAX_DIFF_LINES = 120  # per file


# --- comparing --------------------------------------------------------------------------------


def _visible(text: str) -> str:
    """``text`` with characters a terminal does not show (or shows as a blank) escaped."""
    return "".join(ch if ch in "\n\t" or (ch.isprintable() and ch not in "\u00a0\u3000") else f"\\u{ord(ch):04x}"
                   for ch in text)


def _diff(path: str, expected: str, actual: str) -> str:
    lines = list(difflib.unified_diff(_visible(expected).splitlines(keepends=True),
                                      _visible(actual).splitlines(keepends=True),
                                      f"golden/{path}", f"generated/{path}"))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... {len(lines) - MAX_DIFF_LINES} more diff lines\n"]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _read(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def compare_tree(folder: Path, actual: dict[str, str]) -> None:
    """``folder`` holds exactly the files of ``actual`` (docs-relative path → text), or the test
    fails listing the missing and unexpected paths and a diff of each differing file."""
    if UPDATE:
        if folder.exists():
            shutil.rmtree(folder)
        for rel_path, text in sorted(actual.items()):
            _write(folder / rel_path, text)
    expected = _tree(folder) if folder.is_dir() else {}
    problems = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        problems.append("no longer generated:\n  " + "\n  ".join(missing))
    if extra:
        problems.append("generated, not in the golden files:\n  " + "\n  ".join(extra))
    for rel_path in sorted(set(expected) & set(actual)):
        if expected[rel_path] != actual[rel_path]:
            problems.append(_diff(f"{folder.relative_to(GOLDEN).as_posix()}/{rel_path}",
                                  expected[rel_path], actual[rel_path]))
    if problems:
        pytest.fail(f"{folder.relative_to(GOLDEN.parent).as_posix()} differs from what the code generates "
                    "(if the change is intended: WORKSHOPKIT_UPDATE_GOLDEN=1 scripts/test tests/test_golden.py)\n\n"
                    + "\n".join(problems), pytrace=False)


# --- the generated pages of tests/fixtures/mini -----------------------------------------------


def generated_docs(root: Path, tmp: Path) -> dict[str, dict[str, str]]:
    """Per audience, the files of its generated folder as a build writes them (normalised)."""
    from workshopkit.build import BuildOptions, load_checked, plan_for, site_pages, views_for
    from workshopkit.markdown import load_site_config
    from workshopkit.site.generate import participant_view
    from workshopkit.site.mkdocs_adapter import ASSETS, CSS_PATH, iframe_worker_shim, write_docs

    project, _ = load_checked(root)
    config = load_site_config(root)
    opts = BuildOptions(root=root, out=tmp / "build")
    views = views_for(project, opts)
    # The PDFs the build would render and link to, without rendering them.
    downloads = plan_for(views, opts).downloads()
    shim = iframe_worker_shim()
    out: dict[str, dict[str, str]] = {}
    for name in opts.audiences:
        files, cfg = site_pages(views[name], config, root, downloads[name], twin=participant_view(views))
        gen_dir = tmp / "gen" / name
        write_docs(files, gen_dir, cfg)

        def origin(rel_path: str, sources: dict[str, Path] = files.copies) -> str:
            src = sources.get(rel_path)
            if rel_path == CSS_PATH and src is None:
                return f"workshopkit:{(ASSETS / 'workshopkit.css').relative_to(ASSETS.parent.parent).as_posix()}"
            if src is not None and shim is not None and src == shim:
                return "iframe-worker shim (installed by scripts/setup)"
            if src is not None and src.is_relative_to(root):
                return src.relative_to(root).as_posix()
            return f"not known ({src})"

        tree: dict[str, str] = {}
        copied = []
        for rel_path, text in _tree(gen_dir).items():
            docs_path = rel_path.removeprefix("docs/")
            if rel_path.startswith("docs/") and docs_path not in files.pages:
                copied.append(f"{docs_path} <- {origin(docs_path)}\n")
            else:
                tree[rel_path] = text.replace(str(root), "<root>").replace(str(tmp), "<tmp>")
        tree["copied.txt"] = "".join(sorted(copied))
        out[name] = tree
    return out


@pytest.fixture(scope="module")
def mini_docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("golden")
    shim = tmp / "iframe-worker-shim.js"
    shim.write_text("/* stands for the installed shim */\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        mp.setenv("WORKSHOPKIT_IFRAME_WORKER", str(shim))
        return generated_docs(MINI, tmp)


@pytest.mark.parametrize("audience", ["participant", "facilitator"])
def test_mini_generated_pages(mini_docs: dict[str, dict[str, str]], audience: str) -> None:
    """The pages and derived config of each site of the mini fixture, as a build writes them."""
    compare_tree(GOLDEN / "mini" / audience, mini_docs[audience])


def test_mini_golden_holds_every_page(mini_docs: dict[str, dict[str, str]]) -> None:
    """The goldens hold real pages: the nav of each derived config names only stored pages."""
    for audience, tree in mini_docs.items():
        cfg = yaml.safe_load(tree["mkdocs.yml"])

        def pages(nav: Any) -> list[str]:
            if isinstance(nav, list):
                return [p for item in nav for p in pages(item)]
            if isinstance(nav, dict):
                return [p for value in nav.values() for p in pages(value)]
            return [nav]

        listed = pages(cfg["nav"])
        assert listed and all(f"docs/{p}" in tree for p in listed), audience
        assert "downloads/" in tree["docs/workshops/demo.md"], "the download links are part of the pages"


# --- pure text transforms ---------------------------------------------------------------------


def _gate(text: str, params: dict[str, Any]) -> str:
    audience = Audience(params.get("audience", "participant"), include_restricted=params.get("include_restricted", False))
    return blocks.gate(text, audience.allowed)


#: The labels the site generator and the print pass (strings/en.yml), fixed here so that a
#: change of wording is not a change of the transform.
LABELS = {"facilitator": "Facilitator note", "restricted": "Closed-door material", "say": "Say"}


def _to_admonitions(text: str, params: dict[str, Any]) -> str:
    return blocks.to_admonitions(text, params.get("labels", LABELS))


def _normalise(text: str, params: dict[str, Any]) -> str:
    root = Path("/repository")
    return links.normalise(text, root / params.get("base", "modules/alpha"), root)


def _rewrite(text: str, params: dict[str, Any]) -> str:
    """``params["resolve"]`` maps a repository path to its new target; a path not in it is unlinked."""
    table: dict[str, str | None] = params.get("resolve", {})

    def resolve(path: str, anchor: str) -> str | None:
        new = table.get(path)
        return None if new is None else new + (f"#{anchor}" if anchor else "")

    return links.rewrite(text, resolve)


def _find(text: str, params: dict[str, Any]) -> str:
    found = []
    for link in links.find(text):
        line, col = link.line_col(text)
        found.append({"at": f"{line}:{col}",
                      "kind": "definition" if link.definition else "image" if link.image else "link",
                      "label": link.label, "target": link.target, "masked": link.masked,
                      "source": text[link.start:link.end],
                      "target_as_written": text[link.target_start:link.target_end]})
    return json.dumps(found, indent=2, ensure_ascii=False) + "\n"


def _shift_headings(text: str, params: dict[str, Any]) -> str:
    return shift_headings(text, params.get("depth", 1))


def _keep_words_whole(text: str, params: dict[str, Any]) -> str:
    return keep_words_whole(text)


#: transform → (function, extension of its inputs, extension of its outputs)
TRANSFORMS: dict[str, tuple[Callable[[str, dict[str, Any]], str], str, str]] = {
    "gate": (_gate, "md", "md"),
    "to_admonitions": (_to_admonitions, "md", "md"),
    "normalise": (_normalise, "md", "md"),
    "rewrite": (_rewrite, "md", "md"),
    "find": (_find, "md", "json"),
    "shift_headings": (_shift_headings, "md", "md"),
    "keep_words_whole": (_keep_words_whole, "html", "html"),
}


def cases(transform: str) -> list[str]:
    _, ext, _ = TRANSFORMS[transform]
    folder = GOLDEN / "transforms" / transform
    return sorted(p.name.removesuffix(f".in.{ext}") for p in folder.glob(f"*.in.{ext}"))


def run_case(transform: str, case: str) -> None:
    func, in_ext, out_ext = TRANSFORMS[transform]
    folder = GOLDEN / "transforms" / transform
    params_path = folder / f"{case}.json"
    params = json.loads(_read(params_path)) if params_path.is_file() else {}
    actual = func(_read(folder / f"{case}.in.{in_ext}"), params)
    out_path = folder / f"{case}.out.{out_ext}"
    if UPDATE and not params.get("known_bug"):
        _write(out_path, actual)
    if not out_path.is_file():
        pytest.fail(f"{out_path.relative_to(GOLDEN.parent)} is missing "
                    "(write it with WORKSHOPKIT_UPDATE_GOLDEN=1 scripts/test tests/test_golden.py)", pytrace=False)
    expected = _read(out_path)
    if expected != actual:
        if params.get("known_bug"):
            pytest.xfail(params["known_bug"])
        pytest.fail(f"{transform}/{case}: the output differs from {out_path.name} (if the change is intended: "
                    "WORKSHOPKIT_UPDATE_GOLDEN=1 scripts/test tests/test_golden.py)\n\n"
                    + _diff(f"transforms/{transform}/{out_path.name}", expected, actual), pytrace=False)
    if params.get("known_bug"):
        pytest.fail(f"{transform}/{case} now gives the correct output: remove 'known_bug' from {case}.json",
                    pytrace=False)


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_transform_cases_are_complete(transform: str) -> None:
    """Each transform has at least four cases, each with its expected output, and no stray files."""
    _, in_ext, out_ext = TRANSFORMS[transform]
    folder = GOLDEN / "transforms" / transform
    names = cases(transform)
    assert len(names) >= 4, f"{transform}: {len(names)} case(s); at least 4 wanted"
    wanted = {f"{c}.{suffix}" for c in names for suffix in (f"in.{in_ext}", f"out.{out_ext}")}
    known = wanted | {f"{c}.json" for c in names}
    stray = sorted(p.name for p in folder.iterdir() if p.name not in known)
    assert not stray, f"{transform}: files that belong to no case: {stray}"
    if not UPDATE:
        missing = sorted(wanted - {p.name for p in folder.iterdir()})
        assert not missing, f"{transform}: missing {missing} (WORKSHOPKIT_UPDATE_GOLDEN=1 writes the outputs)"


@pytest.mark.parametrize("case", cases("gate"))
def test_gate(case: str) -> None:
    """blocks.gate: audience blocks removed for an audience that may not see them."""
    run_case("gate", case)


@pytest.mark.parametrize("case", cases("to_admonitions"))
def test_to_admonitions(case: str) -> None:
    """blocks.to_admonitions: the blocks that survived the gate as admonitions."""
    run_case("to_admonitions", case)


@pytest.mark.parametrize("case", cases("normalise"))
def test_normalise(case: str) -> None:
    """links.normalise: relative targets to ``repo:`` paths, HTML comments out."""
    run_case("normalise", case)


@pytest.mark.parametrize("case", cases("rewrite"))
def test_rewrite(case: str) -> None:
    """links.rewrite: ``repo:`` targets mapped, or unlinked when not resolved."""
    run_case("rewrite", case)


@pytest.mark.parametrize("case", cases("find"))
def test_find(case: str) -> None:
    """links.find: every link, image and reference definition, as Python-Markdown reads them."""
    run_case("find", case)


@pytest.mark.parametrize("case", cases("shift_headings"))
def test_shift_headings(case: str) -> None:
    """markdown.shift_headings: author headings placed under a heading of the given level."""
    run_case("shift_headings", case)


@pytest.mark.parametrize("case", cases("keep_words_whole"))
def test_keep_words_whole(case: str) -> None:
    """pdf.html.keep_words_whole: the characters of each Korean word joined (a span in headings), never in tags or code."""
    run_case("keep_words_whole", case)
