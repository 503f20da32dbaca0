"""One Markdown configuration for the sites and the print: read from ``mkdocs.yml``."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown as md_lib
import yaml

from . import blocks
from .errors import BuildError


#: Extensions the generated pages use (anchors on headings, notes, definition lists, tables).
REQUIRED_EXTENSIONS = ("admonition", "attr_list", "def_list", "md_in_html", "tables", "toc")


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


def load_site_config(root: Path) -> SiteConfig:
    """Read the base ``mkdocs.yml``; tags such as ``!!python/name`` are refused."""
    path = root / "mkdocs.yml"
    if not path.is_file():
        return SiteConfig(path, {"site_name": "Training", "markdown_extensions": list(REQUIRED_EXTENSIONS)})
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        raise BuildError(f"{where}: invalid YAML in the site configuration ({exc})") from None
    if not isinstance(data, dict):
        raise BuildError(f"{path.name}: expected a mapping of settings")
    return SiteConfig(path, data)


@functools.lru_cache(maxsize=8)
def _converter(names: tuple[str, ...], configs_key: str) -> md_lib.Markdown:
    configs = yaml.safe_load(configs_key) or {}
    # Permalinks are a web feature; print headings stay clean.
    if "toc" in configs:
        configs = {**configs, "toc": {k: v for k, v in configs["toc"].items() if k != "permalink"}}
    return md_lib.Markdown(extensions=list(names), extension_configs=configs)


def markdown_problem(config: SiteConfig) -> tuple[int, str] | None:
    """(line in mkdocs.yml, message) if the Markdown extensions cannot be loaded, else None."""
    names, configs = config.extensions
    try:
        _converter(tuple(names), yaml.safe_dump(configs, sort_keys=True))
    except Exception as exc:  # an unknown module, or settings the extension rejects  # noqa: BLE001
        bad = next((n for n in names if n in str(exc)), "")
        line = 1
        if bad and config.path.is_file():
            for no, text in enumerate(config.path.read_text(encoding="utf-8").split("\n"), start=1):
                if bad in text:
                    line = no
                    break
        what = f"the Markdown extension '{bad}'" if bad else "the Markdown extensions"
        return line, f"{what} cannot be loaded ({type(exc).__name__}: {exc})"
    return None


def to_html(text: str, config: SiteConfig) -> str:
    """Render Markdown to HTML with the site's extensions (used by the print publisher)."""
    names, configs = config.extensions
    conv = _converter(tuple(names), yaml.safe_dump(configs, sort_keys=True))
    conv.reset()
    try:
        return conv.convert(text)
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


def _headings(text: str) -> list[tuple[int, int, str]]:
    """(line index, level, text after the hashes) of each ATX heading outside code fences."""
    found = []
    fence = None
    for i, line in enumerate(text.split("\n")):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (fence or marker)
            continue
        if fence is None and stripped.startswith("#"):
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
