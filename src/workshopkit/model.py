"""The content model: one schema for every file an editor writes.

Each field carries a one-line description (it becomes the JSON Schema description and the
editor's guide) and, where the field is private by type, its visibility (``x-visibility``):
the audience gate reads that metadata, so a field declared facilitator-only can never reach a
participant output, whatever an author writes in it.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

# --------------------------------------------------------------------------------------------
# Building blocks

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")]

#: The words YAML 1.1 reads as true or false. The reader keeps them as text, but where a key asks
#: for a sentence (what a participant may do instead of a role play), a bare "no" is a yes/no
#: answer that participants would read as the sentence.
YES_NO_WORDS = ("y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
                "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF")


def _not_yes_no(value: str) -> str:
    if value.strip() in YES_NO_WORDS:
        raise PydanticCustomError("yes_no_word", "'{word}' is a yes/no answer, not the sentence this key asks for",
                                  {"word": value.strip()})
    return value


#: Text that says something to do or to know, where a yes/no word is always a slip.
Sentence = Annotated[str, AfterValidator(_not_yes_no),
                     Field(json_schema_extra={"not": {"pattern": "^(" + "|".join(YES_NO_WORDS) + ")$"}})]

VISIBILITY_KEY = "x-visibility"
MARKDOWN_KEY = "x-markdown"
#: Marks a title: plain one-line text that names a page, a nav entry or a heading (no HTML, no
#: Markdown code), because the sites print titles in places that read them as HTML.
TITLE_KEY = "x-title"
#: Marks a text that translators translate (see :mod:`workshopkit.i18n`); Markdown fields and
#: titles are translated too. Ids, enums, times, addresses and file names never are.
TRANSLATE_KEY = "x-translate"
TRANSLATED: dict[str, Any] = {TRANSLATE_KEY: True}


def md(description: str, *, vis: str | None = None, default: Any = "", **kw: Any) -> Any:
    """A Markdown field; its text may be written inline or be the name of a ``.md`` file."""
    extra: dict[str, Any] = {MARKDOWN_KEY: True, TRANSLATE_KEY: True}
    if vis:
        extra[VISIBILITY_KEY] = vis
    return Field(default, description=description, json_schema_extra=extra, **kw)


def title_field(description: str, **kw: Any) -> Any:
    """A title field (see :data:`TITLE_KEY`)."""
    return Field(description=description, json_schema_extra={TITLE_KEY: True, TRANSLATE_KEY: True}, **kw)


def private(description: str, vis: str = "facilitator", *, translate: bool = False, **kw: Any) -> Any:
    """A field that is private by type: only ``vis`` and more trusted audiences see it."""
    if "default" not in kw and "default_factory" not in kw:
        kw["default"] = None
    extra: dict[str, Any] = {VISIBILITY_KEY: vis}
    if translate:
        extra[TRANSLATE_KEY] = True
    return Field(description=description, json_schema_extra=extra, **kw)


class Base(BaseModel):
    """Unknown keys are errors: a typo must never pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=True)


VisibilityName = Literal["public", "participant", "restricted", "facilitator", "organiser"]


class Method(str, Enum):
    presentation = "presentation"
    discussion = "discussion"
    case_study = "case-study"
    role_play = "role-play"
    group_work = "group-work"
    quiz = "quiz"
    reflection = "reflection"
    energiser = "energiser"
    brainstorm = "brainstorm"
    card_sort = "card-sort"
    simulation = "simulation"
    demonstration = "demonstration"
    panel = "panel"
    peer_learning = "peer-learning"
    self_care = "self-care"


class Variant(str, Enum):
    core = "core"
    extension = "extension"


class HandoutKind(str, Enum):
    reading = "reading"
    worksheet = "worksheet"
    job_aid = "job-aid"
    case_study = "case-study"
    checklist = "checklist"
    role_card = "role-card"


class ItemType(str, Enum):
    single = "single"
    multiple = "multiple"
    true_false = "true-false"
    open = "open"


class ContentWarningTag(str, Enum):
    trafficking_exploitation = "trafficking-exploitation"
    sexual_violence = "sexual-violence"
    physical_violence = "physical-violence"
    torture = "torture"
    detention = "detention"
    forced_return = "forced-return"
    child_abuse = "child-abuse"
    suicide_self_harm = "suicide-self-harm"
    death_bereavement = "death-bereavement"
    starvation = "starvation"
    family_separation = "family-separation"
    graphic_images = "graphic-images"


#: Verbs an objective may start with (observable behaviour, revised Bloom taxonomy).
OBJECTIVE_VERBS = frozenset("""
define list name recall recognise recognize identify state
describe explain summarise summarize distinguish classify interpret give outline
apply demonstrate use conduct practise practice complete carry respond refer handle follow
analyse analyze compare differentiate map examine
assess evaluate justify prioritise prioritize critique decide select
design develop plan formulate draft create prepare
""".split())
VAGUE_VERBS = frozenset("understand know learn appreciate realise realize grasp".split())


# --------------------------------------------------------------------------------------------
# Sources and seeds


class Citation(Base):
    """A reference from content to a source in the library (``curriculum/sources/*.yml``) or a seed."""

    ref: Id = Field(description="Id of a source in curriculum/sources/*.yml or of a seed record in seeds/.")
    pinpoint: str = Field("", description="Where in the source: chapter, page or section (e.g. 'ch. 2').")
    note: str = Field("", description="What this source supports here, in a few words.")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"ref": value}
        return value


Reuse = Literal["all-rights-reserved", "educational-with-ack", "cc-by", "cc-by-nc-sa-igo",
                "un-document", "public-domain", "unknown"]
SourceKind = Literal["manual", "handbook", "guideline", "standard", "training-package",
                     "un-document", "resolution", "report", "article", "news", "blog",
                     "statement", "dataset", "video", "webpage", "book", "event"]


class Source(Base):
    """A publication the curriculum draws on, described in the project's own words."""

    id: Id = Field(description="Stable id used in citations, e.g. 'who-pfa-guide-2011'.")
    kind: SourceKind = Field(description="What sort of document it is.")
    title: Text = title_field("Full title as published (in a translation: the title of the edition published in "
                              "that language, or the original title unchanged when there is none).")
    authors: list[str] = Field(default_factory=list, description="Personal authors or editors, if any.")
    publisher: Text = Field(description="Publisher or corporate author.")
    year: int | None = Field(None, ge=1900, le=2100, description="Year of publication.")
    date: dt.date | None = Field(None, description="Exact date of publication, when it matters (news, events).")
    url: str = Field("", description="Address of the original (http or https).")
    identifiers: dict[str, str] = Field(default_factory=dict, description="ISBN, UN document symbol or DOI.")
    reuse: Reuse = Field("unknown", description="What the rights holder allows: cite and link 'all-rights-reserved' "
                                                "works, never reproduce them.")
    summary: str = Field("", json_schema_extra=TRANSLATED, description="A short summary in the project's own words.")
    key_facts: list[str] = Field(default_factory=list, json_schema_extra=TRANSLATED,
                                 description="Facts the curriculum uses, in the project's own "
                                                                   "words, with their date.")
    accessed: dt.date | None = Field(None, description="When the URL was last checked.")
    language: str = Field("en", description="Language of the source (BCP 47 code).")
    seed_file: str = Field("", description="For seed records: the name of the seed document the record summarises.")
    #: The title as written in English, kept when a translation gives the title of another edition.
    _original_title: str = PrivateAttr("")

    @property
    def original_title(self) -> str:
        return self._original_title

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
            raise ValueError("must be an http:// or https:// address without spaces")
        return value


class SourceLibrary(Base):
    """The shared bibliography in ``curriculum/sources/*.yml``."""

    sources: list[Source] = Field(description="Every publication cited by any module.")


# --------------------------------------------------------------------------------------------
# Modules


class Objective(Base):
    """A learning objective: what a participant can do at the end, starting with an observable verb."""

    id: Id = Field(description="Stable id inside the module, e.g. 'lo1'.")
    text: Text = Field(json_schema_extra=TRANSLATED,
                       description="The objective, starting with an observable verb ('Explain …', 'Apply …').")

    @field_validator("text")
    @classmethod
    def _verb(cls, value: str) -> str:
        first = re.split(r"[\s,]", value.strip(), maxsplit=1)[0].lower()
        if first in VAGUE_VERBS:
            raise ValueError(f"'{first}' cannot be observed; start with a verb such as explain, identify, apply or demonstrate")
        if first not in OBJECTIVE_VERBS:
            raise ValueError(f"'{first}' is not in the list of observable verbs; start with e.g. explain, identify, "
                             f"apply, demonstrate, plan")
        return value


class ContentWarnings(Base):
    """What difficult material the module shows, announced before the content."""

    tags: list[ContentWarningTag] = Field(default_factory=list, description="Kinds of difficult material (empty when "
                                                                            "there is none).")
    note: Sentence = Field("", json_schema_extra=TRANSLATED,
                           description="One or two sentences for participants: what they will meet and how much detail.")


class FillIn(Base):
    """A space to write on a printed worksheet."""

    label: Text = Field(json_schema_extra=TRANSLATED, description="The prompt printed above the writing space.")
    lines: int = Field(3, ge=1, le=30, description="How many ruled lines to print.")


class HandoutPrint(Base):
    """How a handout that is cut out prints: cards on a grid, role cards or pocket cards.

    The handout's text is split into cards at each line that holds only ``---`` (with a blank line
    above it); the text before the first such line is the instructions, printed on a sheet of
    their own with the QR code, so that the sheets to cut hold only cards. A text without ``---``
    is one card with no instructions.
    """

    layout: Literal["cards", "role-cards", "pocket"] = Field(
        description="'cards': numbered cards on a grid with dashed cut lines (a card sort, dilemma cards); "
                    "'role-cards': one card per half page; 'pocket': a card to keep, several up per sheet.")
    columns: int = Field(2, ge=1, le=3, description="Cards: how many cards side by side on a sheet.")
    rows: int = Field(4, ge=1, le=6, description="Cards: how many rows of cards on a sheet.")
    size: Literal["a6", "credit-card"] = Field(
        "a6", description="Pocket cards: 'a6' (a quarter of the sheet: A6 on A4, 4¼ × 5½ in on Letter) or "
                          "'credit-card' (85.6 × 54 mm).")
    copies: int | None = Field(None, ge=1, le=12, description="How many copies of each card one sheet holds "
                                                                "(role and pocket cards; pocket cards fill the sheet "
                                                                "when it is not given).")
    intro: Literal["separate", "every-card"] = Field(
        "separate", description="Where the text before the first card goes: on its own sheet with the QR code "
                                "('separate'), or at the top of every card, e.g. a scene that every role needs "
                                "('every-card').")
    key: Id | None = Field(None, description="Cards: id of the handout of this module that holds the answer key; "
                                             "the numbers in the first column of its table must be the cards' "
                                             "numbers.")

    @model_validator(mode="after")
    def _fits_layout(self) -> HandoutPrint:
        given = self.model_fields_set
        wrong = {"cards": {"size", "copies"}, "role-cards": {"columns", "rows", "size", "key"},
                 "pocket": {"columns", "rows", "key", "intro"}}[self.layout] & given
        if wrong:
            raise ValueError(f"'{sorted(wrong)[0]}' does not apply to the layout '{self.layout}'")
        if self.layout == "role-cards" and self.copies is not None and self.copies > 2:
            raise ValueError("a sheet holds two role cards (one per half page): 'copies' is 1 or 2")
        return self


class Handout(Base):
    """A stand-alone document given to participants (1–3 printed pages)."""

    id: Id = Field(description="Stable id inside the module.")
    title: Text = title_field("Title printed at the top of the handout.")
    kind: HandoutKind = Field(description="reading, worksheet, job-aid, case-study, checklist or role-card.")
    file: str = Field("", description="Markdown file with the handout's text, relative to the module folder.")
    body: SkipJsonSchema[str] = md("The handout's text (read from 'file').")
    visibility: VisibilityName = Field("participant", description="Who may see it; 'facilitator' for answer sheets.")
    anonymisation: Literal["fictional", "composite"] | None = Field(
        None, description="For case studies: say that the case is fictional or a composite (required).")
    fill_in: list[FillIn] = Field(default_factory=list, description="Writing spaces printed after the text (worksheets).")
    sources: list[Citation] = Field(default_factory=list, description="Sources the handout draws on.")
    pages_max: int = Field(3, ge=1, le=10, description="The most printed pages the handout may take.")
    print: HandoutPrint | None = Field(None, description="For material that is cut out (card sets, role cards, "
                                                         "pocket cards): how it prints.")

    @model_validator(mode="after")
    def _case(self) -> Handout:
        if self.kind == HandoutKind.case_study.value and self.anonymisation is None:
            raise ValueError("a case study must say whether it is 'fictional' or 'composite' (anonymisation)")
        return self


class RoleDebrief(Base):
    """The debrief questions for the people who played one role of a role play."""

    role: Text = Field(json_schema_extra=TRANSLATED, description="The role, named as participants know it: 'Helper', "
                                                                 "'Affected person', 'Observer' …")
    questions: list[Text] = Field(json_schema_extra=TRANSLATED, min_length=1,
                                  description="What the facilitator asks the people in this role, in order.")


#: A timing range as a manual gives it: '10-15' (or with an en dash, '10–15').
MINUTE_RANGE = re.compile(r"^\s*(\d{1,3})\s*[-–]\s*(\d{1,3})\s*$")
_MINUTES_SCHEMA = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 480},
                             {"type": "string", "pattern": r"^\s*\d{1,3}\s*[-–]\s*\d{1,3}\s*$"}]}


class Activity(Base):
    """One timed step of a session."""

    id: Id = Field(description="Stable id inside the session.")
    title: Text = title_field("Short name of the activity.")
    method: Method = Field(description="How it is run: presentation, discussion, case-study, role-play, group-work, "
                                       "quiz, reflection, …")
    minutes: Annotated[int, WithJsonSchema(_MINUTES_SCHEMA)] = Field(
        ge=1, le=480, description="Time it takes, in minutes; or a range where it varies, e.g. '10-15': plans and "
                                  "clocks count the shorter time, and the range is shown beside it.")
    minutes_max: SkipJsonSchema[int | None] = Field(None, description="The longer end of a timing range.")
    variant: Variant = Field(Variant.core, description="'core' runs in the short version of the session; 'extension' "
                                                       "only in the full version.")
    grouping: Literal["individual", "pairs", "triads", "small-groups", "plenary"] = Field(
        "plenary", description="How participants are grouped.")
    participant: str = md("What participants read or do (Markdown, or the name of a .md file).")
    facilitator: str = md("Steps, what to say and ask, expected answers, timing tips (facilitator only).", vis="facilitator")
    handout: Id | None = Field(None, description="Id of a handout of this module used in the activity.")
    safety_notes: str = md("What to watch for and what to do if someone is distressed (facilitator only).", vis="facilitator")
    materials: list[str] = private(translate=True,
                                   description="What to bring or print for this activity only (left off the lists when the "
                                   "session runs in its core version and the activity is an extension).",
                                   default_factory=list)
    debrief: list[str] = private(translate=True, description="Debrief questions the facilitator asks (everyone; "
                                 "after those of 'debrief_by_role').", default_factory=list)
    debrief_by_role: list[RoleDebrief] = private(
        translate=True, default_factory=list,
        description="A debrief in turns: the questions for the people in each role of a role play (e.g. the "
                    "helper, the affected person, the observer), in the order they are asked, before the questions "
                    "of 'debrief'.")
    opt_out: Sentence = Field("", json_schema_extra=TRANSLATED,
                              description="What a participant may do instead (required for role plays).")
    de_roling: Sentence = private(translate=True,
                                  description="How participants step out of their roles after a role play.", default="")
    observer: Sentence = Field("", json_schema_extra=TRANSLATED, description="What the observer in a role play watches for.")

    @model_validator(mode="before")
    @classmethod
    def _minute_range(cls, data: Any) -> Any:
        """'minutes: 10-15' → minutes 10, minutes_max 15 (a range that is wrong is left to the
        field's own check, which says what is wrong at its line)."""
        if isinstance(data, dict) and isinstance(data.get("minutes"), str) and "minutes_max" not in data:
            found = MINUTE_RANGE.match(data["minutes"])
            if found and int(found.group(1)) < int(found.group(2)) <= 480:
                data = {**data, "minutes": int(found.group(1)), "minutes_max": int(found.group(2))}
        return data

    @field_validator("minutes", mode="before")
    @classmethod
    def _wrong_range(cls, value: Any) -> Any:
        found = MINUTE_RANGE.match(value) if isinstance(value, str) else None
        if found:
            low, high = int(found.group(1)), int(found.group(2))
            if low >= high:
                raise ValueError(f"the range '{value.strip()}' must go from the shorter time to the longer, e.g. "
                                 f"'{min(low, high)}-{max(low, high)}'")
            raise ValueError(f"the longer end of the timing range ({high}) must be at most 480 minutes")
        return value

    @model_validator(mode="after")
    def _role_play(self) -> Activity:
        if self.minutes_max is not None and not self.minutes < self.minutes_max <= 480:
            raise ValueError(f"the longer end of the timing range ({self.minutes_max}) must be more than "
                             f"{self.minutes} and at most 480 minutes")
        if self.method in (Method.role_play.value, Method.simulation.value):
            missing = [k for k in ("opt_out", "de_roling", "debrief") if not getattr(self, k)
                       and not (k == "debrief" and self.debrief_by_role)]
            if missing:
                raise ValueError(f"a {self.method} needs {', '.join(missing)} (opt-out, de-roling and a two-sided debrief)")
        return self


class Session(Base):
    """A timed block of a module, made of activities."""

    id: Id = Field(description="Stable id inside the module.")
    title: Text = title_field("Session title.")
    short_title: str = title_field("A short form of the title for running heads (at most 50 characters); the "
                                   "title when empty.", default="", max_length=50)
    minutes: int = Field(ge=5, le=480, description="Full length in minutes: the sum of all its activities.")
    objectives: list[Id] = Field(min_length=1, description="Ids of the module objectives this session serves.")
    visibility: VisibilityName = Field("participant", description="'restricted' for closed-door sessions (never on a web page).")
    summary: str = md("What the session is about, for participants.")
    content_warning: Sentence = Field("", json_schema_extra=TRANSLATED,
                                      description="Announcement shown before the session's content, if it shows "
                                                 "difficult material.")
    attribution: Literal["on-record", "chatham-house", "off-record"] = Field(
        "on-record", description="How what is said may be reported; restricted sessions use 'chatham-house' or 'off-record'.")
    materials: list[str] = private(translate=True, description="What to bring or print for this session.", default_factory=list)
    preparation: list[str] = private(translate=True,
                                     description="What the facilitator prepares beforehand.", default_factory=list)
    key_messages: list[str] = Field(json_schema_extra=TRANSLATED,
                                    default_factory=list, description="The points participants should take away.")
    facilitator_notes: str = md("Background and advice for running the session (facilitator only).", vis="facilitator")
    activities: list[Activity] = Field(min_length=1, description="The activities, in order.")
    slides: str = md("The session's own slides, shown after its objectives and plan in its slide decks: Markdown "
                     "(usually a file in the module folder, e.g. slides/intro.md), one slide after another with a "
                     "line of '---' between them, each opening with a heading that is its title; a '/// facilitator' "
                     "block on a slide becomes its speaker notes.")

    @model_validator(mode="after")
    def _restricted(self) -> Session:
        if self.visibility == "restricted" and self.attribution == "on-record":
            raise ValueError("a restricted session needs attribution 'chatham-house' or 'off-record'")
        return self


class AssessmentItem(Base):
    """A knowledge question; the same items make the pre-test and the post-test."""

    id: Id = Field(description="Stable id inside the module.")
    objective: Id = Field(description="Id of the objective this item checks.")
    type: ItemType = Field(description="single, multiple, true-false or open.")
    prompt: Text = Field(json_schema_extra=TRANSLATED, description="The question as printed.")
    options: dict[str, Text] = Field(json_schema_extra=TRANSLATED,
                                     default_factory=dict, description="Choices keyed by letter (a, b, c …) for "
                                                                       "single and multiple.")
    answer: str | list[str] | None = private("Key of the right option(s), 'true'/'false', or a model answer for open items.")
    explanation: str = md("Why the answer is right (facilitator only).", vis="facilitator")
    phase: Literal["pre", "post", "both"] = Field("both", description="Whether the item is in the pre-test, the "
                                                                      "post-test or both.")


class FacilitatorGuide(Base):
    """Module-level advice for facilitators."""

    background: str = md("What a facilitator should know before running the module.")
    preparation: list[str] = Field(json_schema_extra=TRANSLATED,
                                   default_factory=list, description="Module-wide preparation steps.")
    disclosure: str = md("What to do if a participant discloses abuse or is distressed.")
    misconceptions: list[str] = Field(json_schema_extra=TRANSLATED,
                                      default_factory=list, description="Common misunderstandings and how to correct them.")


class Module(Base):
    """A training module: ``modules/<id>/module.yml``."""

    id: Id = Field(description="The module id; must equal the folder name.")
    title: Text = title_field("Module title.")
    short_title: str = title_field("A short form of the title for running heads (at most 50 characters); the "
                                   "title when empty.", default="", max_length=50)
    summary: str = md("Two or three sentences on what the module covers and for whom.")
    aim: str = Field("", json_schema_extra=TRANSLATED, description="One sentence: what the module is for.")
    version: str = Field("1.0", pattern=r"^\d+(\.\d+){0,2}$", description="Version of the module, e.g. '1.2'.")
    status: Literal["draft", "piloted", "stable"] = Field("draft", description="How mature the module is.")
    language: str = Field("en", description="Language of the text (BCP 47 code).")
    audience: list[Text] = Field(json_schema_extra=TRANSLATED, min_length=1, description="Roles the module is written for.")
    level: Literal["introductory", "intermediate", "advanced"] = Field(description="Level of the module.")
    track: str = Field("", description="Track of the curriculum the module belongs to.")
    visibility: VisibilityName = Field("participant", description="'restricted' for a closed-door module.")
    sensitivity: Literal["standard", "sensitive", "highly-sensitive"] = Field(
        "standard", description="How sensitive the topic is.")
    prerequisites: list[Id] = Field(default_factory=list, description="Ids of modules to take first.")
    learning_objectives: list[Objective] = Field(min_length=1, description="What participants can do at the end (3–5).")
    key_messages: list[str] = Field(json_schema_extra=TRANSLATED,
                                    default_factory=list, description="Key learning points of the module.")
    content_warnings: ContentWarnings = Field(description="Difficult material in the module; write 'tags: []' when "
                                                          "there is none.")
    sources: list[Citation] = Field(min_length=1, description="Sources the module draws on (ids from the library or seeds).")
    facilitator: FacilitatorGuide = private("Advice for facilitators (facilitator only).", default_factory=FacilitatorGuide)
    sessions: list[Session] = Field(min_length=1, description="The sessions, in teaching order.")
    handouts: list[Handout] = Field(default_factory=list, description="Stand-alone documents for participants.")
    assessment: list[AssessmentItem] = Field(default_factory=list, description="Knowledge questions for the pre/post test.")

    def session(self, sid: str) -> Session | None:
        return next((s for s in self.sessions if s.id == sid), None)

    def handout(self, hid: str) -> Handout | None:
        return next((h for h in self.handouts if h.id == hid), None)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sessions)


# --------------------------------------------------------------------------------------------
# Workshops


class WorkshopSession(Base):
    """A plan for a part of the day that belongs to no module (the opening and its ground rules,
    the pre-test, a daily check-in, the closing): the same fields as a module's session, written
    in the workshop file and named by the slots that run it (``plan:``)."""

    id: Id = Field(description="Stable id inside the workshop; slots name it with 'plan'.")
    title: Text = title_field("Title of the plan (the agenda shows the slot's title when it has one).")
    short_title: str = title_field("A short form of the title for running heads (at most 50 characters); the "
                                   "title when empty.", default="", max_length=50)
    kind: Literal["opening", "closing", "pre-test", "post-test", "evaluation", "plenary", "lecture",
                  "discussion", "check-in", "other"] = Field("other", description="What sort of programme item it is "
                                                                                  "(a slot may say otherwise).")
    minutes: int = Field(ge=5, le=480, description="Length in minutes: the sum of its activities.")
    summary: str = md("What happens in this part of the day, for participants.")
    materials: list[str] = private(translate=True, description="What to bring or print for it.", default_factory=list)
    preparation: list[str] = private(translate=True,
                                     description="What the facilitators prepare beforehand.", default_factory=list)
    key_messages: list[str] = Field(json_schema_extra=TRANSLATED,
                                    default_factory=list, description="The points participants should take away.")
    facilitator_notes: str = md("Background and advice for running it (facilitator only).", vis="facilitator")
    activities: list[Activity] = Field(min_length=1, description="The timed steps, in order.")


FacilitatorRef = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class Slot(Base):
    """One line of a day: a session, a whole module, a break or a programme item."""

    session: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$",
                                description="'module-id/session-id' of one session.")
    module: Id | None = Field(None, description="Id of a module: all its sessions, in order.")
    plan: Id | None = Field(None, description="Id of one of the workshop's own 'sessions': a programme item run by "
                                              "that plan (its title and minutes come from the plan unless given).")
    variant: Literal["core", "full"] = Field("full", description="'core' skips extension activities.")
    break_: int | None = Field(None, alias="break", ge=5, le=180, description="A break of this many minutes.")
    title: str = title_field("Title of a programme item or break (e.g. 'Opening', 'Lunch').", default="")
    minutes: int | None = Field(None, ge=5, le=480, description="Length of a programme item.")
    kind: Literal["opening", "closing", "pre-test", "post-test", "evaluation", "plenary", "lecture",
                  "discussion", "check-in", "other"] | None = Field(None, description="What sort of programme item.")
    delivery: Literal["on-site", "online", "hybrid"] | None = Field(None, description="Overrides the workshop's mode "
                                                                                      "for this slot (e.g. a remote lecture).")
    location: str = Field("", json_schema_extra=TRANSLATED,
                          description="Where it takes place when not in the main room (e.g. 'breakout room B', "
                                      "'outdoors'); shown in every agenda.")
    lead: FacilitatorRef | None = private("Id of the facilitator who leads it (one of the workshop's 'facilitators'; "
                                          "facilitator only).")
    support: list[FacilitatorRef] = private("Ids of the facilitators who support the lead (facilitator only).",
                                            default_factory=list)
    note: str = Field("", json_schema_extra=TRANSLATED, description="A short note shown in the agenda.")

    @model_validator(mode="after")
    def _one_kind(self) -> Slot:
        kinds = [k for k in ("session", "module", "break_", "plan") if getattr(self, k) is not None]
        if self.minutes is not None and not kinds:
            kinds.append("item")
        if len(kinds) != 1:
            raise ValueError("a slot is exactly one of: 'session', 'module', 'break', 'plan', or a programme item "
                             "with 'title' and 'minutes'")
        if kinds == ["item"] and not self.title:
            raise ValueError("a programme item needs a 'title'")
        return self


class Day(Base):
    """One day of a workshop; clock times are computed from ``start`` and the slots."""

    title: str = title_field("Heading of the day, e.g. 'Seminar (closed-door)'.", default="")
    date: dt.date | None = Field(None, ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31),
                                 description="Date of the day (default: the workshop's start date plus the day number).")
    start: Clock = Field(description="Start time, 'HH:MM'.")
    end: Clock = Field(description="Latest end time, 'HH:MM'.")
    mode: Literal["on-site", "online", "hybrid"] | None = Field(None, description="Overrides the workshop's mode for this day.")
    slots: list[Slot] = Field(min_length=1, description="The day's programme, in order.")


class Person(Base):
    """A member of the facilitation team."""

    id: Id | None = Field(None, description="Short id that slots use to name who leads them (e.g. 'lead', 'psy').")
    name: Text = Field(description="Name as it should appear (an alias is fine).")
    role: str = Field("", json_schema_extra=TRANSLATED, description="Role in the workshop, e.g. 'lead facilitator'.")
    responsibilities: list[str] = Field(json_schema_extra=TRANSLATED, default_factory=list,
                                        description="What this person takes care of during the workshop (timekeeping, "
                                                    "the quiet room, interpreting …).")


class PreparationTask(Base):
    """A task of the workshop's preparation timeline."""

    when: Literal["weeks-before", "week-before", "day-before", "morning-of"] = Field(
        description="When it is done: weeks before, the week before, the day before or the morning of each day.")
    task: Text = Field(json_schema_extra=TRANSLATED, description="What to do, in one sentence.")


class SupportContact(Base):
    service: Text = Field(json_schema_extra=TRANSLATED, description="Name of the service (e.g. a counselling line).")
    how_to_reach: Text = Field(json_schema_extra=TRANSLATED, description="Phone, room or address.")
    hours: str = Field("", json_schema_extra=TRANSLATED, description="When it can be reached.")


#: The evaluation form's default statements (rated on the agree scale) and open questions, in the
#: order the form asks them: the tool's own texts ``eval_q_<id>`` and ``eval_open_<id>``, named
#: ``agree_<id>`` and ``open_<id>`` in the forms and the answer files.
EVALUATION_STATEMENTS = ("objectives", "facilitation", "safe", "materials", "apply")
EVALUATION_OPEN_QUESTIONS = ("best", "change", "use", "other")


class EvaluationQuestion(Base):
    """A question of the workshop's own on its evaluation form: a statement to rate, or an open question."""

    id: Id = Field(description="Stable id; the forms and the answer files name the question after it: 'agree_' "
                               "(a rating) or 'open_' (an open question), then the id with '_' for '-' (e.g. "
                               "'agree_interpreter_use').")
    type: Literal["rating", "open"] = Field(
        description="'rating': a statement rated from 1 (strongly disagree) to 5 (strongly agree), in the table of "
                    "statements; 'open': a question answered on ruled lines.")
    text: Annotated[Text, AfterValidator(_not_yes_no)] = Field(
        json_schema_extra={**TRANSLATED, "not": {"pattern": "^(" + "|".join(YES_NO_WORDS) + ")$"}},
        description="The statement to rate ('I can …') or the open question, as printed.")
    lines: int | None = Field(None, ge=1, le=12, description="Open questions: how many ruled lines to print (4, as "
                                                             "for the default ones, when not given).")

    @model_validator(mode="after")
    def _lines_for_open(self) -> EvaluationQuestion:
        if self.type == "rating" and self.lines is not None:
            raise ValueError("'lines' is for open questions; a rating is ticked on the scale of 1 to 5")
        return self


class WorkshopEvaluation(Base):
    """The workshop's own questions on its evaluation form, and whether the default ones stay."""

    defaults: Literal["keep", "replace"] = Field(
        "keep", description="'keep': the five default statements and the four default open questions stay, and the "
                            "workshop's questions follow them; 'replace': the form asks only the workshop's "
                            "questions. Either way each session is rated for its usefulness.")
    questions: list[EvaluationQuestion] = Field(default_factory=list,
                                                description="The workshop's own questions, in the order they are asked "
                                                            "(ratings in the table of statements, open questions "
                                                            "after it).")

    @model_validator(mode="after")
    def _something_to_ask(self) -> WorkshopEvaluation:
        if self.defaults == "replace" and not self.questions:
            raise ValueError("'defaults: replace' leaves the form without statements or open questions: add "
                             "'questions', or keep the defaults")
        return self


class Workshop(Base):
    """A workshop, seminar or training event: ``curriculum/<id>.yml``."""

    id: Id = Field(description="The workshop id; must equal the file name.")
    title: Text = title_field("Title of the event.")
    short_title: str = title_field("A short form of the title for running heads and tight spaces (at most 60 "
                                   "characters); the title when empty.",
                                   default="", max_length=60)
    subtitle: str = Field("", json_schema_extra=TRANSLATED, description="Subtitle shown on covers.")
    summary: str = md("What the event is for and who it is for.")
    aims: list[Text] = Field(json_schema_extra=TRANSLATED, default_factory=list,
                             description="What the workshop sets out to achieve, one sentence each (printed at the front "
                                         "of the facilitator guide).")
    audience: list[Text] = Field(json_schema_extra=TRANSLATED, min_length=1, description="Who takes part.")
    participants: int | None = Field(None, ge=1, le=1000, description="Expected number of participants.")
    languages: list[str] = Field(default_factory=lambda: ["en"], description="Languages of the event.")
    venue: str = Field("", json_schema_extra=TRANSLATED, description="Venue or city.")
    mode: Literal["on-site", "online", "hybrid"] = Field("on-site", description="How the event is delivered.")
    start_date: dt.date = Field(ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31), description="Date of the first day.")
    version: str = Field("1.0", pattern=r"^\d+(\.\d+){0,2}$", description="Version of the programme.")
    organisers: list[str] = Field(json_schema_extra=TRANSLATED, default_factory=list, description="Organising bodies.")
    funders: list[str] = Field(json_schema_extra=TRANSLATED, default_factory=list, description="Funding bodies.")
    attribution: Literal["on-record", "chatham-house", "off-record"] = Field("on-record", description="Default reporting rule.")
    recording: Literal["none", "internal", "public"] = Field("none", description="Whether sessions are recorded.")
    support_contacts: list[SupportContact] = Field(
        default_factory=list, description="Where participants can find support (needed when modules carry content warnings).")
    facilitators: list[Person] = private("Who facilitates (facilitator only).", default_factory=list)
    preparation: list[PreparationTask] = private("Tasks of the preparation timeline beside those of the sessions "
                                                 "(facilitator only).", default_factory=list)
    sessions: list[WorkshopSession] = Field(default_factory=list,
                                            description="Plans for the programme items that belong to no module "
                                                        "(opening, pre-test, check-in, closing …); slots name them "
                                                        "with 'plan'.")
    knowledge_test: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")]] = Field(
        default_factory=list,
        description="Items of the pre/post test as 'module-id/item-id'; when empty, one item for each objective the "
                    "workshop's sessions serve.")
    evaluation: WorkshopEvaluation = Field(
        default_factory=WorkshopEvaluation,
        description="The workshop's own questions on its evaluation form (statements to rate, open questions), and "
                    "whether they replace the default ones.")
    logistics: str = private(translate=True,
                             description="Room, equipment and other notes for organisers only.", vis="organiser", default="")
    days: list[Day] = Field(min_length=1, description="The days of the event.")
    guide_versions: Literal["agenda", "both"] = Field(
        "agenda", description="What the facilitator guide prints of a session that has extension activities: "
                              "'agenda', the version its slot runs; 'both', the core and the full version together "
                              "(extension activities in optional boxes, the core clock beside the full clock), so "
                              "that the team can lengthen or shorten a session on the day.")

    def day_date(self, index: int) -> dt.date:
        day = self.days[index]
        return day.date or self.start_date + dt.timedelta(days=index)

    def plan(self, pid: str | None) -> WorkshopSession | None:
        """The workshop session ``pid`` (a slot's ``plan``), if there is one."""
        return next((s for s in self.sessions if s.id == pid), None) if pid else None

    def person(self, pid: str | None) -> Person | None:
        """The member of the facilitation team with the id ``pid``, if there is one."""
        return next((p for p in self.facilitators if p.id == pid), None) if pid else None

    def slot(self, day: int, index: int) -> Slot | None:
        """The slot ``index`` of day ``day`` (both from 0)."""
        if 0 <= day < len(self.days) and 0 <= index < len(self.days[day].slots):
            return self.days[day].slots[index]
        return None


class Track(Base):
    """A group of modules for one audience, in teaching order."""

    id: Id = Field(description="Track id, used as 'track' in module.yml.")
    title: Text = title_field("Title shown on the sites.")
    summary: str = Field("", json_schema_extra=TRANSLATED, description="One or two sentences on who the track is for.")
    modules: list[Id] = Field(default_factory=list, description="Module ids in the order they are taught.")


class Curriculum(Base):
    """``curriculum/curriculum.yml``: the home page text and the tracks, in order."""

    title: Text = title_field("Title of the curriculum (the sites' home page heading).")
    summary: str = md("Introduction on the home page: what the curriculum is and who it is for.")
    how_to_use: str = md("How participants and facilitators use the manual and the PDFs.")
    tracks: list[Track] = Field(min_length=1, description="The tracks, in the order they are shown.")
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")]] = Field(
        default_factory=list, description="Languages the curriculum is translated into besides English (e.g. "
        "'[ko]'); their catalogues are the locales/LANG.po files of each module and of curriculum/.")


class GlossaryEntry(Base):
    term: Text = title_field("The term.")
    definition: Text = Field(json_schema_extra=TRANSLATED, description="A definition in the project's own words.")
    source: Citation | None = Field(None, description="Source of the definition.")
    see_also: list[str] = Field(default_factory=list, description="Related terms.")


class Glossary(Base):
    """``curriculum/glossary.yml``."""

    terms: list[GlossaryEntry] = Field(description="Terms in alphabetical order.")


#: The file schemas, for ``workshopkit schema``.
SCHEMAS: dict[str, type[BaseModel]] = {
    "module": Module,
    "workshop": Workshop,
    "source": Source,
    "sources": SourceLibrary,
    "glossary": Glossary,
    "curriculum": Curriculum,
}
