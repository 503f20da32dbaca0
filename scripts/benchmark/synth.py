"""Synthetic curricula: modules, workshops and a curriculum index written from deterministic
filler prose, sized like the real modules; and a copy of the repository's own curriculum.

Every module has 3 sessions of 4 activities, 1 handout and 6 assessment items (about 1,500
words by default); a few two-day workshops use some of the modules; the bibliography, glossary
and seeds are those of the repository. The incremental run edits one session text
(:func:`edit_target`, or :func:`repo_edit_target` for the repository's own curriculum).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from pathlib import Path
from typing import Any

from . import BenchError

EDIT_FROM = "This is the first version of this text."
EDIT_TO = "This is the second version of this text."

_WORDS = """
safety consent referral dignity support service caseworker counsellor participant facilitator
person family community trust listening information choice need needs risk protection
confidentiality record follow-up plan goal agency partner clinic shelter interpreter language
culture stress recovery resilience practice skill question answer example case situation group
pair discussion reflection step steps contact contacts role boundary respect feedback help
health housing income documents rights law policy procedure screening assessment options
priority priorities barrier barriers access guidance checklist timeline meeting appointment
local regional national colleague supervisor team network resource resources approach method
calm clear simple honest careful patient practical kind gentle early safe urgent common
notice offer explain agree check ask listen write share discuss compare describe decide prepare
review plan adapt invite explore remember respond link refer protect respect include involve
""".split()
_TOPICS = ["referral", "consent", "listening", "screening", "wellbeing", "interviewing", "housing",
           "health", "rights", "integration", "recovery", "coordination", "language", "employment",
           "education", "family", "community", "records", "safety", "ethics"]
_TRACKS = ["foundations", "service-providers", "training-of-trainers", "humanitarian-dprk"]
_METHODS = ["presentation", "discussion", "group-work", "reflection"]


class Prose:
    """Deterministic filler prose; counts the words it produced."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words = 0

    def sentence(self, n: int | None = None) -> str:
        n = n or self.rng.randint(8, 16)
        words = [self.rng.choice(_WORDS) for _ in range(n)]
        self.words += n
        return " ".join(words).capitalize() + "."

    def text(self, n: int) -> str:
        """About ``n`` words in sentences."""
        out: list[str] = []
        left = n
        while left > 0:
            k = min(left, self.rng.randint(8, 16))
            k = max(k, 3)
            out.append(self.sentence(k))
            left -= k
        return " ".join(out)

    def para(self, n: int, width: int = 96) -> str:
        """About ``n`` words, wrapped like an author's Markdown."""
        import textwrap

        return "\n".join(textwrap.wrap(self.text(n), width))


def _yaml_block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.split("\n"))


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def find_repo_root(start: Path | None = None) -> Path:
    """The workshopkit repository (for its mkdocs.yml, bibliography, glossary and seeds)."""
    candidates = [start] if start else []
    candidates += [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]]
    for c in candidates:
        if c and (c / "mkdocs.yml").is_file() and (c / "curriculum" / "sources").is_dir():
            return c.resolve()
    raise BenchError("cannot find the workshopkit repository (mkdocs.yml and curriculum/sources); pass --root")


def _source_ids(root: Path) -> list[str]:
    import yaml

    ids: list[str] = []
    for path in sorted((root / "curriculum" / "sources").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        ids += [s["id"] for s in data.get("sources", []) if isinstance(s, dict) and "id" in s]
    for path in sorted((root / "seeds").glob("*.yml")):
        ids.append(path.stem)
    return ids


def workshops_for(n_modules: int) -> int:
    """A few workshops: 1 for a handful of modules, 2 at 10, 3 at 100, 4 at 1000."""
    return max(1, min(5, 1 + int(math.log10(max(1, n_modules)))))


def module_id(i: int) -> str:
    return f"m{i + 1:04d}-{_TOPICS[i % len(_TOPICS)]}"


def write_module(folder: Path, i: int, source_ids: list[str], words: int = 1500) -> int:
    """Write one module: 3 sessions × 4 activities, 1 handout, 6 items; returns its word count."""
    p = Prose(1000 + i)
    scale = words / 1500 * 0.93  # titles and fixed phrases make up the rest

    def w(n: int) -> int:
        return max(3, round(n * scale))

    mid = module_id(i)
    topic = _TOPICS[i % len(_TOPICS)]
    (folder / "sessions").mkdir(parents=True, exist_ok=True)
    (folder / "handouts").mkdir(parents=True, exist_ok=True)
    refs = [source_ids[(i + k) % len(source_ids)] for k in range(2)]
    verbs = ["Explain", "Apply", "Describe"]
    y: list[str] = [
        "# Synthetic module written by the benchmark (scripts/benchmark)",
        f"id: {mid}",
        f"title: {_q(f'{topic.capitalize()} in practice, part {i + 1}')}",
        f"summary: {_yaml_block(p.para(w(40)), 2)}",
        f"aim: {_q(p.sentence(w(14)))}",
        'version: "1.0"',
        "status: draft",
        "audience: [caseworkers, counsellors, volunteers]",
        "level: introductory",
        f"track: {_TRACKS[i % len(_TRACKS)]}",
    ]
    if i % 7 == 3:
        y.append(f"prerequisites: [{module_id(i - 1)}]")
    y.append("learning_objectives:")
    for k, verb in enumerate(verbs, start=1):
        rest = p.text(w(11))
        y += [f"  - id: lo{k}", f"    text: {_q(verb + ' ' + rest[0].lower() + rest[1:])}"]
    y.append("key_messages:")
    y += [f"  - {_q(p.sentence(w(10)))}" for _ in range(3)]
    y += ["content_warnings:", "  tags: []", "sources:"]
    y += [f"  - ref: {r}\n    pinpoint: ch. {k + 1}" for k, r in enumerate(refs)]
    y += ["facilitator:", f"  background: {_yaml_block(p.para(w(55)), 4)}", "  preparation:"]
    y += [f"    - {_q(p.sentence(w(9)))}" for _ in range(2)]
    y.append("sessions:")
    minutes = [(15, "core"), (20, "core"), (15, "core"), (10, "extension")]
    for s in range(1, 4):
        y += [f"  - id: s{s}", f"    title: {_q(p.sentence(5)[:-1])}", "    minutes: 60",
              f"    objectives: [lo{s}]", f"    summary: {_yaml_block(p.para(w(25)), 6)}",
              "    materials: [Flipchart, Markers, Printed handout]", "    preparation:",
              f"      - {_q(p.sentence(w(8)))}", "    key_messages:",
              f"      - {_q(p.sentence(w(10)))}", f"      - {_q(p.sentence(w(10)))}",
              f"    facilitator_notes: {_yaml_block(p.para(w(30)), 6)}", "    activities:"]
        # The first activity's participant text is a Markdown file (as in the real modules).
        link = "\n\nKeep [the reading](../handouts/h1.md) beside you for this session." if s == 1 else ""
        session_md = (f"{EDIT_FROM} {p.para(w(35))}\n\n**Key points**\n\n"
                      + "\n".join(f"- {p.sentence(w(7))}" for _ in range(3))
                      + f"{link}\n\n/// facilitator\n{p.para(w(15))}\n///\n")
        (folder / "sessions" / f"s{s}.md").write_text(session_md, encoding="utf-8")
        for a, (mins, variant) in enumerate(minutes, start=1):
            variant = variant if s == 2 else "core"
            y += [f"      - id: a{a}", f"        title: {_q(p.sentence(4)[:-1])}",
                  f"        method: {_METHODS[a - 1]}", f"        minutes: {mins}"]
            if variant != "core":
                y.append(f"        variant: {variant}")
            if a == 1:
                y.append(f"        participant: sessions/s{s}.md")
            else:
                y.append(f"        participant: {_yaml_block(p.para(w(18)), 10)}")
            y.append(f"        facilitator: {_yaml_block(p.para(w(24)), 10)}")
            if s == 1 and a == 2:
                y.append("        handout: h1")
    y += ["handouts:", "  - id: h1", f"    title: {_q(topic.capitalize() + ': a short reading')}",
          "    kind: reading", "    file: handouts/h1.md", "    sources:", f"      - ref: {refs[0]}"]
    rows = "\n".join(f"| {p.sentence(3)[:-1]} | {p.sentence(w(6))} |" for _ in range(4))
    handout = (f"## {p.sentence(4)[:-1]}\n\n{p.para(w(80))}\n\n"
               + "\n".join(f"- {p.sentence(w(8))}" for _ in range(4))
               + f"\n\n| Step | What to do |\n|---|---|\n{rows}\n\n## {p.sentence(3)[:-1]}\n\n{p.para(w(70))}\n")
    (folder / "handouts" / "h1.md").write_text(handout, encoding="utf-8")
    y.append("assessment:")
    kinds = ["single", "single", "multiple", "true-false", "open", "open"]
    for q, kind in enumerate(kinds, start=1):
        y += [f"  - id: q{q}", f"    objective: lo{(q - 1) % 3 + 1}", f"    type: {kind}",
              f"    prompt: {_q(p.sentence(w(12))[:-1] + '?')}"]
        if kind in ("single", "multiple"):
            y.append("    options:")
            y += [f"      {k}: {_q(p.sentence(w(5)))}" for k in "abcd"]
            y.append("    answer: b" if kind == "single" else "    answer: [a, c]")
        elif kind == "true-false":
            y.append('    answer: "true"')
        else:
            y.append(f"    answer: {_q(p.sentence(w(10)))}")
        y.append(f"    explanation: {_q(p.sentence(w(9)))}")
    (folder / "module.yml").write_text("\n".join(y) + "\n", encoding="utf-8")
    return p.words


def write_workshop(path: Path, k: int, modules: list[str]) -> None:
    """A workshop over ``modules``: every session, six per day, with breaks and a lunch."""
    refs = [f"{m}/s{s}" for m in modules for s in (1, 2, 3)]
    y = [f"id: {path.stem}", f"title: {_q(f'Synthetic workshop {k + 1}')}",
         "summary: A workshop generated by the benchmark.", "audience: [caseworkers]", "participants: 20",
         "venue: Seoul", "mode: on-site", f"start_date: 2027-0{1 + k % 9}-04",
         "facilitators:", "  - name: Lead facilitator", "    role: lead", "days:"]
    for d in range(0, len(refs), 6):
        y += [f"  - title: Day {d // 6 + 1}", '    start: "08:30"', '    end: "17:30"', "    slots:",
              "      - title: Opening", "        kind: opening", "        minutes: 15"]
        for j, ref in enumerate(refs[d:d + 6]):
            y += [f"      - session: {ref}", f"        variant: {'core' if j % 2 else 'full'}"]
            if j in (0, 4) and d + j + 1 < min(len(refs), d + 6):
                y += ["      - break: 15", "        title: Break"]
            elif j == 2 and d + j + 1 < min(len(refs), d + 6):
                y += ["      - break: 60", "        title: Lunch"]
        y += ["      - title: Check-out", "        kind: closing", "        minutes: 15"]
    path.write_text("\n".join(y) + "\n", encoding="utf-8")


def make_curriculum(dest: Path, n_modules: int, repo: Path, n_workshops: int | None = None,
                    words: int = 1500) -> dict[str, Any]:
    """Write a synthetic repository with ``n_modules`` modules into ``dest``."""
    t0 = time.perf_counter()
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "modules").mkdir(parents=True)
    (dest / "curriculum").mkdir()
    shutil.copy2(repo / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(repo / "curriculum" / "sources", dest / "curriculum" / "sources")
    if (repo / "curriculum" / "glossary.yml").is_file():
        shutil.copy2(repo / "curriculum" / "glossary.yml", dest / "curriculum" / "glossary.yml")
    shutil.copytree(repo / "seeds", dest / "seeds")
    sources = _source_ids(repo)
    total_words = 0
    for i in range(n_modules):
        total_words += write_module(dest / "modules" / module_id(i), i, sources, words)
    if (repo / "curriculum" / "curriculum.yml").is_file():
        # The curriculum index (home page text, tracks in order), as the repository has one.
        y = ["title: Synthetic curriculum", "summary: |", "  A curriculum generated by the benchmark.", "tracks:"]
        for t, track in enumerate(_TRACKS):
            ids = [module_id(i) for i in range(t, n_modules, len(_TRACKS))]
            if ids:
                y += [f"  - id: {track}", f"    title: {_q(track.replace('-', ' ').capitalize())}",
                      f"    modules: [{', '.join(ids)}]"]
        (dest / "curriculum" / "curriculum.yml").write_text("\n".join(y) + "\n", encoding="utf-8")
    n_workshops = n_workshops or workshops_for(n_modules)
    per = min(4, n_modules)
    step = max(1, (n_modules - per) // max(1, n_workshops - 1)) if n_workshops > 1 else 0
    for k in range(n_workshops):
        first = min(k * step, n_modules - per)
        write_workshop(dest / "curriculum" / f"workshop-{k + 1:02d}.yml", k,
                       [module_id(j) for j in range(first, first + per)])
    return {"modules": n_modules, "workshops": n_workshops, "modules_per_workshop": per,
            "words_per_module": round(total_words / max(1, n_modules)),
            "seconds_to_generate": round(time.perf_counter() - t0, 3)}


def edit_target(root: Path) -> Path:
    """The session text that the incremental run edits: a module the first workshop uses."""
    return root / "modules" / module_id(0) / "sessions" / "s1.md"


def copy_repository(repo: Path, dest: Path) -> dict[str, Any]:
    """Copy the repository's own curriculum (content only) for a run that may edit it."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("modules", "curriculum", "seeds"):
        if (repo / name).is_dir():
            shutil.copytree(repo / name, dest / name)
    shutil.copy2(repo / "mkdocs.yml", dest / "mkdocs.yml")
    modules = [p for p in (dest / "modules").iterdir() if (p / "module.yml").is_file()]
    words = sum(len(p.read_text(encoding="utf-8").split()) for m in modules for p in m.rglob("*")
                if p.suffix in (".md", ".yml"))
    return {"modules": len(modules), "workshops": len([p for p in (dest / "curriculum").glob("*.yml")
                                                        if p.name not in ("glossary.yml", "curriculum.yml")]),
            "words_per_module": round(words / max(1, len(modules))), "repository": str(repo)}


def repo_edit_target(root: Path) -> tuple[Path, str, str]:
    """A session text of the repository's curriculum and a one-word change to it."""
    for path in sorted((root / "modules").glob("*/sessions/*.md")):
        text = path.read_text(encoding="utf-8")
        if " the " in text:
            return path, " the ", " this "
    raise BenchError("no session text to edit in the repository's modules")
