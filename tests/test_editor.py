"""The editors' workflow: scaffolds, precise feedback, live-preview regeneration, stats, schemas.

Everything runs on a copy of ``tests/fixtures/mini`` with the repository's ``mkdocs.yml``; site
builds only, no PDFs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from pydantic.json_schema import SkipJsonSchema

from workshopkit.build import BuildOptions, run_build
from workshopkit.check import check
from workshopkit.cli import build_parser, main
from workshopkit.guide import all_models, editor_guide, field_rows
from workshopkit.model import SCHEMAS, Module, Workshop
from workshopkit.schema import SCHEMA_DIR, schema_text
from workshopkit.serve import Watcher, gen_dir, is_watched, regenerate
from workshopkit.walk import class_fields

from conftest import ROOT

NEW = "modules/safe-referrals/module.yml"


def line_of(path: Path, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after ``start`` that contains ``needle``."""
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if no >= start and needle in line:
            return no
    raise AssertionError(f"{needle!r} not in {path}")


def scaffold(repo: Path, mid: str = "safe-referrals", *extra: str) -> None:
    assert main(["new", "module", mid, "--path", str(repo), *extra]) == 0


def documented_keys(cls: type, text: str) -> list[str]:
    """Keys of ``cls`` and the models inside it that the skeleton does not mention."""
    missing = []
    for _loc, owner, name, info in class_fields(cls):
        key = info.alias or name
        if any(isinstance(m, SkipJsonSchema) for m in info.metadata):
            continue  # filled by the loader (a handout's body from 'file', the end of a timing range)
        if not re.search(rf"(?<![\w-]){re.escape(key)}(?=:|')", text):
            missing.append(f"{owner.__name__}.{key}")
    return sorted(set(missing))


# --------------------------------------------------------------------------------------------
# new module / new workshop


def test_scaffolds_pass_check_and_build(repo: Path, capsys):
    scaffold(repo, "safe-referrals", "--title", "Safe referrals: a first #1 guide")
    out = capsys.readouterr().out
    assert "created modules/safe-referrals/module.yml" in out
    folder = repo / "modules/safe-referrals"
    yml = (folder / "module.yml").read_text(encoding="utf-8")
    assert yml.startswith("# yaml-language-server: $schema=")
    assert (folder / "sessions/introduction.md").is_file() and (folder / "handouts/worksheet.md").is_file()
    # Every field of the module schema is shown (as a key, or commented out) with a comment.
    assert documented_keys(Module, yml) == []
    assert yml.count("\n#") + yml.count("  #") > 60

    assert main(["new", "workshop", "spring-training", "--module", "alpha", "--module", "beta",
                 "--module", "safe-referrals", "--path", str(repo)]) == 0
    wyml = (repo / "curriculum/spring-training.yml").read_text(encoding="utf-8")
    assert wyml.startswith("# yaml-language-server: $schema=")
    assert documented_keys(Workshop, wyml) == []
    assert "- session: safe-referrals/introduction" in wyml

    project, diags = check(repo)
    assert [d.format() for d in diags] == []  # no errors, and no warnings either
    module = project.module("safe-referrals")
    assert module is not None and module.title == "Safe referrals: a first #1 guide"
    assert [c.ref for c in module.sources] == ["seed-one"]  # the first seed record of the repository
    assert main(["check", str(repo)]) == 0

    report = run_build(BuildOptions(root=repo, pdf=False))
    participant = repo / "build/site/participant/modules/safe-referrals"
    facilitator = repo / "build/site/facilitator/modules/safe-referrals"
    assert report.outputs and (participant / "index.html").is_file()
    session_p = (participant / "introduction.html").read_text(encoding="utf-8")
    session_f = (facilitator / "introduction.html").read_text(encoding="utf-8")
    assert "what do you already know" in session_p
    assert "Notes in a facilitator block" in session_f and "Notes in a facilitator block" not in session_p
    assert (participant / "handouts/worksheet.html").is_file()
    assert (repo / "build/site/participant/workshops/spring-training.html").is_file()


def test_schema_comment_points_at_the_shipped_schema(tmp_path: Path):
    # Outside this repository: a relative path to the schema shipped with the package.
    scaffold(tmp_path, "lone-module")
    first = (tmp_path / "modules/lone-module/module.yml").read_text(encoding="utf-8").splitlines()[0]
    ref = first.split("$schema=", 1)[1]
    assert (tmp_path / "modules/lone-module" / ref).resolve() == (SCHEMA_DIR / "module.schema.json").resolve()
    # In a repository that holds the package: the committed path, as in the brief.
    repo = tmp_path / "with-src"
    schema_dir = repo / "src/workshopkit/schema"
    schema_dir.mkdir(parents=True)
    for name in ("module", "workshop", "sources"):
        shutil.copy(SCHEMA_DIR / f"{name}.schema.json", schema_dir)
    scaffold(repo, "inside")
    assert main(["new", "workshop", "event", "--path", str(repo)]) == 0
    assert (repo / "modules/inside/module.yml").read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=../../src/workshopkit/schema/module.schema.json"
    assert (repo / "curriculum/event.yml").read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=../src/workshopkit/schema/workshop.schema.json"
    assert (repo / "curriculum/sources/local.yml").read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=../../src/workshopkit/schema/sources.schema.json"


def test_new_module_without_any_source_creates_a_local_one(tmp_path: Path, capsys):
    scaffold(tmp_path, "first-module")
    out = capsys.readouterr().out
    assert "created curriculum/sources/local.yml" in out
    project, diags = check(tmp_path)
    assert [d.format() for d in diags if d.severity == "error"] == []
    assert [s.id for s in project.sources] == ["local-notes"]
    assert project.modules[0].sources[0].ref == "local-notes"
    # A second module cites the same source instead of creating another file.
    scaffold(tmp_path, "second-module")
    assert "local.yml" not in capsys.readouterr().out
    assert [d for d in check(tmp_path)[1] if d.severity == "error"] == []


def test_new_refuses_existing_and_bad_ids(repo: Path, capsys):
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*"))
    alpha = (repo / "modules/alpha/module.yml").read_bytes()
    assert main(["new", "module", "alpha", "--path", str(repo)]) == 1
    assert "modules/alpha already exists" in capsys.readouterr().err
    assert (repo / "modules/alpha/module.yml").read_bytes() == alpha
    for bad in ("Safe_Referrals", "-dash-first", "has space", "x" * 64, "ümlaut"):
        assert main(["new", "module", "--path", str(repo), "--", bad]) == 1
        err = " ".join(capsys.readouterr().err.split())
        assert "is not a valid module id" in err and "lower-case letters, digits and '-'" in err
        assert "Traceback" not in err
    assert main(["new", "workshop", "demo", "--path", str(repo)]) == 1
    assert "curriculum/demo.yml already exists" in capsys.readouterr().err
    assert main(["new", "workshop", "glossary", "--path", str(repo)]) == 1
    assert "reserved" in capsys.readouterr().err
    assert main(["new", "workshop", "Bad.Id", "--path", str(repo)]) == 1
    assert "is not a valid workshop id" in capsys.readouterr().err
    assert main(["new", "workshop", "fine-id", "--module", "no-such", "--path", str(repo)]) == 1
    assert "no valid module 'no-such'" in capsys.readouterr().err
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")) == before


def test_new_workshop_without_modules_is_valid(tmp_path: Path):
    assert main(["new", "workshop", "empty-event", "--title", "An empty event", "--path", str(tmp_path)]) == 0
    project, diags = check(tmp_path)
    assert [d.format() for d in diags] == []
    assert project.workshops[0].title == "An empty event"


def test_long_workshop_is_split_into_days_with_breaks(repo: Path):
    for i in range(10):
        scaffold(repo, f"extra-{i}")
    assert main(["new", "workshop", "long", "--path", str(repo), "--module", "alpha", "--module", "beta",
                 *[a for i in range(10) for a in ("--module", f"extra-{i}")]]) == 0
    project, diags = check(repo)
    assert [d.format() for d in diags] == []  # no overrun, no stretch over two hours without a break
    days = next(w for w in project.workshops if w.id == "long").days
    assert len(days) == 2
    assert all(any(slot.break_ for slot in day.slots) for day in days)
    assert sum(1 for day in days for slot in day.slots if slot.session) == 14  # every session, once


# --------------------------------------------------------------------------------------------
# check on a scaffolded-then-broken module: text, json and github formats


def broken(repo: Path) -> dict[str, tuple[str, int, int]]:
    """Scaffold two modules and break each; return the expected (path, line, col) per problem."""
    scaffold(repo, "safe-referrals")
    scaffold(repo, "second-module")
    first = repo / NEW
    first.write_text(first.read_text(encoding="utf-8").replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    second = repo / "modules/second-module/module.yml"
    text = second.read_text(encoding="utf-8").replace("    minutes: 30\n", "    minutes: 45\n", 1)
    second.write_text(text, encoding="utf-8")
    return {
        "typo": (NEW, line_of(first, "titel:"), 1),
        "minutes": ("modules/second-module/module.yml", line_of(second, "    minutes: 45"), 5),
    }


def test_broken_scaffold_reports_errors_with_place(repo: Path, capsys):
    where = broken(repo)
    capsys.readouterr()
    assert main(["check", str(repo), "--format", "text"]) == 1
    out = capsys.readouterr().out
    path, line, col = where["typo"]
    assert f"{path}:{line}:{col}: titel: unknown key 'titel' (did you mean 'title'?)" in out
    path, line, col = where["minutes"]
    assert (f"{path}:{line}:{col}: sessions[0].minutes: session is 45 minutes but its activities add up to 30 (30) "
            "(set minutes: 30 or change the activities)") in out
    # The offending line is shown with a caret under it.
    assert f"{line:>4} |     minutes: 45" in out
    # The misspelt key also leaves 'title' missing: reported at the top of the file's keys (its first
    # key, below the comments).
    top = line_of(repo / NEW, "id: safe-referrals")
    assert top > 1
    assert f"{NEW}:{top}:1: title: missing required key 'title' (add it)" in out
    assert "3 error(s)" in out and "Traceback" not in out


def test_broken_scaffold_json_and_github_formats(repo: Path, capsys):
    where = broken(repo)
    capsys.readouterr()
    assert main(["check", str(repo), "--format", "json"]) == 1
    records = json.loads(capsys.readouterr().out)
    by_key = {r["key"]: r for r in records}
    assert set(by_key) == {"titel", "title", "sessions[0].minutes"}
    typo = by_key["titel"]
    assert (typo["path"], typo["line"], typo["col"]) == where["typo"]
    assert typo["severity"] == "error" and typo["hint"] == "did you mean 'title'?"
    minutes = by_key["sessions[0].minutes"]
    assert (minutes["path"], minutes["line"], minutes["col"]) == where["minutes"]
    assert "activities add up to 30" in minutes["message"]

    assert main(["check", str(repo), "--format", "github"]) == 1
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    pattern = re.compile(r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+)::(.+)$")
    parsed = [pattern.match(ln) for ln in lines]
    assert all(parsed), lines
    got = {(m.group(2), int(m.group(3)), int(m.group(4))): m.group(5) for m in parsed if m}
    assert got[where["typo"]].startswith("titel: unknown key 'titel'")
    assert "session is 45 minutes" in got[where["minutes"]]
    assert {m.group(1) for m in parsed if m} == {"error"}


# --------------------------------------------------------------------------------------------
# stats


def test_stats_json_and_table(repo: Path, capsys):
    scaffold(repo)
    capsys.readouterr()
    assert main(["stats", str(repo), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    mods = {m["id"]: m for m in data["modules"]}
    assert set(mods) == {"alpha", "beta", "safe-referrals"}
    new = mods["safe-referrals"]
    assert (new["minutes_core"], new["minutes_full"], new["sessions"], new["activities"], new["items"], new["handouts"]) \
        == (30, 30, 1, 1, 1, 1)
    assert (mods["alpha"]["minutes_core"], mods["alpha"]["minutes_full"]) == (95, 105)
    assert new["words_participant"] > 50 and new["words_facilitator"] > 20
    assert dt.date.fromisoformat(new["last_changed"]) and new["last_changed_from"] in ("git", "mtime")
    # Closed-door text counts as participant text (restricted pack), facilitator-only text does not.
    assert mods["beta"]["words_participant"] > 0
    assert data["totals"]["modules"] == 3 and data["totals"]["minutes_full"] == 195
    demo = data["workshops"][0]
    assert demo["id"] == "demo"
    day = demo["days"][0]
    assert (day["available"], day["teaching"], day["breaks"], day["programme"], day["spare"]) == (210, 165, 15, 15, 15)
    assert data["errors"] == 0

    assert main(["stats", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "safe-referrals" in out and "Workshop demo" in out
    assert re.search(r"alpha\s*│\s*95\s*│\s*105\s*│\s*2\s*│", out)
    assert "3:30" in out and "2:45" in out  # available vs teaching time of the demo day


def test_stats_word_counts_follow_the_audience_gate(repo: Path, capsys):
    yml = repo / "modules/beta/module.yml"
    before = json.loads((main(["stats", str(repo), "--format", "json"]), capsys.readouterr().out)[1])
    text = yml.read_text(encoding="utf-8").replace(
        "        participant: Share experiences", "        facilitator: one two three four five\n"
        "        participant: Share experiences", 1)
    yml.write_text(text, encoding="utf-8")
    after = json.loads((main(["stats", str(repo), "--format", "json"]), capsys.readouterr().out)[1])
    b = {m["id"]: m for m in before["modules"]}["beta"]
    a = {m["id"]: m for m in after["modules"]}["beta"]
    assert a["words_participant"] == b["words_participant"]
    assert a["words_facilitator"] == b["words_facilitator"] + 5


# --------------------------------------------------------------------------------------------
# serve: the regeneration step


def test_regenerate_keeps_previous_pages_on_invalid_edit(repo: Path):
    out = repo / "build"
    ok, diags = regenerate(repo, "participant", out)
    assert ok and diags == []
    gen = gen_dir(out, "participant")
    page = gen / "docs/modules/alpha/opening.md"
    assert (gen / "mkdocs.yml").is_file() and "Opening a first conversation" in page.read_text(encoding="utf-8")
    snapshot = {p: p.read_bytes() for p in gen.rglob("*") if p.is_file()}

    yml = repo / "modules/alpha/module.yml"
    good = yml.read_text(encoding="utf-8")
    # An invalid edit: the new title would show, but the minutes no longer add up and a key is misspelt.
    bad = (good.replace("title: Opening a first conversation", "title: Opening, revised", 1)
           .replace("    minutes: 45\n", "    minutes: 50\n", 1)
           .replace("    content_warning:", "    content_warnng:", 1))
    yml.write_text(bad, encoding="utf-8")
    ok, diags = regenerate(repo, "participant", out)
    assert not ok
    assert any(d.path == "modules/alpha/module.yml" and d.line == line_of(yml, "content_warnng:")
               and "unknown key 'content_warnng'" in d.message for d in diags), diags
    assert {p: p.read_bytes() for p in gen.rglob("*") if p.is_file()} == snapshot  # nothing touched

    yml.write_text(bad.replace("content_warnng:", "content_warning:"), encoding="utf-8")
    ok, diags = regenerate(repo, "participant", out)
    assert not ok
    assert [(d.line, d.key) for d in diags] == [(line_of(yml, "    minutes: 50"), "sessions[0].minutes")]
    assert {p: p.read_bytes() for p in gen.rglob("*") if p.is_file()} == snapshot

    # Broken YAML is reported too, never raised.
    yml.write_text(good.replace("sessions:\n", "sessions:\n  - id: [\n", 1), encoding="utf-8")
    ok, diags = regenerate(repo, "participant", out)
    assert not ok and diags and diags[0].path == "modules/alpha/module.yml" and diags[0].line > 0

    # A valid edit updates the page (and only what changed).
    yml.write_text(good.replace("title: Opening a first conversation", "title: Opening, revised", 1), encoding="utf-8")
    messages: list[str] = []
    ok, diags = regenerate(repo, "participant", out, log=messages.append)
    assert ok and diags == []
    assert "# Opening, revised" in page.read_text(encoding="utf-8")
    assert messages and "file(s) updated" in messages[0]


def test_regenerate_markdown_and_facilitator_edition(repo: Path):
    out = repo / "build"
    assert regenerate(repo, "facilitator", out)[0]
    docs = gen_dir(out, "facilitator") / "docs"
    assert (docs / "editor-guide.md").is_file()
    intro = repo / "modules/alpha/intro.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\n/// facilitator\nUnclosed block\n", encoding="utf-8")
    ok, diags = regenerate(repo, "facilitator", out)
    assert not ok and any(d.path == "modules/alpha/intro.md" and d.line > 0 for d in diags)
    intro.write_text(intro.read_text(encoding="utf-8") + "///\n", encoding="utf-8")
    ok, _ = regenerate(repo, "facilitator", out)
    assert ok and "Unclosed block" in (docs / "modules/alpha/opening.md").read_text(encoding="utf-8")
    # The participant edition is a separate folder and never gets the facilitator block.
    assert regenerate(repo, "participant", out)[0]
    assert "Unclosed block" not in (gen_dir(out, "participant") / "docs/modules/alpha/opening.md").read_text(encoding="utf-8")


def test_watcher_sees_saves_and_ignores_other_files(repo: Path):
    assert is_watched(repo / "modules/alpha/module.yml", repo)
    assert is_watched(repo / "mkdocs.yml", repo)
    assert is_watched(repo / "seeds/seed-one.yml", repo)
    assert not is_watched(repo / "build/.gen/participant/docs/index.md", repo)
    assert not is_watched(repo / "modules/alpha/.module.yml.swp", repo)
    assert not is_watched(repo / "README.md", repo)
    fired = threading.Event()
    batches: list[list[str]] = []

    def on_change(paths: list[str]) -> None:
        batches.append(paths)
        fired.set()

    watcher = Watcher(repo, on_change, debounce=0.1)
    watcher.start()
    try:
        time.sleep(0.1)
        (repo / "build").mkdir()
        (repo / "build/ignored.md").write_text("x")
        intro = repo / "modules/alpha/intro.md"
        intro.write_text(intro.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        assert fired.wait(5)
    finally:
        watcher.stop()
    assert any(str(intro) in batch for batch in batches)
    assert not any("ignored.md" in p for batch in batches for p in batch)


def test_watcher_picks_up_a_content_folder_created_while_serving(tmp_path: Path):
    (tmp_path / "modules").mkdir()
    seen: list[str] = []
    fired = threading.Event()

    def on_change(paths: list[str]) -> None:
        seen.extend(paths)
        if any(p.endswith("new-seed.yml") for p in paths):
            fired.set()

    watcher = Watcher(tmp_path, on_change, debounce=0.05)
    watcher.start()
    try:
        (tmp_path / "seeds").mkdir()
        # Whether the save lands before or after the new folder's watch begins, it is seen.
        (tmp_path / "seeds/new-seed.yml").write_text("id: new-seed\n", encoding="utf-8")
        assert fired.wait(5), seen
    finally:
        watcher.stop()


def test_serve_command_line():
    args = build_parser().parse_args(["serve", "some/where", "--audience", "facilitator", "--port", "8123"])
    assert (args.path, args.audience, args.port, args.host) == ("some/where", "facilitator", 8123, "127.0.0.1")


# --------------------------------------------------------------------------------------------
# Schemas, the editor's guide and the VS Code wiring


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schemas_match_the_model(name: str):
    committed = (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(name), f"run `workshopkit schema` to regenerate {name}.schema.json"


def test_every_field_has_a_description_and_is_in_the_guide():
    guide = editor_guide()
    sections = dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |^## |\Z)", guide, flags=re.M | re.S))
    missing_description, missing_in_guide = [], []
    for cls in all_models():
        assert cls.__name__ in sections, f"no section for {cls.__name__} in the editor's guide"
        for key, info in field_rows(cls):
            if not (info.description or "").strip():
                missing_description.append(f"{cls.__name__}.{key}")
            if f"| `{key}` |" not in sections[cls.__name__]:
                missing_in_guide.append(f"{cls.__name__}.{key}")
    assert missing_description == []
    assert missing_in_guide == []
    assert {"Module", "Session", "Activity", "Handout", "AssessmentItem", "Workshop", "Slot"} <= set(sections)


def test_vscode_settings_map_every_content_file_to_its_schema():
    settings = json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))
    extensions = json.loads((ROOT / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]
    mapping = settings["yaml.schemas"]
    for schema in mapping:
        assert (ROOT / schema).is_file(), schema

    def matches(rel: str, glob: str) -> bool:  # '*' stays inside one folder, as in VS Code
        return re.fullmatch(re.escape(glob).replace(r"\*", "[^/]*"), rel) is not None

    def schema_for(rel: str) -> list[str]:
        found = []
        for schema, globs in mapping.items():
            globs = [globs] if isinstance(globs, str) else globs
            include = any(matches(rel, g) for g in globs if not g.startswith("!"))
            exclude = any(matches(rel, g[1:]) for g in globs if g.startswith("!"))
            if include and not exclude:
                found.append(Path(schema).name)
        return found

    assert schema_for("modules/psychological-first-aid/module.yml") == ["module.schema.json"]
    assert schema_for("curriculum/some-workshop.yml") == ["workshop.schema.json"]
    assert schema_for("curriculum/glossary.yml") == ["glossary.schema.json"]
    assert schema_for("curriculum/sources/core.yml") == ["sources.schema.json"]
    assert schema_for("seeds/seed-x.yml") == ["source.schema.json"]


def test_every_object_of_the_editors_guide_has_a_yaml_example_that_the_schema_accepts():
    from workshopkit.guide import all_models, editor_guide
    from workshopkit.guide_examples import EXAMPLES
    from workshopkit.yamlload import parse

    guide = editor_guide()
    for cls in all_models():
        example = EXAMPLES[cls.__name__]
        cls.model_validate(parse(example, "example.yml").data)  # as the loader reads a file
        section = guide.split(f"### {cls.__name__}\n", 1)[1].split("\n### ", 1)[0]
        assert f"```yaml\n{example}```" in section, cls.__name__
