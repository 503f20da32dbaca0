"""The editor's guide, generated from the schema and the rules so that it cannot drift from them.

Every field of every content file is listed with its description, type, whether it is required
and who may see it. A field without a description is a bug (a test fails). Every code that
``workshopkit check`` reports is listed from the registry of rules (:mod:`workshopkit.rules`),
with what it means, how to fix it and an example.
"""

from __future__ import annotations

import re
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .guide_examples import EXAMPLES
from .model import OBJECTIVE_VERBS, Curriculum, Glossary, Module, Source, SourceLibrary, Workshop
from .rules import FAMILIES, Rule, all_rules
from .visibility import Visibility
from .walk import field_visibility, is_markdown, model_classes

FILES: list[tuple[str, str, type[BaseModel]]] = [
    ("modules/&lt;id&gt;/module.yml", "A training module", Module),
    ("curriculum/&lt;id&gt;.yml", "A workshop (an event)", Workshop),
    ("curriculum/sources/*.yml", "The shared bibliography", SourceLibrary),
    ("seeds/&lt;id&gt;.yml", "A seed document record", Source),
    ("curriculum/glossary.yml", "The glossary", Glossary),
    ("curriculum/curriculum.yml", "Home page text and the tracks, in order", Curriculum),
]


def type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (list, typing.List):  # noqa: UP006
        return f"list of {type_name(args[0])}" if args else "list"
    if origin in (dict, typing.Dict):  # noqa: UP006
        return f"mapping of {type_name(args[1])}" if len(args) == 2 else "mapping"
    if args and (origin is typing.Union or str(origin) == "<class 'types.UnionType'>"):
        names = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(names)
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return " \\| ".join(f"`{m.value}`" for m in annotation)
        if issubclass(annotation, BaseModel):
            return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
        labels = {"str": "text", "int": "number", "bool": "yes/no", "date": "date (YYYY-MM-DD)"}
        return labels.get(annotation.__name__, annotation.__name__)
    return str(annotation).replace("typing.", "")


def _vis(info: FieldInfo, inherited: Visibility = Visibility.public) -> str:
    """Who sees a field: its own level, or the level of every place its model is used in (the
    fields of the module's ``facilitator`` section are facilitator-only because the section is)."""
    own = field_visibility(info)
    level = max(inherited, Visibility.parse(own)) if own else inherited
    return {Visibility.facilitator: "facilitator only", Visibility.organiser: "organisers only"}.get(
        level, "everyone who sees the item")


def inherited_visibility() -> dict[type[BaseModel], Visibility]:
    """The level each model of the schema is seen at: the most open of the places it is used in
    (a model used only inside facilitator-only fields is facilitator-only as a whole)."""
    levels: dict[type[BaseModel], Visibility] = {}

    def visit(cls: type[BaseModel], level: Visibility) -> None:
        if cls in levels and levels[cls] <= level:
            return
        levels[cls] = level
        for info in cls.model_fields.values():
            own = field_visibility(info)
            inner = max(level, Visibility.parse(own)) if own else level
            for sub in model_classes(info.annotation):
                visit(sub, inner)

    for _, _, cls in FILES:
        visit(cls, Visibility.public)
    return levels


def field_rows(cls: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    return [(info.alias or name, info) for name, info in cls.model_fields.items()
            if not (info.json_schema_extra is None and name == "body")]


def all_models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def visit(cls: type[BaseModel]) -> None:
        if cls in seen:
            return
        seen.append(cls)
        for info in cls.model_fields.values():
            for sub in model_classes(info.annotation):
                visit(sub)

    for _, _, cls in FILES:
        visit(cls)
    return seen


def editor_guide() -> str:
    out: list[str] = []
    out.append("# Editor's guide\n")
    out.append("This guide is generated from workshopkit's schema: every field listed here is exactly "
               "what `workshopkit check` accepts.\n")
    out.append(_INTRO)
    out.append("## Files\n")
    out.append("| file | what it holds | schema |\n|---|---|---|")
    for path, what, cls in FILES:
        out.append(f"| `{path}` | {what} | [{cls.__name__}](#{cls.__name__.lower()}) |")
    out.append("")
    out.append("## Fields\n")
    inherited = inherited_visibility()
    for cls in all_models():
        out.append(f"### {cls.__name__}\n")
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        if doc:
            out.append(doc + "\n")
        if cls.__name__ in EXAMPLES:
            out += ["```yaml", EXAMPLES[cls.__name__].rstrip("\n"), "```", ""]
        out.append("| key | type | required | visible to | description |\n|---|---|---|---|---|")
        for key, info in field_rows(cls):
            desc = (info.description or "").replace("|", "\\|")
            if is_markdown(info):
                desc += " *(Markdown, inline or a .md file)*"
            req = "yes" if info.is_required() else ""
            out.append(f"| `{key}` | {type_name(info.annotation)} | {req} | {_vis(info, inherited[cls])} | {desc} |")
        out.append("")
    out.append("## Objective verbs\n")
    out.append("An objective starts with one of these verbs: " + ", ".join(f"*{v}*" for v in sorted(OBJECTIVE_VERBS)) + ".\n")
    out.extend(codes_section())
    return "\n".join(out) + "\n"


_CODES_INTRO = """## Problems and their codes

Every problem that `workshopkit check` reports ends in a code, which says which rule the
content breaks:

```
modules/alpha/module.yml:12:17: prerequisites[0]: a module cannot be its own prerequisite [WK104]
```

`workshopkit check --explain WK104` prints what a code means; `--format json` and
`--format github` carry the code too. A code never changes. Each example below shows what
breaks the rule in a small repository with the modules `alpha` and `beta`, the workshop `demo`
and the seed `seed-one`: a YAML example shows only the keys it changes (the rest of the file is
as usual), a Markdown example is the whole text.
"""

_LANGUAGES = {".yml": "yaml", ".yaml": "yaml", ".md": "markdown", ".svg": "xml"}


def _fenced(file: str, text: str) -> list[str]:
    """An example file as a code block, fenced with more backticks than it holds in a row."""
    if not text:
        return [f"`{file}` (any content)", ""]
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    language = _LANGUAGES.get(file[file.rfind("."):], "text")
    return [f"`{file}`:", "", f"{fence}{language}", text.rstrip("\n"), fence, ""]


def code_entry(r: Rule) -> list[str]:
    """One code of the guide: heading, meaning, fix and example."""
    out = [f"#### {r.code} {r.name} {{ #{r.code.lower()} }}\n", f"*{r.severity}*: {r.summary}\n", f"**Fix:** {r.fix}.\n"]
    if r.example:
        out.append("**Example:**\n")
        for file, text in r.example:
            out.extend(_fenced(file, text))
    else:
        out.append(f"*No example:* {r.exempt}.\n")
    return out


def codes_section() -> list[str]:
    """The section listing every code, family by family (generated from the registry of rules)."""
    out = [_CODES_INTRO]
    rules = all_rules()
    out.append("| code | name | severity |\n|---|---|---|")
    out.extend(f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity} |" for r in rules)
    out.append("")
    for digit, family in FAMILIES.items():
        members = [r for r in rules if r.code[2] == digit]
        if members:
            out.append(f"### WK{digit}xx: {family}\n")
            for r in members:
                out.extend(code_entry(r))
    return out


_INTRO = """
## How a module is laid out

```
modules/<id>/module.yml       objectives, sessions, activities, handouts, items
modules/<id>/sessions/*.md    longer texts, named from module.yml
modules/<id>/handouts/*.md    the text of each handout
modules/<id>/images/*         images used in the texts (with alt text)
modules/<id>/locales/ko.po    the module's translation (see "Translating" in README)
```

Start a new module with `workshopkit new module <id>`; it passes `workshopkit check` at once.
The first line of every `module.yml` names the schema, so editors such as VS Code (with the
YAML extension) complete keys and underline mistakes as you type.

## Who sees what

| level | participant manual | facilitator site | PDFs |
|---|---|---|---|
| `public`, `participant` | yes | yes | workbook, handouts, facilitator guide |
| `restricted` (closed-door) | never | only with `--include-restricted` | restricted pack only |
| `facilitator` | never | yes | facilitator guide only |
| `organiser` | never | never | never |

Some fields are facilitator-only **by type**, whatever you write in them: activity
`facilitator` and `safety_notes`, `debrief`, `de_roling`, session `materials`, `preparation` and
`facilitator_notes`, item `answer` and `explanation`, the module's `facilitator` section.
An item inherits the most private level of what contains it: every session of a restricted
module is restricted.

Inside participant Markdown, mark facilitator-only prose and closed-door prose with blocks:

```
/// facilitator
Ask: "What would you do first?" Expected answers: explain your role, ask for consent.
///

/// restricted
Notes for the closed-door discussion (Chatham House Rule).
///
```

`/// say` … `///` holds words a facilitator says aloud; like `facilitator`, participants never
see it, and the facilitator outputs show it as a script box.

A block must be closed with `///`; a block may contain only blocks that are more private
(`facilitator` inside `restricted` is fine, the reverse is an error). Any other block name is an
error. The `///` lines start at the beginning of a line, never inside a list item or a quote; the
gate hides a block wherever its marker stands, even inside a code example, so that nothing
private can slip through a formatting mistake. Only `///` hides text: an admonition
(`!!! facilitator`, or any admonition titled for facilitators or trainers), a fenced div
(`::: facilitator`), an HTML or attribute-list class (`class="facilitator"`,
`{: .facilitator }`), the `hidden` attribute, a marker typed with look-alike slashes or with
text after it on the same line, or one that a YAML `>` scalar folded into a paragraph are
errors, and until they are fixed the participant outputs leave out the whole text that holds
them. Write multi-line texts with `|`.

A Markdown file is named from one place only (an activity's text, or a handout's `file`), so
it has one visibility. HTML comments (`<!-- … -->`) are notes for editors: no output holds
them. Files inside `modules/`, `curriculum/` and `seeds/` may not be symbolic links.

## Citing sources

Every module lists `sources`, each a `ref` to a record in `curriculum/sources/*.yml` or
`seeds/`, with an optional `pinpoint` (chapter, page). Write summaries and key facts in your own
words; works marked `all-rights-reserved` are cited and linked, never reproduced. Give figures
with their date ("IOM reported in 2010 …").

## Raw HTML and links

Markdown is the way to format text. Raw HTML is limited to simple tags (`br`, `sup`, `abbr`,
`details` …; images are written in Markdown, not as `<img>`); `<script>`, `<iframe>`, `<svg>`,
`style=` and event handlers (`onclick=` …) are rejected by
`workshopkit check`, as are links with schemes other than `http`, `https`, `mailto` and `tel`.
`check` judges what the text renders to, so the same rules hold for attribute lists
(`{: … }`), reference links, entities and tags split over lines; the built pages and PDFs are
scanned again before they are published. A relative link starts from the folder of the Markdown
file it is in (from the module folder for text written in `module.yml`), so a text in `sessions/`
links to a handout as `../handouts/name.md`. Relative links may point to a handout's Markdown file,
a PDF or an image in a module folder; images (PNG, JPEG, GIF, WebP: not SVG, which can carry
scripts) come from a module folder (not from web addresses) and need alt text:
`![A referral pathway with five steps](images/pathway.png)`. Only files that a checked link
points to are copied into the sites; nothing else in the repository is published. A text may
use a file of another module only if that module is open to participants (a closed-door
module's files stay with it). A link must be
readable as a Markdown link: one that the renderer would make from a title, raw HTML or an
attribute list is an error. Code fences (```` ``` ````) must be closed, quotes or lists may nest
at most 12 deep, a paragraph may hold at most 400 `[` or `<`, and a text may run at most 500
lines without a blank line. In `mkdocs.yml`, only the settings a site is
built with are accepted (`site_name`, `site_description`, `site_author`, `site_url`, `copyright`,
`repo_url`, `repo_name`, `edit_uri`, `theme` with the Material theme's own settings, `plugins`
(`search`, `offline`, `tags`), `markdown_extensions` of Python-Markdown and pymdown-extensions
that read no files, and `extra`), and
anything else (`INHERIT`, `hooks`, `extra_javascript`, a theme's `custom_dir`, `pymdownx.snippets`,
a `mkdocs.yml` that is a symbolic link) is refused: it would run code or publish other files after
the audience gate.

## Previewing and checking

```
workshopkit check                 # every problem, as path:line:col: key: message (hint) [code]
workshopkit check --explain WK101 # what a code means, how to fix it, an example
workshopkit serve                 # live preview of the participant manual
workshopkit serve --audience facilitator
workshopkit build --only <module-or-workshop-id>   # a quick partial build
```
"""
