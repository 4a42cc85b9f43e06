"""A document's matches as labelled regions and relations, the shape annotation tools edit.

Label Studio and Prodigy (and brat, in its own way) show a match as labelled spans joined by
arcs: the event's span labelled with its type, each argument's span labelled with its type
(`Span` when it has none), and an arc from the event to each argument labelled with its role.
An entity match is one region without arcs (its arguments, if any, are left out). Argument regions of the same span and label are
one region, shared by the events that use it; a match's own region is never shared, so an
entity match stays a region of its own beside an argument of the same span (a region that is
only the end of arcs is an argument, any other a match: `rulex.gold_formats` reads them back
so).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..match import Match


@dataclass(frozen=True, slots=True)
class Region:
    """A labelled span of the document; `index` is its place in the document's regions."""
    index: int
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Arc:
    """A relation from the region of an event to the region of one of its arguments."""
    head: int
    child: int
    role: str


@dataclass(frozen=True, slots=True)
class Annotations:
    regions: tuple[Region, ...]
    arcs: tuple[Arc, ...]

    @property
    def labels(self) -> list[str]:
        return [region.label for region in self.regions]


def regions_of(matches: Sequence[Match]) -> Annotations:
    """The regions and arcs of one document's matches, in the order of the matches."""
    regions: list[Region] = []
    arcs: list[Arc] = []
    shared: dict[tuple[int, int, str], int] = {}   # an argument's (start, end, label) -> its region

    def add(start: int, end: int, label: str, text: str) -> int:
        regions.append(Region(len(regions), start, end, label, text))
        return len(regions) - 1

    for match in matches:
        head = add(match.start, match.end, match.type, match.text)
        if match.kind != "event":
            continue
        for arg in match.arguments:
            label = arg.type or "Span"
            key = (arg.start, arg.end, label)
            if key not in shared:
                shared[key] = add(arg.start, arg.end, label, arg.text)
            arcs.append(Arc(head, shared[key], arg.role))
    return Annotations(tuple(regions), tuple(arcs))

