"""``workshopkit event results``: the results report and the evaluation summary of an event.

Reads the answer files of ``events/<event-id>/`` (:mod:`.answers`), computes the figures
(:mod:`.results`), draws the charts (:mod:`.charts`) and writes, into
``build/events/<event-id>/results/``, each document twice: a PDF (WeasyPrint, through the kit's
render path) and the same page as HTML. The folder is built beside its target and swapped in
whole, holding the output folder's lock, like every build: a failed run leaves the last report
in place. Nothing is written when a row is bad, unless the user asks to skip bad rows, and
then the report says how many were skipped.

The reports never hold a name: the test is answered under a code, the evaluation is anonymous,
and the comments are listed without attribution, as text (the templates escape them).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .. import atomic
from ..build import load_checked
from ..errors import BuildError, ContentError, Diagnostic
from ..strings import Strings, load_strings
from . import charts
from .answers import EVALUATION, TEST, Answers, Forms, read_answers
from .build import Kit, _dates, _environment, prepare, render
from .event import EVENTS
from .results import EvaluationResults, KnowledgeResults, evaluation_results, knowledge_items, match_tests

RESULTS = "results"
_C0 = {c: None for c in range(0x20) if chr(c) not in "\t\n"} | {0x7F: None}


# --------------------------------------------------------------------------------------------
# Figures as text


def _decimal(x: float, places: str) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def number(x: float | None) -> str:
    """At most two decimals, none when they are zero: 1.4, 2, 0.67; '–' for no value."""
    if x is None:
        return "–"
    text = format(_decimal(x, "0.01").normalize(), "f")
    return "0" if text in ("-0", "0") else text


def signed(x: float | None) -> str:
    text = number(x)
    return "+" + text if x is not None and text != "0" and not text.startswith("-") else text


def percent(share: float | None) -> str:
    return "–" if share is None else f"{_decimal(100 * share, '1')} %"


def _points(strings: Strings, share: float | None) -> str:
    """A difference of two shares, in percentage points."""
    if share is None:
        return "–"
    value = int(_decimal(100 * share, "1"))
    return f"{'+' if value > 0 else ''}{value} {strings['kit_points']}"


# --------------------------------------------------------------------------------------------
# The documents


def _common(kit: Kit) -> dict[str, object]:
    return {"title": kit.title, "venue": kit.venue, "dates": _dates(kit.days)}


def _results_charts(results: KnowledgeResults, strings: Strings) -> dict[str, str]:
    if not results.pairs:
        return {}
    labels = {"before": strings["kit_before"], "after": strings["kit_after"]}
    share = labels | {"x": strings["kit_share_correct"]}
    svgs = {
        "distribution": charts.score_distribution(results.max_score, results.distribution("pre"),
                                                  results.distribution("post"),
                                                  labels | {"x": strings["kit_score"], "y": strings["kit_participants"]}),
        "objectives": charts.before_after([f"{o.objective_id}: {o.objective}" for o in results.objectives],
                                          [o.pre for o in results.objectives], [o.post for o in results.objectives], share),
        "difficulty": charts.before_after([f"{strings['kit_item']} {r.item.number}" for r in results.item_results],
                                     [r.pre for r in results.item_results], [r.post for r in results.item_results], share),
    }
    return {name: charts.data_url(svg) for name, svg in svgs.items()}


def _evaluation_charts(evaluation: EvaluationResults, strings: Strings) -> dict[str, str]:
    drawn = {}
    for group, ratings, scale in (("sessions", evaluation.sessions, evaluation.scales["useful"]),
                                  ("statements", evaluation.statements, evaluation.scales["agree"])):
        if ratings:
            drawn[group] = charts.data_url(charts.diverging([r.label for r in ratings], [r.counts for r in ratings],
                                                            scale, strings["kit_eval_share"]))
    return drawn


def _document(kit: Kit, template: str, title: str, strings: Strings, paper: str, **context: object) -> tuple[str, str]:
    """A document as given to WeasyPrint (its CSS apart), and the same as a page with its CSS inside."""
    env = _environment(strings, paper)
    values = {"doc_title": title, "number": number, "signed": signed, "percent": percent,
              "points": lambda x: _points(strings, x), **_common(kit), **context}
    return (env.get_template(template).render(inline_css="", **values),
            env.get_template(template).render(inline_css=_css(strings, paper, title), **values))


def _inert(evaluation: EvaluationResults) -> EvaluationResults:
    """The comments without control characters (kept out of HTML and PDF text; line breaks stay)."""
    comments = [(q, [c.translate(_C0) for c in cs]) for q, cs in evaluation.comments]
    return dataclasses.replace(evaluation, comments=comments)


# --------------------------------------------------------------------------------------------
# The command


@dataclass
class BadAnswers(ContentError):
    """Answer files with problems; ``rows_only`` when each problem is one of a row (which
    ``--skip-bad`` would leave out)."""

    rows_only: bool = False


@dataclass
class ResultsReport:
    folder: Path
    files: list[str]
    answers: Answers
    knowledge: KnowledgeResults | None
    evaluation: EvaluationResults | None
    #: the problems of the rows that were skipped (--skip-bad), and the event's warnings
    skipped: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


def _css(strings: Strings, paper: str, title: str) -> str:
    return _environment(strings, paper).get_template("report.css.j2").render(doc_title=title)


def build_results(root: Path, event_id: str, skip_bad: bool = False, paper: str = "A4") -> ResultsReport:
    """Read the answers of one event and write its reports into ``build/events/<id>/results/``.

    Raises :class:`ContentError` with every problem when the curriculum, the event or an answer
    file is wrong, or when a row is bad and ``skip_bad`` is not set; nothing is written then.
    """
    project, _ = load_checked(root)
    kit, diags = prepare(root, event_id, project)
    if kit is None:
        raise ContentError([d for d in diags if d.severity == "error"] or diags)
    before = len(diags)
    answers = read_answers(root, kit, diags)
    problems = [d for d in diags[before:] if d.severity == "error"]
    if problems and (answers.file_problems or not skip_bad):
        raise BadAnswers(problems, rows_only=not answers.file_problems)
    if not answers.files:
        raise BuildError(f"{EVENTS}/{event_id}: no answer files; put the CSV exported from KoboToolbox or ODK, or "
                         f"the filled entry sheets of build/{EVENTS}/{event_id}/forms/, into {EVENTS}/{event_id}/")
    strings = load_strings("en")
    docs: dict[str, tuple[str, str]] = {}
    pages: dict[str, str] = {}
    knowledge = evaluation = None
    if TEST in answers.kinds:
        knowledge = match_tests(knowledge_items(project, kit.view, kit.workshop), answers.tests)
        title = strings["kit_results"]
        pdf, pages["results.html"] = _document(kit, "results.html.j2", title, strings, paper, results=knowledge,
                                               charts=_results_charts(knowledge, strings))
        docs["results.pdf"] = (title, pdf)
    if EVALUATION in answers.kinds:
        evaluation = _inert(evaluation_results(Forms.of(kit), answers.evaluations))
        title = strings["kit_evaluation_summary"]
        pdf, pages["evaluation.html"] = _document(kit, "evaluation_summary.html.j2", title, strings, paper,
                                                  evaluation=evaluation, charts=_evaluation_charts(evaluation, strings))
        docs["evaluation.pdf"] = (title, pdf)
    folder = _write(root, event_id, docs, pages, strings, paper)
    skipped = [dataclasses.replace(d, severity="warning") for d in problems]
    return ResultsReport(folder, sorted([*docs, *pages]), answers, knowledge, evaluation, skipped,
                         [d for d in diags[:before] if d.severity != "error"])


def _write(root: Path, event_id: str, docs: dict[str, tuple[str, str]], pages: dict[str, str], strings: Strings,
           paper: str) -> Path:
    out = (root / "build").resolve()
    event_folder = out / EVENTS / event_id
    target = event_folder / RESULTS
    with atomic.build_lock(out):
        stage = atomic.staging(out)
        try:
            folder = stage / RESULTS
            folder.mkdir()
            problems: list[str] = []
            for name, (title, html) in docs.items():
                problems += render({name: (title, html)}, _css(strings, paper, title), folder)
            if problems:
                raise BuildError("the results could not be made:\n  " + "\n  ".join(problems),
                                 f"{EVENTS}/{event_id}")
            for name, html in pages.items():
                (folder / name).write_text(html, encoding="utf-8")
            atomic.mark(folder)
            for parent in (out / EVENTS, event_folder):
                if parent.exists() or parent.is_symlink():
                    atomic.check_owned(parent)
                else:
                    atomic.mark(parent)
            atomic.swap_in([(folder, target)])
        finally:
            atomic.discard(stage)
    return target
