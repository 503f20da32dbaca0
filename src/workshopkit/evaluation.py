"""The questions of a workshop's evaluation form beside the rating of each session.

The form asks the default statements and open questions (the tool's texts ``eval_q_*`` and
``eval_open_*``) and then the workshop's own (``evaluation:`` in the workshop file), or, with
``defaults: replace``, only the workshop's own. The printed form and the XLSForm are made from
the same list, so the field names of the answers (``agree_<id>``, ``open_<id>``) are those the
answers reader and the evaluation summary expect.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import EVALUATION_OPEN_QUESTIONS, EVALUATION_STATEMENTS, Workshop
from .strings import Strings

RATING = "rating"
OPEN = "open"
#: Ruled lines under an open question when the workshop gives no number.
OPEN_LINES = 4


@dataclass(frozen=True)
class Question:
    """A statement to rate or an open question, in one language."""

    field: str  # its name in the XLSForm and the answer files
    type: str  # RATING or OPEN
    text: str
    lines: int = OPEN_LINES


def field_of(question_type: str, qid: str) -> str:
    """The form's name of a question: 'agree_<id>' for a rating, 'open_<id>' for an open question."""
    return ("agree_" if question_type == RATING else "open_") + qid.replace("-", "_")


def questions(workshop: Workshop, strings: Strings) -> list[Question]:
    """The statements to rate, then the open questions, as the form asks them (texts in the language
    of ``strings`` and of the workshop as loaded)."""
    own = workshop.evaluation
    keep = own.defaults == "keep"
    ratings = [Question(field_of(RATING, key), RATING, strings[f"eval_q_{key}"])
               for key in (EVALUATION_STATEMENTS if keep else ())]
    ratings += [Question(field_of(RATING, q.id), RATING, q.text) for q in own.questions if q.type == RATING]
    opens = [Question(field_of(OPEN, key), OPEN, strings[f"eval_open_{key}"])
             for key in (EVALUATION_OPEN_QUESTIONS if keep else ())]
    opens += [Question(field_of(OPEN, q.id), OPEN, q.text, q.lines or OPEN_LINES)
              for q in own.questions if q.type == OPEN]
    return ratings + opens
