"""Visibility levels and the audiences that may see them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Visibility(IntEnum):
    """How private a piece of content is, from most open to most private."""

    public = 0
    participant = 1
    restricted = 2
    facilitator = 3
    organiser = 4

    @classmethod
    def parse(cls, value: object) -> Visibility:
        """An unknown level counts as the most private one (fail safe)."""
        try:
            return cls[str(value)]
        except KeyError:
            return cls.organiser


@dataclass(frozen=True)
class Audience:
    """Who a build is for, and therefore which visibility levels it may contain."""

    name: str  # "participant" or "facilitator"
    include_restricted: bool = False

    @property
    def allowed(self) -> frozenset[Visibility]:
        levels = {Visibility.public, Visibility.participant}
        if self.name == "facilitator":
            levels.add(Visibility.facilitator)
        if self.include_restricted:
            levels.add(Visibility.restricted)
        return frozenset(levels)

    @property
    def is_facilitator(self) -> bool:
        return self.name == "facilitator"


PARTICIPANT = Audience("participant")
FACILITATOR = Audience("facilitator")
