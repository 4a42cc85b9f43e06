"""Percentages: the built-in type Percent, "12%", "12 per cent", "12.5 percent", "10-15%", and the
fractions news writes for them, "half", "a third", "two thirds", "three quarters"."""

from __future__ import annotations

import datetime
from decimal import Decimal

import regex

from .value_base import Normalised, alternation, compiled_parser, starts_with, word_key
from .value_numbers import (
    LEAD_D,
    NUMBER_FIRST_WORDS,
    QUANTITY_WORDS,
    TRAIL_D,
    UNITS,
    WORDNUM,
    measure_value,
    number_value,
    row_phrases,
)

# A fraction and its value. "a second" is no fraction (it is an ordinal or a moment).
FRACTIONS: dict[str, Decimal] = {
    "half": Decimal(1) / 2, "a half": Decimal(1) / 2, "one half": Decimal(1) / 2,
    "a third": Decimal(1) / 3, "one third": Decimal(1) / 3, "two thirds": Decimal(2) / 3,
    "a quarter": Decimal(1) / 4, "one quarter": Decimal(1) / 4, "three quarters": Decimal(3) / 4,
    "a fifth": Decimal(1) / 5, "one fifth": Decimal(1) / 5, "two fifths": Decimal(2) / 5,
    "three fifths": Decimal(3) / 5, "four fifths": Decimal(4) / 5,
    "a tenth": Decimal(1) / 10, "one tenth": Decimal(1) / 10,
}
# A fraction stands for a percentage only before what it is a part of ("a third of the", "half the
# city"), or after a modifier ("more than half"): else "a third" is an ordinal ("a third attack").
_PART_OF = r"(?=\s+(?:of|the|its|their|his|her|our|all|these|those)\b)"
_DECIMAL = r"\d+(?:\.\d+)?"
_NUMBER = rf"(?:{LEAD_D}{_DECIMAL}{TRAIL_D}|{WORDNUM})"
_SIGN = r"(?:\s*%|\s+per\s*cent\b|\s+percent\b|\s+pc\b)"
_BEFORE = alternation(row_phrases("before"))


def _fraction(in_context: bool) -> str:
    words = [w.replace(" ", "[\\s-]+") for w in sorted(FRACTIONS, key=len, reverse=True)]
    # not "a half" of "one and a half", nor "half" of "the first half"
    fraction = (rf"(?<!\b(?:a|first|second|the|one|1)\s+|\b(?:{alternation(UNITS)}|\d+)\s+and\s+)"
                rf"(?P<frac>{'|'.join(words)})\b(?!-\w)")
    need = _PART_OF if in_context else ""
    return rf"(?:(?P<before>{_BEFORE})\s+{fraction}|{fraction}{need})"


def percent_source(in_context: bool) -> str:
    """The Percent pattern with named groups (``in_context``: see ``quantity_source``)."""
    first_words = NUMBER_FIRST_WORDS | {"between"} | {w.split()[0] for w in FRACTIONS} | {
        phrase.split()[0] for row in QUANTITY_WORDS if row.role == "before" for phrase in row.phrases}
    return starts_with(
        first_words,
        rf"between\s+(?P<lo>{_NUMBER}){_SIGN}?\s+and\s+(?P<hi>{_NUMBER}){_SIGN}"
        rf"|(?:(?P<before>{_BEFORE})\s+)?(?:{LEAD_D}(?P<lo>{_DECIMAL})\s*-\s*(?P<hi>{_DECIMAL})"
        rf"|(?:(?P<lo>{_NUMBER}){_SIGN}?\s+to\s+)?(?P<hi>{_NUMBER})){_SIGN}"
        rf"|{_fraction(in_context)}",
    )


PERCENT_PARSER = percent_source(in_context=False)


def normalise_percent(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    m = compiled_parser(PERCENT_PARSER).fullmatch(text)
    if m is None:
        return None
    if m["frac"]:
        said = word_key(m["frac"].replace("-", " "))
        share = FRACTIONS[said] * 100
        value, note = measure_value("percent", share, share, m["before"])
        for key in ("percent", "min", "max"):
            if key in value:
                value[key] = round(float(share), 2) if share != share.to_integral_value() else int(share)
        return Normalised(value, "percent", "; ".join(filter(None, (f"'{said}' read as a percentage", note))))
    high = number_value(m["hi"])
    low = number_value(m["lo"]) if m["lo"] else high
    if low is None or high is None:
        return None
    if low > high:
        return Normalised(None, "percent", f"range bounds out of order: {low} > {high}")
    value, note = measure_value("percent", low, high, m["before"])
    return Normalised(value, "percent", note)


def percent_marks(text: str) -> tuple[tuple[int, int], ...]:
    """Where a Percent the fragment found is marked: the whole span and, for "N% to M%" (each
    with its sign), each end too, as `quantity_marks` does (``fell {change:Percent} to
    {level:Percent}``); a range out of order is its two ends only. "10-15 percent" stays whole."""
    m = compiled_parser(PERCENT_PARSER).fullmatch(text)
    if m is None or not m["lo"] or m["frac"] or word_key(text).startswith("between "):
        return ((0, len(text)),)
    own_sign = regex.match(_SIGN, text[m.end("lo"):m.start("hi")], regex.IGNORECASE)
    if own_sign is None:
        return ((0, len(text)),)
    ends = ((0, m.end("lo") + own_sign.end()), (m.start("hi"), len(text)))
    whole = normalise_percent(text)
    return ends if whole is None or whole.value is None else ((0, len(text)), *ends)

