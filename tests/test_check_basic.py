from __future__ import annotations

from pathlib import Path

import pytest

from workshopkit.check import check
from workshopkit.cli import main

from conftest import FIXTURES, ROOT


def test_fixture_is_clean():
    project, diags = check(FIXTURES / "mini")
    assert [d for d in diags if d.severity == "error"] == []
    assert [m.id for m in project.modules] == ["alpha", "beta"]
    alpha = project.module("alpha")
    assert alpha is not None
    # Markdown files named from YAML are read in.
    assert "first minutes of a conversation" in alpha.sessions[0].activities[0].participant
    assert "Lin arrived" in alpha.handouts[0].body


def test_repository_content_is_clean(capsys):
    assert main(["check", str(ROOT)]) == 0
    assert "ok:" in capsys.readouterr().out


def test_check_reports_every_problem_with_place(mini: Path, capsys):
    yml = mini / "modules/alpha/module.yml"
    text = yml.read_text().replace("answer: b\n", "answer: d\n").replace("handout: case-lin", "handout: case-lim")
    yml.write_text(text)
    assert main(["check", str(mini)]) == 1
    out = capsys.readouterr().out
    assert "modules/alpha/module.yml:107:5: assessment[0].answer: answer 'd' is not one of the options" in out
    assert "sessions[0].activities[1].handout: unknown handout 'case-lim' (did you mean 'case-lin'?)" in out


def test_markdown_rendering_recovers_after_a_text_too_deep_to_render():
    """A converter interrupted mid-way is not reused (it would render later texts wrongly); the
    text is refused with a message, not a traceback."""
    from workshopkit.errors import BuildError
    from workshopkit.markdown import SiteConfig, to_html

    config = SiteConfig(Path("mkdocs.yml"), {"markdown_extensions": ["attr_list"]})
    deep = "".join("    " * i + "- x\n" for i in range(400))
    with pytest.raises(BuildError, match="nested too deeply to render"):
        to_html(deep, config)
    assert 'href="javascript:x()"' in to_html("[a](javascript:x())", config)
