"""Sports results: the built-in type Score, "2-0", "3-1 after extra time", "1-1 (4-2 on penalties)",
and a tennis match's sets kept whole, "7-5, 3-6, 7-6 (5)"."""

from __future__ import annotations

import bisect
import datetime

from .value_base import Normalised, compiled_parser

# One result or set: two numbers joined by a hyphen (the input's dashes are ASCII already), never
# part of a date ("2020-02-12"), a name ("F-35") or a longer run of numbers ("1-2-3"); a tennis set
# may have its tie-break's loser's points in brackets: "7-6 (5)".
_SET = (r"(?<![\d.,:/-]|\w-)(?P<a>\d{1,3})\s*-\s*(?P<b>\d{1,3})(?!-?\d|[.,:/]\d|-\w)"
        r"(?:\s*\((?P<tiebreak>\d{1,2})\))?")
_AFTER = (r"(?:\s+(?P<aet>after\s+extra\s+time|a\.e\.t\.|aet\b)"
          r"|\s+\((?:(?P<pa>\d{1,2})-(?P<pb>\d{1,2})\s+(?:on\s+)?(?:penalties|pens?\b\.?)|(?P<aet>a\.e\.t\.|aet))\))")

SCORE_PARSER = rf"\b(?=\d)(?:{_SET}(?:,\s*{_SET}){{0,4}}(?:{_AFTER})*)"


def normalise_score(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    """``{"score": [[a, b], ...]}``: one pair for a match, one per set; ``"tiebreaks"`` (a set's
    tie-break loser's points, or null) when some set had one; ``"extra_time": true``; and
    ``"penalties": [a, b]`` for a shoot-out."""
    m = compiled_parser(SCORE_PARSER).fullmatch(text)
    if m is None:
        return None
    pairs = list(zip(m.captures("a"), m.captures("b"), strict=True))
    value: dict = {"score": [[int(a), int(b)] for a, b in pairs]}
    if m.captures("tiebreak"):
        tiebreaks: list[int | None] = [None] * len(pairs)
        for at, points in zip(m.starts("tiebreak"), m.captures("tiebreak"), strict=True):
            tiebreaks[bisect.bisect_right(m.starts("a"), at) - 1] = int(points)
        value["tiebreaks"] = tiebreaks
    if m["aet"]:
        value["extra_time"] = True
    if m["pa"]:
        value["penalties"] = [int(m["pa"]), int(m["pb"])]
    return Normalised(value, "score", f"{len(pairs)} sets" if len(pairs) > 1 else None)
