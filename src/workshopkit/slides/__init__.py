"""Slide decks: a workshop's sessions as slides for projection, as a 16:9 PDF and an editable PPTX.

A deck is made from an audience view (see :mod:`workshopkit.audience`) and from what each
session already holds: its title, objectives, key messages, the participant instructions and
timing of its activities, the images its texts show, and the author's own slides (a Markdown
text, usually a file in the module folder, with slides separated by lines of ``---``).

- :mod:`.text` reads an author's slides (the same reading serves ``workshopkit check``);
- :mod:`.deck` turns a view into a list of slides, each sized to fit its page;
- :mod:`.render` writes the print HTML of a deck (WeasyPrint renders it with the other PDFs);
- :mod:`.pptx` writes a deck as a PowerPoint file, with speaker notes in the facilitator deck;
- :mod:`.build` makes the files that come from a rendered deck (one PDF per session, cut from
  the workshop's deck) and the PowerPoint files, each cached by what it is made from.

What is projected is participant level, whoever the deck is for: the facilitator deck has the
slides of the participant deck (and of sessions only facilitators see), and only its speaker
notes hold facilitator text.
"""
