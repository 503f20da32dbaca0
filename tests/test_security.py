"""Publishing holes a hostile or careless contributor could open, each closed at its mechanism.

Threats covered here (the numbers follow the security review of the publishing side):

1. Files published through hidden links: a link inside another link's title, a link the
   checker and the rewriter read differently, a symbolic link to the build machine's files, an
   author-written ``repo:`` target climbing out of the build folder. Only files the model
   declares or a checked link points to, inside a module folder and not through a symbolic link,
   are ever copied; one reader of link syntax serves ``check``, the loader and the publishers.
6. A gate that failed open on lines that look like visibility markers but are not.
7. A facilitator-only handout's file reused as participant text.
8. Render-time includes (snippets) that would run after the audience gate.
9. Closed-door structure showing through prerequisites, objectives and glossary terms.
10. HTML comments reaching the page source and the print.
12. Build-machine paths in participant PDFs.
16. Pathological Markdown that makes rendering quadratic.

A property test generates Markdown with nested links, titles, code spans, attribute lists,
raw HTML and deep nesting, and asserts that whatever ``check`` accepts renders, through the
publishers' own path, to HTML that the post-build rules accept too (one judgement, two places).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshopkit import links
from workshopkit.check import check_rendered, check_text
from workshopkit.cli import main
from workshopkit.errors import BuildError
from workshopkit.htmlsafety import scan_fragment
from workshopkit.load import TextRef, load_project
from workshopkit.markdown import load_site_config, to_html

from build_helpers import all_files_text, build
from conftest import ROOT

INTRO = "modules/alpha/intro.md"
ROSTER_CANARY = "+82-10-1234-5678"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def _append(root: Path, rel_path: str, text: str) -> None:
    path = root / rel_path
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(root)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def _every_output(root: Path) -> dict[Path, str]:
    """Every file of the build as text, and every member of every zip."""
    texts = all_files_text(root / "build")
    for path in list(texts):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    texts[Path(f"{path}!{name}")] = zf.read(name).decode("utf-8", errors="replace")
    return texts


# --------------------------------------------------------------------------------------------
# 1. Files published through hidden links


def test_links_hidden_in_titles_publish_no_file(mini: Path, capsys):
    (mini / "events").mkdir()
    (mini / "events" / "roster.csv").write_text(f"Kim,{ROSTER_CANARY}\n", encoding="utf-8")
    _append(mini, INTRO, '\nSee [g](https://example.org/ "`x`![r](../../events/roster.csv)") and '
                         '[m](https://example.org/ "`x`[m](module.yml)").\n')
    code, out = _check(mini, capsys)
    assert code == 0, out  # both are titles of links to example.org: harmless text
    build(mini, zip=True)
    outputs = _every_output(mini)
    names = {p.name.rsplit("!", 1)[-1].rsplit("/", 1)[-1] for p in outputs}
    assert "roster.csv" not in names and "module.yml" not in names
    leaked = [str(p) for p, text in outputs.items() if ROSTER_CANARY in text or "text: Demonstrate a calm opening" in text]
    assert leaked == []
    page = (mini / "build/site/participant/modules/alpha/opening.html").read_text(encoding="utf-8")
    assert 'title="x![r](../../events/roster.csv)"' in page  # what the renderer made of it: a title


def test_check_and_rewriter_read_the_same_links():
    text = ('[a](https://example.org/ "`x`![r](../../events/roster.csv)") `[c](code.pdf)` '
            '[![i](images/pic.png)](form.pdf) [d](<e.pdf> "t")\n\n```\n[f](fence.pdf)\n```\n[r]: ref.pdf "title"\n')
    found = [(link.target, link.image, link.definition) for link in links.find(text)]
    assert found == [("https://example.org/", False, False), ("form.pdf", False, False),
                     ("images/pic.png", True, False), ("e.pdf", False, False), ("ref.pdf", False, True)]
    base, root = Path("/repo/modules/alpha"), Path("/repo")
    normalised = links.normalise(text, base, root)
    rewritten = [link.target for link in links.find(normalised) if link.target.startswith(links.PREFIX)]
    assert rewritten == ["repo:modules/alpha/form.pdf", "repo:modules/alpha/images/pic.png",
                         "repo:modules/alpha/e.pdf", "repo:modules/alpha/ref.pdf"]
    assert "../../events/roster.csv" in normalised and "[c](code.pdf)" in normalised and "[f](fence.pdf)" in normalised


def test_publishable_refuses_everything_but_module_files(mini: Path):
    alpha = mini / "modules" / "alpha"
    (alpha / "images").mkdir()
    (alpha / "images" / "pic.png").write_bytes(PNG)
    (alpha / "form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (mini / "events").mkdir()
    (mini / "events" / "list.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    os.symlink("/etc", alpha / "sys")
    os.symlink(alpha / "form.pdf", alpha / "alias.pdf")
    assert links.publishable(mini, "modules/alpha/images/pic.png") == alpha / "images" / "pic.png"
    assert links.publishable(mini, "modules/alpha/form.pdf") == alpha / "form.pdf"
    for refused in ("modules/alpha/module.yml", "modules/alpha/intro.md", "events/list.pdf",
                    "modules/alpha/../../events/list.pdf", "../../../../etc/hostname", "/etc/hostname",
                    "modules/alpha/sys/os-release", "modules/alpha/alias.pdf", "modules/alpha/images",
                    "modules/alpha/missing.pdf", "modules/x.pdf"):
        assert links.publishable(mini, refused) is None, refused


def test_a_symbolic_link_in_a_content_folder_is_refused(mini: Path, capsys):
    os.symlink("/etc", mini / "modules" / "alpha" / "sys")
    _append(mini, INTRO, '\nSee [g](https://example.org/ "`x`[h](sys/os-release)").\n')
    code, out = _check(mini, capsys)
    assert code == 1
    assert "modules/alpha/sys: symbolic links are not allowed in content folders" in out
    assert main(["build", str(mini)]) == 1
    assert not (mini / "build" / "site").exists()


def test_a_symbolic_link_is_never_read(mini: Path, capsys):
    outside = mini.parent / "outside.md"
    outside.write_text("SECRET-OUTSIDE-FILE\n", encoding="utf-8")
    (mini / "modules" / "alpha" / "intro.md").unlink()
    os.symlink(outside, mini / "modules" / "alpha" / "intro.md")
    code, out = _check(mini, capsys)
    assert code == 1 and "modules/alpha/intro.md: symbolic links are not allowed" in out
    project, _ = load_project(mini)
    assert "SECRET-OUTSIDE-FILE" not in project.modules[0].model_dump_json()


def test_author_written_repo_targets_are_refused_and_never_written(mini: Path, capsys):
    _append(mini, INTRO, "\n[host](repo:../../../../etc/hostname) ![i](repo:modules/alpha/module.yml)\n")
    code, out = _check(mini, capsys)
    assert code == 1
    assert out.count("links with the scheme 'repo:' are not allowed") >= 1


def test_a_hidden_repo_target_writes_nothing_outside_the_build(tmp_path: Path, capsys):
    root = tmp_path / "deep" / "er" / "mini"
    import shutil
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", root)
    _append(root, INTRO, '\nSee [g](https://example.org/ "`x`[h](repo:../../../../hostname)").\n')
    before = {p for p in tmp_path.rglob("*")}
    assert main(["build", str(root), "--site"]) == 0
    capsys.readouterr()
    after = {p for p in tmp_path.rglob("*")}
    outside = [p for p in after - before if not p.is_relative_to(root / "build")]
    assert outside == []


def test_links_the_renderer_makes_but_the_reader_cannot_see_are_refused(mini: Path, capsys):
    alpha = mini / "modules" / "alpha"
    (alpha / "form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    _append(mini, INTRO, '\n[a](https://example.org/){: href="module.yml" }\n\n<a href="form.pdf">raw</a>\n')
    code, out = _check(mini, capsys)
    assert code == 1
    assert out.count("is not written as a Markdown link that can be checked") == 2, out


def test_checked_files_are_published_and_nothing_else(mini: Path, capsys):
    alpha = mini / "modules" / "alpha"
    (alpha / "images").mkdir()
    (alpha / "images" / "pic.png").write_bytes(PNG)
    (alpha / "form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (alpha / "notes.txt").write_text("NOT-FOR-PUBLICATION\n", encoding="utf-8")
    _append(mini, INTRO, "\n![A red dot](images/pic.png) and [the form](form.pdf).\n")
    assert _check(mini, capsys)[0] == 0
    build(mini)
    site = mini / "build" / "site" / "participant"
    assert (site / "modules/alpha/images/pic.png").read_bytes() == PNG
    assert (site / "modules/alpha/form.pdf").is_file()
    copied = {p.relative_to(site).as_posix() for p in (site / "modules").rglob("*") if p.is_file()
              and p.suffix not in (".html",)}
    assert copied == {"modules/alpha/images/pic.png", "modules/alpha/form.pdf"}


def test_a_link_to_an_unpublished_kind_of_file_is_refused(mini: Path, capsys):
    (mini / "modules" / "alpha" / "notes.txt").write_text("x\n", encoding="utf-8")
    _append(mini, INTRO, "\n[notes](notes.txt) [def][n]\n\n[n]: module.yml\n")
    code, out = _check(mini, capsys)
    assert code == 1
    assert "'notes.txt' is not a file that is published" in out
    assert "'module.yml' is not a file that is published" in out


# --------------------------------------------------------------------------------------------
# 12. Build-machine paths in participant PDFs


def test_print_links_to_module_files_never_name_the_build_machine(mini: Path, capsys, monkeypatch):
    import pikepdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (mini / "mkdocs.yml").write_text("site_name: T\nsite_url: https://manual.protection-training.org/\n", encoding="utf-8")
    alpha = mini / "modules" / "alpha"
    (alpha / "images").mkdir()
    (alpha / "images" / "pic.png").write_bytes(PNG)
    (alpha / "form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    _append(mini, INTRO, "\n![A red dot](images/pic.png) and [the form](form.pdf).\n")
    build(mini)
    pdfs = sorted((mini / "build" / "pdf").rglob("*.pdf"))
    assert pdfs
    form_links = 0
    for path in pdfs:
        raw = path.read_bytes()
        assert str(mini).encode() not in raw and b"file:" not in raw, path
        with pikepdf.open(path) as pdf:
            assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {}), path
            uris = [str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", [])
                    if "/A" in a and "/URI" in a.A]
            form_links += uris.count("https://manual.protection-training.org/modules/alpha/form.pdf")
            assert all(not a.get("/Subtype") == "/FileAttachment" for page in pdf.pages for a in page.get("/Annots", []))
            assert str(pdf.docinfo.get("/CreationDate", "D:2023")).startswith("D:2023"), path
    assert form_links >= 2  # the workbook and the facilitator guide print the module's text


def test_print_refuses_a_link_that_no_checked_link_made(mini: Path):
    from workshopkit.pdf.html import PrintGenerator
    from workshopkit.strings import load_strings

    gen = PrintGenerator(load_site_config(mini), load_strings("en"), mini, mini / "build" / ".cache" / "assets")
    with pytest.raises(BuildError, match="no checked link made"):
        gen.md('<a href="../../events/roster.csv">x</a>', 1)
    assert "href" not in str(gen.md("[form](repo:modules/alpha/missing.pdf)", 1))


# --------------------------------------------------------------------------------------------
# One judgement, two places: what check accepts, the publishers' path renders safely


_FILES = ("form.pdf", "images/pic.png", "module.yml", "intro.md", "handouts/case-lin.md", "../beta/module.yml",
          "../../events/roster.csv", "repo:../../x", "https://example.org/a", "javascript:alert(1)",
          "#top", "missing.pdf", "<form.pdf>", "data:text/html,x", "sys/os-release")
_atoms = st.one_of(
    st.sampled_from(["text", "`code`", "``a`b``", "\\[", "\\]", "*em*", "<!-- c -->", "&amp;", "&#106;",
                     "{: onclick=x }", '{: href="module.yml" }', "{: .x }", "<span>", "</span>",
                     "<a href=\"module.yml\">", "</a>", "<div>", "</div>", '"', "'", "(", ")", "[", "]", "!"]),
    st.builds(lambda f: f"[l]({f})", st.sampled_from(_FILES)),
    st.builds(lambda f: f"![alt]({f})", st.sampled_from(_FILES)),
    st.builds(lambda f, t: f'[l]({f} "{t}")', st.sampled_from(_FILES),
              st.sampled_from(["t", "`x`[h](module.yml)", "![r](../../events/roster.csv)", "a\"b"])),
    st.builds(lambda f: f"\n\n[ref]: {f}\n\n[x][ref]", st.sampled_from(_FILES)),
)


def _compose(parts: list[str], depth: int, fence: bool) -> str:
    body = " ".join(parts)
    if depth:
        body = "<div>" * depth + "\n\n" + body + "\n\n" + "</div>" * depth
    if fence:
        body = "```\n" + body + "\n```\n" + body
    return body


@pytest.fixture(scope="module")
def property_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    root = tmp_path_factory.mktemp("prop") / "mini"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    alpha = root / "modules" / "alpha"
    (alpha / "images").mkdir()
    (alpha / "images" / "pic.png").write_bytes(PNG)
    (alpha / "form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (root / "events").mkdir()
    (root / "events" / "roster.csv").write_text("x\n", encoding="utf-8")
    os.symlink("/etc", alpha / "sys")
    return root


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_atoms, min_size=1, max_size=8), depth=st.sampled_from([0, 0, 3, 300]),
       fence=st.booleans())
def test_what_check_accepts_renders_to_what_the_publishers_accept(property_repo: Path, parts, depth, fence,
                                                                   record_property):
    root = property_repo
    text = _compose(parts, depth, fence)
    project, _ = load_project(root)
    base = root / "modules" / "alpha"
    ref = TextRef("modules/alpha/intro.md", 1, "", text, base)
    diags: list = []
    check_text(ref, project, diags)
    config = load_site_config(root)
    check_rendered(ref, lambda t: to_html(t, config), diags, root)
    if any(d.severity == "error" for d in diags):
        return
    # Accepted: publish it the way the site generator does and judge the result.
    copied: dict[str, Path] = {}

    def resolve(repo_path: str, anchor: str) -> str | None:
        src = links.publishable(root, repo_path)
        if src is None:
            return None
        copied[repo_path] = src
        return links.relative(repo_path, "modules/alpha/index.md")

    page = links.rewrite(links.normalise(text, base, root), resolve)
    html = to_html(page, config)
    assert scan_fragment(html) == [], (text, html)
    allowed = {links.relative(p, "modules/alpha/index.md") for p in copied}
    assert [u for u in links.stray_urls(html) if u not in allowed] == [], (text, html)
    for repo_path, src in copied.items():
        assert repo_path.startswith("modules/alpha/") and src.resolve().is_relative_to(root / "modules")


# --------------------------------------------------------------------------------------------
# 6. Lines that look like visibility markers but are not: an error, and hidden meanwhile

LOOKALIKES = [
    ("/// facilitator: PRIVATE note", "looks like a block marker but is not one"),
    ("/// facilitator\u00a0\nPRIVATE\n///", "typed with a no-break or invisible space"),
    ("Intro. /// facilitator PRIVATE ///", "a block marker in the middle of a line"),
    ("!!! facilitator\n    PRIVATE", "an admonition is shown to everyone"),
    ('??? facilitator "Notes"\n    PRIVATE', "an admonition is shown to everyone"),
    ("::: facilitator\nPRIVATE\n:::", "a fenced div is shown to everyone"),
    ('<div class="facilitator">PRIVATE</div>', "an HTML class does not hide text"),
    ("PRIVATE\n{: .facilitator }", "an attribute list does not hide text"),
    ("//// restricted\nPRIVATE\n////", "looks like a block marker but is not one"),
    ("\uff0f\uff0f\uff0f facilitator\nPRIVATE\n\uff0f\uff0f\uff0f", "looks like a block marker but is not one"),
    ("\u2215\u2215\u2215 facilitator\nPRIVATE\n\u2215\u2215\u2215", "looks like a block marker but is not one"),
    ("/ / / facilitator\nPRIVATE\n/ / /", "looks like a block marker but is not one"),
    ("\\\\\\ facilitator\nPRIVATE\n\\\\\\", "looks like a block marker but is not one"),
    ("// facilitator\nPRIVATE\n//", "looks like a block marker but is not one"),
    ('!!! note "Facilitator notes"\n    PRIVATE', "whatever its title says"),
    ('??? tip "For trainers"\n    PRIVATE', "whatever its title says"),
    ('<div hidden markdown="1">\nPRIVATE\n</div>', "the 'hidden' attribute does not keep text from participants"),
    ("PRIVATE\n{: hidden }", "the 'hidden' attribute does not keep text from participants"),
]


@pytest.mark.parametrize("snippet, message", LOOKALIKES, ids=[m for _, m in LOOKALIKES])
def test_marker_lookalikes_are_errors_and_never_shown(mini: Path, capsys, snippet: str, message: str):
    from workshopkit.blocks import gate
    from workshopkit.visibility import Audience

    _append(mini, INTRO, "\n" + snippet + "\n")
    code, out = _check(mini, capsys)
    assert code == 1 and message in out, out
    assert f"{INTRO}:9:" in out or f"{INTRO}:10:" in out or f"{INTRO}:11:" in out, out
    text = (mini / INTRO).read_text(encoding="utf-8")
    assert "PRIVATE" not in gate(text, Audience("participant").allowed)
    assert "PRIVATE" in gate(text, Audience("facilitator").allowed)


def test_a_block_folded_by_yaml_is_an_error(mini: Path, capsys):
    module = mini / "modules" / "alpha" / "module.yml"
    text = module.read_text(encoding="utf-8")
    folded = "summary: >\n  Public part.\n  /// facilitator\n  FOLDED-PRIVATE\n  ///\naim:"
    module.write_text(text.replace("summary: |\n  A small module used by the tests. It covers first contact with a "
                                   "person who may\n  need protection.\naim:", folded), encoding="utf-8")
    assert "FOLDED-PRIVATE" in module.read_text(encoding="utf-8")
    code, out = _check(mini, capsys)
    assert code == 1 and "modules/alpha/module.yml:5:" in out and "middle of a line" in out, out


def test_a_list_of_texts_is_checked_and_gated_like_any_text(mini: Path, capsys):
    module = mini / "modules" / "alpha" / "module.yml"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("  - Consent comes first.\n",
                                   "  - Consent comes first. <script>alert(1)</script>\n"), encoding="utf-8")
    code, out = _check(mini, capsys)
    assert code == 1 and "modules/alpha/module.yml:19:" in out and "raw HTML <script> is not allowed" in out


# --------------------------------------------------------------------------------------------
# 7. One file, one place, one visibility


def test_a_handout_file_reused_as_participant_text_is_an_error(mini: Path, capsys):
    module = mini / "modules" / "alpha" / "module.yml"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("        participant: Discuss one more example.",
                                   "        participant: handouts/case-lin.md"), encoding="utf-8")
    code, out = _check(mini, capsys)
    assert code == 1 and "'handouts/case-lin.md' is already used at" in out, out


# --------------------------------------------------------------------------------------------
# 8. Includes that would run after the gate


def test_include_extensions_plugins_and_hooks_are_refused(mini: Path, capsys):
    base = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = base.replace("  - offline\n", "  - offline\n  - macros\n") + "  - pymdownx.snippets\nhooks:\n  - hooks.py\n"
    (mini / "mkdocs.yml").write_text(config, encoding="utf-8")
    _append(mini, INTRO, "\n--8<-- \"modules/alpha/module.yml\"\n")
    code, out = _check(mini, capsys)
    assert code == 1
    assert "the extension 'pymdownx.snippets' includes files while pages render" in out
    assert "the plugin 'macros' is not one workshopkit builds with" in out
    assert "hooks run code on every page" in out
    assert main(["build", str(mini)]) == 1
    capsys.readouterr()
    assert not (mini / "build" / "site").exists()


def test_the_print_never_loads_an_include_extension(mini: Path):
    from workshopkit.markdown import SiteConfig

    config = SiteConfig(mini / "mkdocs.yml", {"markdown_extensions": ["pymdownx.snippets"]})
    (mini / "secret.txt").write_text("INCLUDED-SECRET\n", encoding="utf-8")
    assert "INCLUDED-SECRET" not in to_html('--8<-- "secret.txt"', config)


# --------------------------------------------------------------------------------------------
# 9. Closed-door structure


def test_closed_door_structure_does_not_show_to_participants(mini: Path):
    from workshopkit.audience import view
    from workshopkit.visibility import Audience

    beta = mini / "modules" / "beta" / "module.yml"
    text = beta.read_text(encoding="utf-8")
    text = text.replace("    text: Describe the coordination options.\n",
                        "    text: Describe the coordination options.\n  - id: lo2\n    text: Explain the closed channel.\n")
    text = text.replace("    objectives: [lo1]\n    visibility: restricted", "    objectives: [lo2]\n    visibility: restricted")
    text = text.replace("        participant: Share experiences under the Chatham House Rule.",
                        "        participant: Share experiences of the Warm handover under the Chatham House Rule.")
    text += ("  - id: q2\n    objective: lo2\n    type: true-false\n    prompt: The closed channel exists.\n"
             "    answer: 'true'\n    explanation: It does.\n")
    beta.write_text(text, encoding="utf-8")
    gamma = mini / "modules" / "gamma"
    gamma.mkdir()
    (gamma / "module.yml").write_text(
        (mini / "modules" / "beta" / "module.yml").read_text(encoding="utf-8")
        .replace("id: beta", "id: gamma").replace("prerequisites: [alpha]", "prerequisites: [beta]")
        .replace("summary: A module with a restricted session.", "summary: A module after beta."),
        encoding="utf-8")
    (mini / "modules" / "beta" / "module.yml").write_text(
        text.replace("version: \"1.0\"", "version: \"1.0\"\nvisibility: restricted"), encoding="utf-8")
    project, diags = load_project(mini)
    assert not [d for d in diags if d.severity == "error"], diags
    participant = view(project, Audience("participant"))
    gamma_view = participant.module("gamma")
    assert participant.module("beta") is None and gamma_view is not None
    assert gamma_view.prerequisites == []
    assert [o.id for o in gamma_view.learning_objectives] == ["lo1"]
    assert [q.id for q in gamma_view.assessment] == ["q1"]
    assert "Warm handover" not in [t.term for t in participant.glossary.terms]
    assert "Referral" in [t.term for t in participant.glossary.terms]  # used nowhere: a general term stays
    facilitator = view(project, Audience("facilitator", include_restricted=True))
    assert facilitator.module("gamma").prerequisites == ["beta"]
    assert "Warm handover" in [t.term for t in facilitator.glossary.terms]


# --------------------------------------------------------------------------------------------
# 10. HTML comments


def test_html_comments_reach_no_output(mini: Path, capsys):
    _append(mini, INTRO, "\nVisible text. <!-- COMMENT-IN-MARKDOWN -->\n\n`<!-- kept as code -->`\n")
    module = mini / "modules" / "alpha" / "module.yml"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("aim: Practise a safe first conversation.",
                                   "aim: Practise a safe first conversation. <!-- COMMENT-IN-PLAIN -->"), encoding="utf-8")
    assert _check(mini, capsys)[0] == 0
    build(mini)
    outputs = all_files_text(mini / "build")
    assert [p for p, t in outputs.items() if "COMMENT-IN" in t] == []
    assert any("&lt;!-- kept as code --&gt;" in t for t in outputs.values())


def test_an_unclosed_comment_is_an_error(mini: Path, capsys):
    _append(mini, INTRO, "\nVisible text. <!-- never closed\n\nMore text.\n")
    code, out = _check(mini, capsys)
    assert code == 1 and f"{INTRO}:9:15" in out and "never closed" in out, out


# --------------------------------------------------------------------------------------------
# 16. Pathological Markdown


@pytest.mark.parametrize("unit", ["<a ", "![", "[", "<!--", "`<!--`", "{", "class=", "](", "/// facilitator ",
                                  "> ", "&#", "\\[", "[a](", "!!! "])
def test_pathological_markdown_is_refused_or_linear(mini: Path, capsys, unit: str):
    import threading

    _append(mini, INTRO, "\n" + unit * 50_000 + "\n")
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(["check", str(mini)])), daemon=True)
    worker.start()
    worker.join(60)  # a generous bound on a hang, not a speed target (scripts/bench measures speed)
    assert result, f"check did not finish on {unit!r} x 50,000"
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err


# --------------------------------------------------------------------------------------------
# 8b. Site configuration that would run or publish after the gate


def _site_config(root: Path, *settings: str, theme: str = "") -> str:
    """The repository's mkdocs.yml with ``theme`` settings added under ``theme:`` and top-level
    ``settings`` appended; written to ``root`` and returned."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert text.count("  name: material\n") == 1
    text = text.replace("  name: material\n", "  name: material\n" + theme) + "".join(settings)
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    return text


def _line(text: str, start: str) -> int:
    return next(no for no, line in enumerate(text.split("\n"), start=1) if line.startswith(start))


def _build_unchecked(root: Path, monkeypatch: pytest.MonkeyPatch, **kw) -> None:
    """Build as if ``check`` had passed: what the publishers alone make of the configuration."""
    import workshopkit.build as build_module
    from workshopkit.check import check

    monkeypatch.setattr(build_module, "load_checked", lambda repo: (check(repo)[0], 0))
    build(root, pdf=False, **kw)


def test_each_config_setting_outside_the_allowlist_is_refused_at_its_line(mini: Path, capsys):
    text = _site_config(mini, "INHERIT: ../base.yml\n", "extra_javascript: [extra.js]\n",
                        "extra:\n  polyfills: [https://example.org/x.js]\n  analytics:\n    provider: google\n",
                        "docs_dir: ../..\n", "watch: [..]\n", theme="  custom_dir: ../../..\n  static_templates: [x.html]\n")
    code, out = _check(mini, capsys)
    assert code == 1
    for start, col, key, message in [
            ("INHERIT:", 1, "INHERIT", "'INHERIT' brings in the settings of another file"),
            ("extra_javascript:", 1, "extra_javascript", "'extra_javascript' adds scripts to every page"),
            ("  polyfills:", 3, "extra.polyfills", "'polyfills' adds scripts to every page"),
            ("  analytics:", 3, "extra.analytics", "'analytics' adds a tracking script"),
            ("docs_dir:", 1, "docs_dir", "'docs_dir' is set by workshopkit"),
            ("watch:", 1, "watch", "'watch' is not a setting workshopkit builds with"),
            ("  custom_dir:", 3, "theme.custom_dir", "'custom_dir' copies a whole folder"),
            ("  static_templates:", 3, "theme.static_templates", "'theme.static_templates' is not a setting")]:
        assert f"mkdocs.yml:{_line(text, start)}:{col}: {key}: {message}" in out, (key, out)
    assert "use only copyright, edit_uri, extra," in out  # the hint names what may be set
    (mini / "mkdocs.yml").write_text(text.replace("  name: material\n", "  name: mkdocs\n"), encoding="utf-8")
    assert "theme.name: the theme 'mkdocs' is not one workshopkit builds with" in _check(mini, capsys)[1]
    _site_config(mini)
    assert _check(mini, capsys)[0] == 0  # the repository's own configuration is accepted


def test_inherit_brings_back_no_hooks_and_no_includes(mini: Path, tmp_path: Path, capsys, monkeypatch):
    canary = tmp_path / "hook-ran"
    closed = mini / "modules" / "beta" / "module.yml"
    (tmp_path / "hook.py").write_text(
        f"open({str(canary)!r}, 'w').close()\n\n"
        f"def on_page_markdown(markdown, **kw):\n    return markdown + open({str(closed)!r}).read()\n", encoding="utf-8")
    (tmp_path / "base.yml").write_text(f"hooks:\n  - {tmp_path / 'hook.py'}\nmarkdown_extensions:\n"
                                       f"  - pymdownx.snippets:\n      base_path: [{str(mini)!r}]\n", encoding="utf-8")
    _site_config(mini, f"INHERIT: {tmp_path / 'base.yml'}\n")
    _append(mini, INTRO, '\n--8<-- "modules/beta/module.yml"\n')
    code, out = _check(mini, capsys)
    assert code == 1 and "INHERIT: 'INHERIT' brings in the settings of another file" in out
    assert main(["build", str(mini), "--site"]) == 1
    capsys.readouterr()
    _build_unchecked(mini, monkeypatch)
    assert not canary.exists()
    for audience in ("participant", "facilitator"):
        derived = (mini / "build" / ".gen" / audience / "mkdocs.yml").read_text(encoding="utf-8")
        assert "INHERIT" not in derived and "hooks" not in derived and "snippets" not in derived
    participant = [p for p in (mini / "build" / "site" / "participant").rglob("*") if p.is_file()]
    assert len(participant) > 8
    assert [p for p in participant if b"Chatham House" in p.read_bytes()] == []


@pytest.mark.parametrize("where", ["../../..", "HOST"])
def test_a_custom_dir_copies_no_folder_into_the_sites(mini: Path, tmp_path: Path, capsys, monkeypatch, where: str):
    host = tmp_path / "host"
    host.mkdir()
    (host / "host-secret.txt").write_text("HOST-SECRET\n", encoding="utf-8")
    _site_config(mini, theme=f"  custom_dir: {host if where == 'HOST' else where}\n")
    code, out = _check(mini, capsys)
    assert code == 1 and "theme.custom_dir: 'custom_dir' copies a whole folder" in out
    _build_unchecked(mini, monkeypatch, zip=True)
    outputs = _every_output(mini)
    assert any(str(p).endswith("participant-site.zip!participant/index.html") for p in outputs)
    leaked = [p for p in outputs if p.name in ("module.yml", "host-secret.txt", "mkdocs.yml", "demo.yml")
              and ".gen" not in p.parts]
    assert leaked == []
    assert [p for p, t in outputs.items() if "HOST-SECRET" in t] == []


def test_the_derived_config_keeps_only_allowed_settings_even_if_check_was_bypassed(tmp_path: Path, monkeypatch):
    from workshopkit.markdown import EXTRA_SETTINGS, SITE_SETTINGS, THEME_SETTINGS, SiteConfig
    from workshopkit.site.generate import SiteFiles
    from workshopkit.site.mkdocs_adapter import CSS_PATH, SHIM_PATH, derive_config

    shim = tmp_path / "shim.js"
    shim.write_text("/* shim */\n", encoding="utf-8")
    monkeypatch.setenv("WORKSHOPKIT_IFRAME_WORKER", str(shim))
    data = {"site_name": "T", "INHERIT": "../base.yml", "hooks": ["h.py"], "extra_javascript": ["x.js"],
            "extra_css": ["https://example.org/x.css"], "extra_templates": ["t.html"], "watch": [".."],
            "docs_dir": "../..", "site_dir": "/tmp/x", "strict": False, "use_directory_urls": True,
            "theme": {"name": "material", "custom_dir": "/etc/ssl", "static_templates": ["x.html"], "language": "ko"},
            "extra": {"polyfills": ["https://example.org/x.js"], "analytics": {"provider": "google"}, "generator": False},
            "plugins": ["search", "macros"], "markdown_extensions": ["toc", "pymdownx.snippets"]}
    for audience, suffix in (("participant", "Participant manual"), ("facilitator", "Facilitator edition")):
        cfg = derive_config(SiteConfig(tmp_path / "mkdocs.yml", data), SiteFiles(), audience, suffix)
        assert set(cfg) <= SITE_SETTINGS | {"docs_dir", "use_directory_urls", "nav", "extra_css", "validation"}, cfg
        assert cfg["docs_dir"] == "docs" and cfg["use_directory_urls"] is False and cfg["extra_css"] == [CSS_PATH]
        assert set(cfg["theme"]) <= THEME_SETTINGS and cfg["theme"]["name"] == "material"
        assert set(cfg["extra"]) <= EXTRA_SETTINGS | {"polyfills"} and cfg["extra"]["polyfills"] == [SHIM_PATH]
        plugins = [next(iter(p)) if isinstance(p, dict) else p for p in cfg["plugins"]]  # search gets its separator
        assert plugins == ["search"] and "pymdownx.snippets" not in cfg["markdown_extensions"]
    assert derive_config(SiteConfig(tmp_path / "mkdocs.yml", {"theme": "material"}), SiteFiles(), "participant",
                         "")["theme"] == {"name": "material", "language": "en",
                                          "features": ["navigation.indexes", "navigation.path", "content.tooltips"]}


def test_a_symlinked_mkdocs_yml_is_refused_and_never_shown(mini: Path, tmp_path: Path, capsys):
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0:HOST-ACCOUNT:/root:/bin/bash\n", encoding="utf-8")
    (mini / "mkdocs.yml").symlink_to(outside)
    code, out = _check(mini, capsys)
    assert code == 1 and "mkdocs.yml: the site configuration is a symbolic link" in out
    assert "HOST-ACCOUNT" not in out
    assert main(["build", str(mini), "--site"]) == 1
    out = capsys.readouterr()
    assert "HOST-ACCOUNT" not in out.out + out.err and not (mini / "build" / "site").exists()
    (mini / "mkdocs.yml").unlink()
    (mini / "mkdocs.yml").mkdir()
    code, out = _check(mini, capsys)
    assert code == 1 and "mkdocs.yml: the site configuration is not a regular file" in out


def test_inherit_of_a_file_that_is_not_settings_is_an_error_not_a_traceback(mini: Path, tmp_path: Path, capsys):
    (tmp_path / "os-release").write_text('NAME="Linux"\nID=linux\n', encoding="utf-8")
    _site_config(mini, f"INHERIT: {tmp_path / 'os-release'}\n")
    code, out = _check(mini, capsys)
    assert code == 1 and "INHERIT: 'INHERIT' brings in" in out
    assert main(["build", str(mini), "--site", "--audience", "participant"]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "TypeError" not in out.out + out.err


@pytest.mark.parametrize("how", ["committed build link", "--out link", "build/restricted link"])
def test_a_symlinked_output_folder_is_refused(mini: Path, tmp_path: Path, capsys, how: str):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ["build", str(mini), "--site", "--audience", "facilitator" if "restricted" in how else "participant"]
    if how == "committed build link":
        (mini / "build").symlink_to(elsewhere)
        shown = "build"
    elif how == "--out link":
        (tmp_path / "out").symlink_to(elsewhere)
        args += ["--out", str(tmp_path / "out")]
        shown = str(tmp_path / "out")
    else:
        (mini / "build").mkdir()
        (mini / "build" / "restricted").symlink_to(elsewhere)
        args.append("--include-restricted")
        shown = "build/restricted"
    assert main(args) == 1
    out = capsys.readouterr()
    errors = [line for line in (out.out + out.err).splitlines() if "error" in line]
    assert errors == [f"error: the output folder {shown} is a symbolic link; workshopkit builds only into a real folder "
                      "(remove the link, or choose another folder with --out)"], errors
    assert list(elsewhere.iterdir()) == []
