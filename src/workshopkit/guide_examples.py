"""A short YAML example of each object of the schema, shown in the editor's guide.

Each example is a complete, valid object of its class (``tests/test_editor.py`` validates every
one against the schema), so the guide never shows a key that ``check`` would refuse.
"""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "Module": """\
id: first-contact
title: Safe first contact with newcomers
summary: How to open a first conversation that does no harm.
audience: [resettlement case workers]
level: introductory
track: service-providers
learning_objectives:
  - id: lo1
    text: Explain why consent comes before questions.
content_warnings:
  tags: []
sources:
  - ref: who-pfa-guide-2011
sessions:
  - id: opening
    title: Opening a first conversation
    minutes: 30
    objectives: [lo1]
    activities:
      - id: talk
        title: Short input
        method: presentation
        minutes: 30
        participant: sessions/opening.md
""",
    "Objective": """\
id: lo2
text: Apply the four action principles in a role play.
""",
    "ContentWarnings": """\
tags: [death-bereavement, family-separation]
note: The role plays mention the death of a parent; no graphic detail.
""",
    "Citation": """\
ref: who-pfa-guide-2011
pinpoint: ch. 3
note: the action principles
""",
    "FacilitatorGuide": """\
background: |
  Most participants have met distressed clients; few have had any training.
preparation:
  - Print the pocket cards, one per participant.
disclosure: If someone discloses abuse, thank them, do not probe, and offer the on-site counsellor.
misconceptions:
  - "'PFA is counselling': it is not; it is practical first support."
""",
    "Session": """\
id: look-listen-link
title: Look, listen, link
short_title: Action principles
minutes: 45
objectives: [lo2]
summary: The action principles, practised in pairs.
key_messages:
  - Listen without pressing for the story.
slides: slides/look-listen-link.md
activities:
  - id: demo
    title: Facilitator demonstration
    method: demonstration
    minutes: 15
    participant: Watch the short role play and note what helped.
  - id: practice
    title: Practice in pairs
    method: role-play
    minutes: 30
    grouping: pairs
    participant: sessions/role-play.md
    opt_out: Take the observer's role instead.
    observer: Which of the action principles did you see?
    de_roling: Say your own name and one thing you will do this evening.
    debrief:
      - How did it feel to be listened to?
      - What would you do differently as the helper?
""",
    "Activity": """\
id: card-sort
title: What helps, what harms
method: card-sort
minutes: 20
grouping: small-groups
variant: extension
participant: Sort the cards into "helps" and "harms".
facilitator: |
  Expected answers: promising secrecy you cannot keep harms.
handout: help-harm-cards
materials: [one card set per group]
""",
    "RoleDebrief": """\
role: Affected person
questions:
  - What did the helper do or say that helped?
  - Was anything unhelpful or upsetting?
""",
    "Handout": """\
id: pocket-card
title: PFA pocket card
kind: job-aid
file: handouts/pocket-card.md
pages_max: 1
""",
    "HandoutPrint": """\
layout: cards
columns: 3
rows: 4
key: card-sort-key
""",
    "FillIn": """\
label: One thing I will do for myself this week
lines: 3
""",
    "AssessmentItem": """\
id: q1
objective: lo1
type: single
prompt: What comes first in a first conversation?
options:
  a: Asking about the journey
  b: Explaining your role and asking for consent
answer: b
explanation: Consent and a clear role come before any question.
""",
    "Workshop": """\
id: resettlement-2027
title: Protecting and assisting newcomers
audience: [resettlement service providers]
start_date: 2027-03-09
aims:
  - Hold a first conversation that asks for consent and does no harm.
facilitators:
  - id: kim
    name: Kim Ji-won
    role: lead facilitator
sessions:
  - id: opening
    title: Opening and ground rules
    kind: opening
    minutes: 30
    activities:
      - id: ground-rules
        title: Agreeing the ground rules
        method: discussion
        minutes: 30
days:
  - start: "09:00"
    end: "17:00"
    slots:
      - plan: opening
        lead: kim
      - module: first-contact
        variant: core
        lead: kim
        location: Training room 2
""",
    "WorkshopEvaluation": """\
defaults: keep
questions:
  - id: interpreter-use
    type: rating
    text: I can brief an interpreter before a counselling session.
  - id: first-referral
    type: open
    text: What will you need to make your first referral to a Hana Centre partner?
    lines: 5
""",
    "EvaluationQuestion": """\
id: interpreter-use
type: rating
text: I can brief an interpreter before a counselling session.
""",
    "WorkshopSession": """\
id: check-in
title: Morning check-in
kind: check-in
minutes: 10
summary: How everyone arrives today, and what the day holds.
materials: [Agenda of the day on a flipchart]
activities:
  - id: round
    title: Weather report
    method: reflection
    minutes: 6
    participant: Describe your mood as weather and one thing on your mind. You may pass.
    facilitator: Start yourself, briefly. Note stormy answers and check in at the break.
  - id: today
    title: The day ahead
    method: presentation
    minutes: 4
""",
    "PreparationTask": """\
when: week-before
task: Make the participant code cards for the knowledge test.
""",
    "SupportContact": """\
service: On-site counsellor
how_to_reach: Room 204, or ask a facilitator
hours: during the workshop
""",
    "Person": """\
id: kim
name: Kim Ji-won
role: lead facilitator
responsibilities: [Opens and closes each day, Keeps time]
""",
    "Day": """\
title: Practice day
start: "09:00"
end: "16:30"
slots:
  - session: first-contact/opening
  - break: 15
""",
    "Slot": """\
session: first-contact/opening
variant: core
note: Bring the pocket cards.
lead: kim
support: [park]
location: Breakout room B
""",
    "SourceLibrary": """\
sources:
  - id: who-pfa-guide-2011
    kind: guideline
    title: "Psychological first aid: guide for field workers"
    publisher: World Health Organization
    year: 2011
""",
    "Source": """\
id: who-pfa-guide-2011
kind: guideline
title: "Psychological first aid: guide for field workers"
publisher: World Health Organization
year: 2011
url: https://www.who.int/publications/i/item/9789241548205
""",
    "Glossary": """\
terms:
  - term: Warm handover
    definition: A referral in which the worker introduces the person to the new service in person.
""",
    "GlossaryEntry": """\
term: Referral
definition: Putting a person in touch with a service that can meet a need, with their agreement.
see_also: [Warm handover]
""",
    "Curriculum": """\
title: Protection and humanitarian training
summary: A starter curriculum for service providers and civil-society organisations.
languages: [ko]
tracks:
  - id: service-providers
    title: Service providers
    modules: [first-contact]
""",
    "Track": """\
id: foundations
title: Foundations
summary: For everyone, whatever their role.
modules: [humanitarian-principles]
""",
}
