"""What the answers say: scores and gains of the knowledge test, and the evaluation in figures.

Pure functions of the answers and the workshop's items. A participant's pre-test and post-test
are matched by their code; every figure of the results is computed on the matched pairs, so
that before and after are the same people, and the participants who could not be matched are
counted apart.

- A score is the number of items answered correctly among the items asked both before and
  after (an item of one phase only counts in its difficulty, not in the scores). An item is
  correct when exactly the right options are picked; an unanswered item is not correct. Open
  items are not scored (a person marks them).
- The gain of a participant is the post score minus the pre score; the share who improved is
  the share of pairs whose gain is above zero.
- The difficulty of an item in a phase is the share of the pairs who answered it correctly.
- The gain of a learning objective is the share of its items answered correctly after minus
  before (all its scored items, all pairs).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from ..agenda import knowledge_test_items
from ..audience import View, WorkshopView
from ..load import Project
from .answers import Attempt, EvaluationAnswer, Forms
from .xlsform import _plain, field_name

#: How many of the most missed items the report names.
MOST_MISSED = 5


@dataclass(frozen=True)
class Item:
    """An item of the knowledge test, numbered as on the printed test."""

    number: int
    field: str  # its name in the forms and answer files
    module_id: str
    module_title: str
    item_id: str
    objective_id: str
    objective: str  # the objective's text
    prompt: str
    type: str
    phase: str  # "pre", "post" or "both"
    key: frozenset[str] | None  # the right option(s); None for an open item

    @property
    def scored(self) -> bool:
        return self.key is not None

    def asked(self, phase: str) -> bool:
        return self.phase in ("both", phase)

    def correct(self, answer: Attempt) -> bool:
        return self.key is not None and answer.picked.get(self.field, frozenset()) == self.key


def _key(answer: str | list[str] | None, item_type: str) -> frozenset[str] | None:
    if item_type == "open" or answer is None:
        return None
    values = [answer] if isinstance(answer, str) else answer
    return frozenset(v.strip().lower() if item_type == "true-false" else v.strip() for v in values)


def knowledge_items(project: Project, view: View, wv: WorkshopView) -> list[Item]:
    """The items of the workshop's test as the forms ask them, with their answer keys (from the
    full project: the view that made the forms holds no answer)."""
    full = {m.id: m for m in project.modules}
    out: list[Item] = []
    for number, (m, q) in enumerate(knowledge_test_items(wv.workshop, {m.id: m for m in view.modules}), start=1):
        source = next((i for i in full[m.id].assessment if i.id == q.id), None) if m.id in full else None
        objective = next((o.text for o in m.learning_objectives if o.id == q.objective), q.objective)
        out.append(Item(number, field_name(m.id, q.id), m.id, m.title, q.id, q.objective, objective, _plain(q.prompt), q.type,
                        q.phase, _key(source.answer if source else None, q.type)))
    return out


# --------------------------------------------------------------------------------------------
# The knowledge test


@dataclass(frozen=True)
class Pair:
    code: str
    pre: int
    post: int

    @property
    def gain(self) -> int:
        return self.post - self.pre


@dataclass(frozen=True)
class ItemResult:
    item: Item
    pre: float | None  # share correct before (None: not asked before)
    post: float | None


@dataclass(frozen=True)
class ObjectiveResult:
    module_title: str
    objective_id: str
    objective: str
    items: tuple[int, ...]  # numbers of its scored items
    pre: float
    post: float

    @property
    def gain(self) -> float:
        return self.post - self.pre


@dataclass
class KnowledgeResults:
    items: list[Item]
    max_score: int  # the number of scored items asked before and after
    pairs: list[Pair] = field(default_factory=list)
    pre_only: list[str] = field(default_factory=list)  # codes with a pre-test but no post-test
    post_only: list[str] = field(default_factory=list)
    item_results: list[ItemResult] = field(default_factory=list)
    objectives: list[ObjectiveResult] = field(default_factory=list)

    @property
    def unmatched(self) -> int:
        return len(self.pre_only) + len(self.post_only)

    @property
    def open_items(self) -> int:
        return sum(not i.scored for i in self.items)

    def mean(self, phase: str) -> float | None:
        return statistics.fmean(p.pre if phase == "pre" else p.post for p in self.pairs) if self.pairs else None

    @property
    def mean_gain(self) -> float | None:
        return statistics.fmean(p.gain for p in self.pairs) if self.pairs else None

    @property
    def median_gain(self) -> float | None:
        return float(statistics.median(p.gain for p in self.pairs)) if self.pairs else None

    @property
    def improved(self) -> int:
        return sum(p.gain > 0 for p in self.pairs)

    @property
    def share_improved(self) -> float | None:
        return self.improved / len(self.pairs) if self.pairs else None

    def distribution(self, phase: str) -> list[int]:
        """How many pairs had each score, 0 to the maximum."""
        counts = [0] * (self.max_score + 1)
        for p in self.pairs:
            counts[p.pre if phase == "pre" else p.post] += 1
        return counts

    def most_missed(self, limit: int = MOST_MISSED) -> list[ItemResult]:
        """The items most often missed after the workshop (missed by at least one person), the
        most missed first, then in the test's order."""
        after = [r for r in self.item_results if r.post is not None and r.post < 1]
        return sorted(after, key=lambda r: (r.post, r.item.number))[:limit]


def match_tests(items: list[Item], answers: list[Attempt]) -> KnowledgeResults:
    """Match the pre-tests and post-tests by code and compute the figures on the pairs."""
    scored = [i for i in items if i.scored and i.phase == "both"]
    results = KnowledgeResults(items, len(scored))
    pre = {a.code: a for a in answers if a.phase == "pre"}
    post = {a.code: a for a in answers if a.phase == "post"}
    codes = sorted(pre.keys() & post.keys())
    results.pre_only = sorted(pre.keys() - post.keys())
    results.post_only = sorted(post.keys() - pre.keys())
    results.pairs = [Pair(c, sum(i.correct(pre[c]) for i in scored), sum(i.correct(post[c]) for i in scored))
                     for c in codes]
    if not codes:
        return results

    def share(item: Item, phase: str) -> float | None:
        if not item.asked(phase):
            return None
        source = pre if phase == "pre" else post
        return sum(item.correct(source[c]) for c in codes) / len(codes)

    results.item_results = [ItemResult(i, share(i, "pre"), share(i, "post")) for i in items if i.scored]
    by_objective: dict[tuple[str, str], list[Item]] = {}
    for i in scored:
        by_objective.setdefault((i.module_id, i.objective_id), []).append(i)
    for group in by_objective.values():
        first = group[0]
        total = len(group) * len(codes)
        results.objectives.append(ObjectiveResult(
            first.module_title, first.objective_id, first.objective, tuple(i.number for i in group),
            sum(i.correct(pre[c]) for i in group for c in codes) / total,
            sum(i.correct(post[c]) for i in group for c in codes) / total))
    return results


# --------------------------------------------------------------------------------------------
# The evaluation


@dataclass(frozen=True)
class Rating:
    """The ratings of one session or statement."""

    field: str
    label: str
    counts: tuple[int, int, int, int, int]  # how many rated it 1, 2, 3, 4, 5

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        return sum((k + 1) * c for k, c in enumerate(self.counts)) / self.n if self.n else None


@dataclass
class EvaluationResults:
    forms: int
    sessions: list[Rating]
    statements: list[Rating]
    #: per open question: its label and the comments, sorted (so that the comments of one person
    #: to different questions cannot be put back together by their order)
    comments: list[tuple[str, list[str]]]
    scales: dict[str, list[str]]  # the labels of the 5 points: "useful" (sessions) and "agree"


def evaluation_results(forms: Forms, answers: list[EvaluationAnswer]) -> EvaluationResults:
    sessions: list[Rating] = []
    statements: list[Rating] = []
    comments: list[tuple[str, list[str]]] = []
    for q in forms.evaluation.values():
        if q.kind == "text":
            comments.append((q.label, sorted((a.comments[q.name] for a in answers if q.name in a.comments),
                                             key=str.casefold)))
            continue
        values = [a.ratings[q.name] for a in answers if q.name in a.ratings]
        rating = Rating(q.name, q.label, (values.count(1), values.count(2), values.count(3), values.count(4),
                                          values.count(5)))
        (statements if q.name.startswith("agree_") else sessions).append(rating)
    scales = {}
    for group, example in (("useful", next((q for q in forms.evaluation.values() if q.name.startswith("q_")), None)),
                           ("agree", next((q for q in forms.evaluation.values() if q.name.startswith("agree_")), None))):
        scales[group] = [label for _, label in example.choices] if example else []
    return EvaluationResults(len(answers), sessions, statements, comments, scales)
