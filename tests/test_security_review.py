"""Holes found by attacking the closed publishing side once more, each closed at its mechanism.

Threats covered here:

- A public module's text linking to a file of a closed-door module: the file (and the hidden
  module's name) would be published.
- Texts in mappings (answer options, source identifiers) escaping every text rule: comments
  printed, raw HTML and hidden links unjudged.
- A heading-per-line run of thousands of lines: rendering time grows with its square.
- List markers written one after the other on one line ('- - - …'): nesting the renderer cannot
  finish, which the nesting rule did not count.
- An attribute list in a title: ``check`` passed what the built-page scan refused.
- "See also" naming a glossary term that only hidden material uses.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from workshopkit.audience import view
from workshopkit.cli import main
from workshopkit.load import load_project
from workshopkit.visibility import Audience

from build_helpers import all_files_text, build

ALPHA = "modules/alpha/module.yml"
BETA = "modules/beta/module.yml"
INTRO = "modules/alpha/intro.md"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def _edit(root: Path, rel_path: str, old: str, new: str) -> None:
    path = root / rel_path
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(root)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def _close_beta(root: Path) -> None:
    _edit(root, BETA, 'version: "1.0"', 'version: "1.0"\nvisibility: restricted')
    _edit(root, BETA, "  - id: open-part\n    title: Open overview\n",
          "  - id: open-part\n    title: Open overview\n    visibility: restricted\n    attribution: chatham-house\n")


def test_a_public_text_cannot_publish_a_closed_modules_file(mini: Path, capsys):
    _close_beta(mini)
    (mini / "modules/beta/closedmap.png").write_bytes(PNG)
    (mini / "modules/beta/closed-minutes.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    with (mini / INTRO).open("a", encoding="utf-8") as f:
        f.write("\n![map of the area](../beta/closedmap.png) and [the minutes](../beta/closed-minutes.pdf).\n")
    code, out = _check(mini, capsys)
    assert code == 1
    assert out.count("belongs to the module 'beta', which fewer people may see than this text") == 2, out


def test_the_site_copies_files_only_from_modules_its_audience_sees(mini: Path):
    from workshopkit.markdown import load_site_config
    from workshopkit.site.generate import SiteGenerator

    _close_beta(mini)
    (mini / "modules/beta/closedmap.png").write_bytes(PNG)
    project, _ = load_project(mini)
    gen = SiteGenerator(view(project, Audience("participant")), load_site_config(mini), mini)
    page = gen.md("![map](repo:modules/beta/closedmap.png)", "modules/alpha/index.md")
    assert "closedmap.png" not in page and gen.files.copies == {}


def test_texts_in_mappings_are_checked_and_cleaned(mini: Path, capsys):
    _edit(mini, ALPHA, "      a: Detailed questions about the journey",
          "      a: Detailed questions <!-- CANARY-OPTION answer is b --> about the journey")
    assert _check(mini, capsys)[0] == 0
    build(mini, site=False)
    texts = all_files_text(mini / "build" / "pdf")
    assert [p for p, t in texts.items() if "CANARY-OPTION" in t] == []
    assert any("Detailed questions" in t for t in texts.values())
    _edit(mini, ALPHA, "      a: Detailed questions <!-- CANARY-OPTION answer is b --> about the journey",
          "      a: Detailed <b onmouseover=alert(1)>questions</b> [r](../../events/roster.csv)")
    code, out = _check(mini, capsys)
    assert code == 1 and "assessment[0].options.a" in out
    assert "event-handler" in out and "links to files are not followed here" in out


def test_a_long_run_of_headings_is_refused_at_once(mini: Path, capsys):
    with (mini / INTRO).open("a", encoding="utf-8") as f:
        f.write("\n\n" + "# h\n" * 25_000)
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(["check", str(mini)])), daemon=True)
    worker.start()
    worker.join(60)  # a bound on a hang, not a speed target
    assert result == [1]
    assert "more than 500 lines without a blank line" in capsys.readouterr().out


@pytest.mark.parametrize("prefix", ["- ", "> - ", "1. ", "* + "])
def test_markers_on_one_line_count_as_nesting(mini: Path, capsys, prefix: str):
    with (mini / INTRO).open("a", encoding="utf-8") as f:
        f.write("\n" + prefix * 450 + "deep [w](https://example.org){: onclick=alert(1) }\n")
    code, out = _check(mini, capsys)
    assert code == 1 and f"{INTRO}:9:1" in out and "nested more than 12 deep" in out


def test_a_text_too_deep_to_render_is_an_error_not_a_traceback():
    from workshopkit.errors import BuildError
    from workshopkit.markdown import SiteConfig, to_html

    config = SiteConfig(Path("mkdocs.yml"), {"markdown_extensions": ["attr_list"]})
    with pytest.raises(BuildError, match="nested too deeply to render"):
        to_html("- " * 3000 + "x", config)


def test_braces_in_a_title_are_refused(mini: Path, capsys):
    _edit(mini, ALPHA, "title: Alpha module on safe first contact", 'title: "Alpha module {: onclick=alert(1) }"')
    code, out = _check(mini, capsys)
    assert code == 1 and f"{ALPHA}:3:" in out and "braces in a heading become HTML attributes" in out


def test_see_also_names_no_hidden_term(mini: Path):
    _close_beta(mini)
    _edit(mini, BETA, "        participant: Share experiences under the Chatham House Rule.",
          "        participant: Share experiences of the Kanzlerwechsel under the Chatham House Rule.")
    glossary = mini / "curriculum" / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        "    source: lib-handbook\n",
        "    source: lib-handbook\n    see_also: [Kanzlerwechsel, Referral]\n", 1)
        + "  - term: Kanzlerwechsel\n    definition: A term only the closed session uses.\n", encoding="utf-8")
    project, diags = load_project(mini)
    assert not [d for d in diags if d.severity == "error"], diags
    participant = view(project, Audience("participant"))
    consent = next(t for t in participant.glossary.terms if t.term == "Consent")
    assert consent.see_also == ["Referral"]
    assert "Kanzlerwechsel" not in [t.term for t in participant.glossary.terms]
    facilitator = view(project, Audience("facilitator", include_restricted=True))
    assert next(t for t in facilitator.glossary.terms if t.term == "Consent").see_also == ["Kanzlerwechsel", "Referral"]


def test_glossary_terms_are_matched_as_words_not_as_parts_of_field_names(mini: Path):
    from workshopkit.audience import uses_term

    assert not uses_term("participant: share experiences", "Art")
    assert uses_term("the art of listening", "Art (of listening)")
    assert uses_term("상담에서 동의를 구합니다", "동의")
    _close_beta(mini)
    _edit(mini, BETA, "        participant: Share experiences under the Chatham House Rule.",
          "        participant: Share the art of experiences under the Chatham House Rule.")
    glossary = mini / "curriculum" / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8")
                        + "  - term: Art\n    definition: A term only the closed session uses.\n", encoding="utf-8")
    project, _ = load_project(mini)
    assert "Art" not in [t.term for t in view(project, Audience("participant")).glossary.terms]
    assert "Art" in [t.term for t in view(project, Audience("facilitator", include_restricted=True)).glossary.terms]


def test_an_include_extension_under_another_spelling_is_refused(mini: Path, capsys):
    (mini / "mkdocs.yml").write_text("site_name: T\nmarkdown_extensions:\n  - pymdownx.snippets:SnippetExtension:\n"
                                     "      base_path: ['.']\n  - markdown.extensions.toc\n", encoding="utf-8")
    code, out = _check(mini, capsys)
    assert code == 1 and "mkdocs.yml:3:5" in out and "includes files while pages render" in out
    assert "markdown.extensions.toc" not in out  # another spelling of an allowed extension


def test_an_extension_named_in_the_repository_is_never_imported(mini: Path, capsys, monkeypatch):
    (mini / "wkprobe.py").write_text("import pathlib\npathlib.Path(__file__).with_name('RAN').write_text('x')\n",
                                     encoding="utf-8")
    (mini / "mkdocs.yml").write_text("site_name: T\nmarkdown_extensions:\n  - wkprobe\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(mini))
    code, out = _check(mini, capsys)
    assert code == 1 and "the Markdown extension 'wkprobe' cannot be loaded" in out
    assert not (mini / "RAN").exists()


def test_a_comment_the_loader_took_for_code_is_refused(mini: Path, capsys):
    with (mini / INTRO).open("a", encoding="utf-8") as f:
        f.write("\nDiscuss one more example.\n    ```\n<!-- facilitator: the answer is B -->\n```\n")
    code, out = _check(mini, capsys)
    assert code == 1 and "an HTML comment would reach the page's source" in out


def test_a_deep_line_inside_code_does_not_switch_off_the_rendered_checks(mini: Path, capsys):
    with (mini / INTRO).open("a", encoding="utf-8") as f:
        f.write("\n```\n" + "> " * 14 + "deep\n```\n\n[click](https://example.org){: onclick=\"alert(1)\" }\n")
    code, out = _check(mini, capsys)
    assert code == 1 and "event-handler" in out


@pytest.mark.parametrize("line", ["!!! note \"Ask your trainer\"", "??? question \"Why did the organisers pick this venue?\"",
                                  "<input type=\"hidden\">", ".card { overflow: hidden; }", "`/// facilitator: x`",
                                  "and/or, 2024/25, A/B/C", "{ person.say(\"hi\") }"])
def test_ordinary_text_is_not_taken_for_a_marker(line: str):
    from workshopkit.blocks import lookalikes

    assert lookalikes(line) == []
    assert lookalikes("```\n/// Adds two numbers\n!!! facilitator\n```") == []
