"""One Markdown configuration for the sites and the print: read from ``mkdocs.yml``."""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown as md_lib
import yaml

from . import blocks
from .errors import BuildError

#: Extensions the generated pages use (anchors on headings, notes, definition lists, tables).
REQUIRED_EXTENSIONS = ("admonition", "attr_list", "def_list", "md_in_html", "tables", "toc")

#: Extensions that pull other files into a page while it renders, after the audience gate: check
#: refuses them, and neither the sites nor the print ever load them.
INCLUDE_EXTENSIONS = frozenset({"pymdownx.snippets", "markdown_include.include", "markdown_include",
                                "mdx_include", "mkdocs_include", "markdown_inline_include"})

#: Markdown extensions a site may use: Python-Markdown's own and pymdown-extensions', less those
#: that read files (snippets, b64, pathconverter) or make links the link reader cannot see
#: (wikilinks). Any other name is refused before anything imports it.
ALLOWED_EXTENSIONS = frozenset({
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "tables", "toc",
    "codehilite", "legacy_attrs", "legacy_em", "meta", "nl2br", "sane_lists", "smarty", "extra",
    "pymdownx.arithmatex", "pymdownx.betterem", "pymdownx.caret", "pymdownx.critic", "pymdownx.details",
    "pymdownx.emoji", "pymdownx.escapeall", "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys",
    "pymdownx.magiclink", "pymdownx.mark", "pymdownx.progressbar", "pymdownx.saneheaders", "pymdownx.smartsymbols",
    "pymdownx.striphtml", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist", "pymdownx.tilde",
    "pymdownx.blocks.admonition", "pymdownx.blocks.details", "pymdownx.blocks.tab", "pymdownx.blocks.caption",
})


def extension_name(name: str) -> str:
    """The extension a name in mkdocs.yml loads (``module:Class`` and ``markdown.extensions.x``
    are other spellings of the same module)."""
    return name.split(":", 1)[0].strip().removeprefix("markdown.extensions.")


def allowed_extension(name: str) -> bool:
    return extension_name(name) in ALLOWED_EXTENSIONS


#: MkDocs plugins a site may use: Material's built-ins that neither change nor add page text.
SITE_PLUGINS = frozenset({"search", "offline", "tags"})

#: The top-level settings of ``mkdocs.yml`` a site is built with. Any other (``INHERIT``,
#: ``hooks``, ``extra_javascript``, ``docs_dir``, ``watch`` …) would run code or bring in other
#: files after the audience gate, or is one workshopkit sets itself: check refuses it, and the
#: derived config of a site never carries it.
SITE_SETTINGS = frozenset({"site_name", "site_description", "site_author", "site_url", "copyright",
                           "repo_url", "repo_name", "edit_uri", "theme", "plugins", "markdown_extensions", "extra"})
#: The settings under ``theme`` (whose name is ``material``): never ``custom_dir``, which copies a
#: whole folder into every site, nor ``static_templates``.
THEME_SETTINGS = frozenset({"name", "language", "direction", "features", "palette", "font", "icon", "logo",
                            "favicon"})
#: The settings under ``extra`` that Material reads; not ``polyfills`` (scripts in every page:
#: workshopkit adds its own) nor ``analytics`` (a tracking script).
EXTRA_SETTINGS = frozenset({"alternate", "annotate", "consent", "generator", "homepage", "scope", "social",
                            "status", "tags", "version"})


def refused_settings(data: dict[str, Any]) -> list[tuple[str, ...]]:
    """Where ``data`` (the base ``mkdocs.yml``) sets something outside :data:`SITE_SETTINGS`,
    :data:`THEME_SETTINGS` and :data:`EXTRA_SETTINGS`, as key paths in the order written; and
    ``("theme", "name")`` (or ``("theme",)``) for an installed theme other than ``material`` (a
    name no theme has is left to MkDocs, which reports it at its line)."""
    from importlib.metadata import entry_points

    found: list[tuple[str, ...]] = [(str(key),) for key in data if key not in SITE_SETTINGS]
    theme = data.get("theme")
    if isinstance(theme, dict):
        found += [("theme", str(key)) for key in theme if key not in THEME_SETTINGS]
    name = theme.get("name") if isinstance(theme, dict) else theme
    if isinstance(name, str) and name != "material" and name in {e.name for e in entry_points(group="mkdocs.themes")}:
        found.append(("theme", "name") if isinstance(theme, dict) else ("theme",))
    extra = data.get("extra")
    if isinstance(extra, dict):
        found += [("extra", str(key)) for key in extra if key not in EXTRA_SETTINGS]
    return found


@dataclass(frozen=True)
class SiteConfig:
    """The parts of the base ``mkdocs.yml`` workshopkit needs, plus the whole of it."""

    path: Path
    data: dict[str, Any] = field(hash=False)

    @property
    def site_url(self) -> str:
        url = str(self.data.get("site_url") or "")
        return url if not url or url.endswith("/") else url + "/"

    @property
    def site_name(self) -> str:
        return str(self.data.get("site_name") or "Training")

    @property
    def extensions(self) -> tuple[list[str], dict[str, dict[str, Any]]]:
        """The Markdown extensions of mkdocs.yml, plus those the generated pages rely on."""
        names: list[str] = []
        configs: dict[str, dict[str, Any]] = {}
        for item in self.data.get("markdown_extensions") or []:
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, dict):
                for name, conf in item.items():
                    names.append(name)
                    if isinstance(conf, dict):
                        configs[name] = conf
        names += [n for n in REQUIRED_EXTENSIONS if n not in names]
        return names, configs

    @property
    def safe_extensions(self) -> tuple[list[str], dict[str, dict[str, Any]]]:
        """:attr:`extensions` that workshopkit builds with (:func:`allowed_extension`): never one
        that includes files, nor a module named in the repository (importing it would run it)."""
        names, configs = self.extensions
        return ([n for n in names if allowed_extension(n)], {k: v for k, v in configs.items() if allowed_extension(k)})


def config_position(path: Path, *keys: str) -> tuple[int, int]:
    """Line and column (1-based) of a setting in ``mkdocs.yml``: the key at ``keys`` (in a list,
    a name matches the item that is that name or a mapping with that key, as in
    ``markdown_extensions``), or of the deepest part of it that is written there; (0, 0) when
    none is. With no keys: the first setting. Reads the file's structure only, so MkDocs' tags
    (``!ENV``, ``!!python/name:``) do not stop it."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return 0, 0
    if node is None:
        return 0, 0
    found = (node.start_mark.line + 1, node.start_mark.column + 1) if not keys else (0, 0)
    for key in keys:
        here: Any = None
        if isinstance(node, yaml.MappingNode):
            here = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                if isinstance(item, yaml.ScalarNode) and item.value == key:
                    here = (item, item)
                elif isinstance(item, yaml.MappingNode):
                    here = next(((k, v) for k, v in item.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
                if here:
                    break
        if not here:
            break
        found = (here[0].start_mark.line + 1, here[0].start_mark.column + 1)
        node = here[1]
    return found


def _read_regular(path: Path) -> bytes | None:
    """The bytes of ``path``, None if there is nothing there; a located error if it is a symbolic
    link (wherever it points) or not a regular file. The file is opened without following a
    link and without blocking on a pipe, and judged by what was opened."""
    refuse = ("the site configuration is a symbolic link; workshopkit reads only the file itself",
              "replace the link with the file")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(mode):
        raise BuildError(refuse[0], path.name, hint=refuse[1])
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BuildError(refuse[0], path.name, hint=refuse[1]) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BuildError("the site configuration is not a regular file", path.name, hint="make mkdocs.yml a plain text file")
    with os.fdopen(fd, "rb") as f:
        return f.read()


def load_site_config(root: Path) -> SiteConfig:
    """Read the base ``mkdocs.yml``; tags such as ``!!python/name`` are refused, and so is a
    ``mkdocs.yml`` that is a symbolic link or not a regular file (before anything is read)."""
    path = root / "mkdocs.yml"
    hint = "fix the site configuration"
    try:
        raw = _read_regular(path)
    except OSError as exc:
        raise BuildError(f"cannot read the site configuration: {exc.strerror}", path.name, hint=hint) from None
    if raw is None:
        return SiteConfig(path, {"site_name": "Training", "markdown_extensions": list(REQUIRED_EXTENSIONS)})
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1: exc.start].decode("utf-8", errors="replace")) + 1
        raise BuildError("the site configuration is not valid UTF-8 text", path.name, line, col,
                         "save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = getattr(exc, "problem", None) or str(exc)
        context, opened = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and opened is not None and opened is not mark:
            problem += f" ({context} started on line {opened.line + 1})"
        raise BuildError(f"invalid YAML in the site configuration: {problem}", path.name, line, col, hint) from None
    except (OSError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is nested too deeply"
        raise BuildError(f"cannot read the site configuration: {reason}", path.name, hint=hint) from None
    if not isinstance(data, dict):
        line, col = config_position(path)
        raise BuildError("expected a mapping of settings (key: value lines)", path.name, line, col, hint)
    return SiteConfig(path, data)


@functools.lru_cache(maxsize=8)
def _converter(names: tuple[str, ...], configs_key: str) -> md_lib.Markdown:
    configs = yaml.safe_load(configs_key) or {}
    # Permalinks are a web feature; print headings stay clean.
    if "toc" in configs:
        configs = {**configs, "toc": {k: v for k, v in configs["toc"].items() if k != "permalink"}}
    return md_lib.Markdown(extensions=list(names), extension_configs=configs)


def _failing_extension(names: list[str], configs: dict[str, dict[str, Any]]) -> str:
    """The first extension that cannot be loaded on its own with its settings, or ''."""
    for name in names:
        try:
            md_lib.Markdown(extensions=[name], extension_configs={name: configs[name]} if name in configs else {})
        except Exception:  # noqa: BLE001 - any failure names the culprit
            return name
    return ""


def markdown_problem(config: SiteConfig) -> tuple[int, int, str] | None:
    """(line, column in mkdocs.yml, message) if the Markdown extensions cannot be loaded, else None."""
    names, configs = config.safe_extensions  # never import a name that is not allowed (check reports it)
    try:
        _converter(tuple(names), yaml.safe_dump(configs, sort_keys=True))
    except Exception as exc:  # an unknown module, or settings the extension rejects  # noqa: BLE001
        bad = next((n for n in names if n in str(exc)), "") or _failing_extension(names, configs)
        where = ["markdown_extensions"] + ([bad] if bad else [])
        if bad and isinstance(exc, KeyError) and exc.args and exc.args[0] in configs.get(bad, {}):
            where.append(str(exc.args[0]))  # a setting the extension does not have
        line, col = 0, 0  # an extension the generated pages need: not written in the file
        if config.path.is_file():
            line, col = config_position(config.path, *where)
        what = f"the Markdown extension '{bad}'" if bad else "the Markdown extensions"
        return line, col, f"{what} cannot be loaded ({type(exc).__name__}: {exc})"
    return None


def to_html(text: str, config: SiteConfig) -> str:
    """Render Markdown to HTML with the site's extensions (used by the print publisher)."""
    names, configs = config.safe_extensions
    conv = _converter(tuple(names), yaml.safe_dump(configs, sort_keys=True))
    conv.reset()
    try:
        return conv.convert(text)
    except RecursionError:
        _converter.cache_clear()
        raise BuildError("a text is nested too deeply to render; run 'workshopkit check' to find it") from None
    except BaseException:
        _converter.cache_clear()  # a converter stopped half-way keeps broken state: start afresh next time
        raise


_TASK = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)\[([ xX])\]\s+", re.M)


def prepare(text: str, labels: dict[str, str]) -> str:
    """Turn the audience blocks that survived the gate into admonitions, and task-list items
    into ballot boxes (a disabled checkbox is an unlabelled form control to a screen reader)."""
    if "[" in text:
        text = _TASK.sub(lambda m: m.group(1) + ('<span class="task-box">☐</span> ' if m.group(2) == " "
                                                  else '<span class="task-box">☑</span> '), text)
    if "///" not in text:
        return text
    return blocks.to_admonitions(text, labels)


_FENCE_RUN = re.compile(r"^(`{3,}|~{3,})")


def _headings(text: str) -> list[tuple[int, int, str]]:
    """(line index, level, text after the hashes) of each ATX heading outside code fences."""
    found = []
    fence = ""
    for i, line in enumerate(text.split("\n")):
        stripped = line.lstrip()
        m = _FENCE_RUN.match(stripped)
        if m:
            marker = m.group(1)
            if not fence:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not stripped[len(marker):].strip():
                fence = ""
            continue
        if not fence and stripped.startswith("#"):
            hashes = len(stripped) - len(stripped.lstrip("#"))
            if 1 <= hashes <= 6 and stripped[hashes:hashes + 1] in (" ", ""):
                found.append((i, hashes, stripped[hashes:]))
    return found


def shift_headings(text: str, depth: int) -> str:
    """Place author headings under a heading of level ``depth``: the author's highest heading
    becomes ``depth + 1`` and the others keep their distance to it (no level is skipped)."""
    found = _headings(text)
    if not found:
        return text
    shift = depth + 1 - min(level for _, level, _ in found)
    if shift == 0:
        return text
    lines = text.split("\n")
    for i, level, rest in found:
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines[i] = indent + "#" * max(1, min(6, level + shift)) + rest
    return "\n".join(lines)
