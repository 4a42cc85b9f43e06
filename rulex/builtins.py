"""Built-in argument types of the rule language: ``{count:Quantity}``, ``{n:Number}``, ``{nth:Ordinal}``,
``{time:Time}``.

Each type is a regex fragment that the compiler embeds, as a named group, in a rule's big
pattern, plus a normaliser that turns the captured text into a JSON-serialisable value.

Fragments follow these conventions (tests check them):

* no capturing group of any kind, no global inline flag, no anchor; scoped flags such as
  ``(?-i:May)`` are used where letter case matters, because the big pattern is compiled with
  ``regex.IGNORECASE``;
* a fragment starts and ends on a word boundary, and a number is never read out of a longer
  token ("1990s", "F-35", "3.5", "5:30", "2020-02-12", "4km", "three-day");
* the input has ASCII quotes and dashes already; words are separated by ``\\s+``;
* the longest reading wins: "more than a dozen", not "a dozen"; "5:30 p.m. (EST) on January 7",
  not "5:30 p.m.".

Spans never include a leading preposition: the rule author writes ``on``/``at``/``in``/
``over`` outside the slot (``at approximately {time:Time}``, ``in {time:Time}``); a Time may
hold "on"/"at" *inside* it ("5:30 p.m. (EST) on January 7", "January 7 at 5 p.m.").
Nor do they include the partitive "of": in "dozens of missiles" the Quantity is "dozens" (write
``{count:Quantity} of? {weapon:weapon}``); "a number" and "a couple" and "scores" are read as
quantities only when "of" follows them ("a number of trucks"), yet "of" stays outside the span.

Quantity values are ``{"min": int, "max": int, "approximate": true}`` with absent keys for an
open bound and ``approximate`` present only when true; every vague word and modifier is read
through the one table :data:`QUANTITY_WORDS` (rendered for the docs by
:func:`quantity_policy_markdown`). Quantity and Number never read an ordinal nor the number words
that start one ("twenty" of "twenty first", "one" of "one hundredth").

Ordinal values are ints: "first" is 1, "twenty-first" and "twenty first" 21, "one hundred and
third" 103, "21st" 21, "1,000th" 1000 (the words are read by text2num's ``alpha2digit``). "second"
is always read as an ordinal, also where it is a unit of time ("a second attack", but also "wait a
second"), except right after "one" ("one second", "one third" are a duration and a fraction, not
ordinals). Hyphenated compounds are not read ("first-hand", "21st-century", "second-largest"), nor
an ordinal inside a word ("secondary", "firstborn", "3rdparty").

Time values are ISO 8601 strings truncated to what the text says ("2019", "2020-01",
"2020-01-07", "2020-01-07T17:30-05:00", "2020-W01", "2020-02-08/2020-02-12"; a time of day
alone is "T17:30", even with a document date, since the text does not say which day; an offset
only when a zone is named, from :data:`TIME_ZONES`). "early/mid/late 2019" is "2019" with the
note "early"/"mid"/"late"; "the past four days" (span starts at "the") is the interval from four
days before the document date to it; "last week" is the ISO week before the document's. Relative expressions are resolved against the document date, with the note
"resolved against document date YYYY-MM-DD"; without a document date they get no value (note
"no document date") and a year-less date stays year-less ("--01-07"). A year-less date takes
the document's year unless that puts it more than 6 months after the document date, in which
case it is the previous year (news reports the past: on 2020-01-08, "December 30" is
2019-12-30). A weekday ("Wednesday") is the most recent such day on or before the document
date; "last Wednesday" the most recent strictly before it; "next Wednesday" the first strictly
after it.

A two-digit year is read only in a dateline's day-month-year order, "3 JAN 90" or "12 Mar. 89", and
only where the year ends the phrase (before punctuation such as "--", ",", ".", "(" or "[", a line
end or the end of the text): "on 3 January 90 people died" is "3 January", and "January 90" is
"January". Its century is chosen as by POSIX ``strptime`` ``%y``: 69-99 are 1969-1999, 00-68 are
2000-2068 ("3 JAN 90" is 1990-01-03, "5 Feb 04" 2004-02-05), with the note "two-digit year 90 read
as 1990".
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import regex
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta
from text_to_num import alpha2digit, text2num

from . import regexcode

__all__ = [
    "BUILTINS",
    "QUANTITY_WORDS",
    "TIME_ZONES",
    "BuiltinType",
    "Normalised",
    "QuantityWord",
    "quantity_policy_markdown",
]


@dataclass(frozen=True, slots=True)
class Normalised:
    value: Any  # JSON-serialisable normalised value
    normaliser: str  # e.g. "quantity", "time"; shown in provenance
    note: str | None = None  # e.g. "resolved against document date 2020-01-08"


@dataclass(frozen=True, slots=True)
class BuiltinType:
    name: str  # "Quantity"
    description: str  # one line, for docs and `rulex inspect`
    pattern: str  # regex-module source: no capturing group, no anchor, no global flag
    normalise: Callable[[str, datetime.date | None], Normalised | None]
    cues: tuple[str, ...] = ()  # every match holds a digit or one of these (lower case) as a substring
    parser: str = ""  # the pattern with named groups that the normaliser parses a match with


# --------------------------------------------------------------------------- policy table


@dataclass(frozen=True, slots=True)
class QuantityWord:
    """One row of the quantity policy: how a vague word or a modifier is read.

    ``role`` is "vague" (the words are the quantity: "dozens"), "before" (they modify a number
    N that follows: "more than N") or "after" (they follow N: "N or more"). ``min``/``max`` are
    ints for a vague word and formulas over N ("N", "N+1", "N-1") for a modifier; ``None`` is an
    open bound. For a range ("about 10 to 15") a ``min`` formula reads the low end and a ``max``
    formula the high end. ``of_required``: only read as a quantity when "of" follows (which
    stays outside the span). ``scalable``: may multiply "dozen", "hundred", "thousand",
    "million" ("several hundred" = at least 300).
    """

    phrases: tuple[str, ...]
    role: str
    min: int | str | None
    max: int | str | None
    approximate: bool
    why: str
    of_required: bool = False
    scalable: bool = False


QUANTITY_WORDS: tuple[QuantityWord, ...] = (
    # -- vague words: the words are the quantity
    QuantityWord(("a couple",), "vague", 2, 2, True, "two, loosely", of_required=True),
    QuantityWord(("a few",), "vague", 2, 5, True, "a small number", scalable=True),
    QuantityWord(("a handful",), "vague", 2, 5, True, "as 'a few'"),
    QuantityWord(("several",), "vague", 3, None, True, "more than a couple", scalable=True),
    QuantityWord(("a number",), "vague", 2, None, True, "more than one", of_required=True),
    QuantityWord(("dozens",), "vague", 24, None, True, "at least two dozen"),
    QuantityWord(("scores",), "vague", 40, None, True, "at least two score", of_required=True),
    QuantityWord(("hundreds",), "vague", 200, None, True, "at least two hundred"),
    QuantityWord(("thousands",), "vague", 2000, None, True, "at least two thousand"),
    QuantityWord(("tens of thousands",), "vague", 20000, None, True, "at least twenty thousand"),
    QuantityWord(("hundreds of thousands",), "vague", 200000, None, True, "at least 200,000"),
    QuantityWord(("millions",), "vague", 2000000, None, True, "at least two million"),
    # -- modifiers before a number N
    QuantityWord(("more than", "over"), "before", "N+1", None, False, "strictly more than N"),
    QuantityWord(
        ("at least", "no fewer than", "no less than", "a minimum of"),
        "before", "N", None, False, "N or more",
    ),
    QuantityWord(
        ("up to", "as many as", "at most", "no more than", "a maximum of"),
        "before", None, "N", False, "N or fewer",
    ),
    QuantityWord(("fewer than", "less than", "under"), "before", None, "N-1", False, "strictly fewer than N"),
    QuantityWord(
        ("nearly", "almost"), "before", None, "N-1", True,
        "just short of N: strictly below it, and close to it (hence approximate)",
    ),
    QuantityWord(
        ("about", "around", "approximately", "roughly", "some", "an estimated", "close to"),
        "before", "N", "N", True, "N, not exactly",
    ),
    # -- modifiers after a number N
    QuantityWord(("or more",), "after", "N", None, False, "N or more"),
    QuantityWord(("or fewer", "or less"), "after", None, "N", False, "N or fewer"),
    QuantityWord(("or so",), "after", "N", "N", True, "N, not exactly"),
)

_WORD_ROWS: dict[tuple[str, str], QuantityWord] = {
    (row.role, phrase): row for row in QUANTITY_WORDS for phrase in row.phrases
}

# Time zones a news text names, with their UTC offsets. "GMT+3"/"UTC-5" are also read.
TIME_ZONES: dict[str, str] = {
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
    "GMT": "+00:00", "UTC": "+00:00", "BST": "+01:00", "CET": "+01:00",
    "CEST": "+02:00", "MSK": "+03:00",
}


def quantity_policy_markdown() -> str:
    """The policy table as Markdown, for the docs."""
    lines = [
        "| words | role | min | max | approximate | only before \"of\" | scales | reading |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in QUANTITY_WORDS:
        words = ", ".join(
            f'"{p} N"' if row.role == "before" else f'"N {p}"' if row.role == "after" else f'"{p}"'
            for p in row.phrases
        )
        cells = [
            words, row.role,
            "" if row.min is None else str(row.min), "" if row.max is None else str(row.max),
            "yes" if row.approximate else "", "yes" if row.of_required else "",
            "yes" if row.scalable else "", row.why,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- pattern pieces


def _words(phrase: str) -> str:
    return r"\s+".join(regex.escape(w) for w in phrase.split())


def _alt(phrases: list[str] | tuple[str, ...]) -> str:
    """Alternation of phrases, longest first so that the longest reading is tried first."""
    return "(?:" + "|".join(_words(p) for p in sorted(phrases, key=len, reverse=True)) + ")"


def _strip_names(source: str) -> str:
    """The public fragment: every named group of the parsing pattern made non-capturing."""
    return regex.sub(r"\(\?P<[A-Za-z_]\w*>", "(?:", source)


def _starts_with(first_words: set[str], body: str) -> str:
    """``body`` behind a cheap test that the text starts with a digit or one of ``first_words``.

    The test is a character trie (``a(?:n|pril|ugust)?``...), which the engine rejects in a
    step or two at most word starts; a plain alternation of the same words, or the body alone,
    is several times slower on running text. Every first word of ``body`` must be listed.
    """
    tree: dict[str, dict] = {}
    for word in first_words:
        node = tree
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [regex.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return rf"\b(?=\d|{emit(tree)}\b)(?:{body})"


_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}

_U, _TEEN, _TEN = _alt(_UNITS), _alt(_TEENS), _alt(_TENS)
_LT100 = rf"(?:{_TEN}(?:(?:-|\s+){_U}\b)?|{_TEEN}|{_U}|zero)"
_LT1000 = rf"(?:(?:a|{_LT100})\s+hundred(?:\s+(?:and\s+)?{_LT100}\b)?|{_LT100})"
_BIG = r"(?:thousand|million|billion)"
# Ordinal words: "third", "twenty-first", "one hundredth", "one hundred and third", "two thousand and
# twentieth". The cardinal head of a compound ordinal ("twenty", "one hundred") is not a number:
# _WORDNUM refuses to start where an ordinal does, so Quantity and Number never read "twenty" out of
# "twenty first" nor "one" out of "one hundredth".
_ORD_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_ORD_TEENS = ("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
              "seventeenth", "eighteenth", "nineteenth")
_ORD_TENS = ("twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth",
             "ninetieth")
_ORD_SCALES = ("hundredth", "thousandth", "millionth", "billionth")
_LT100_NZ = rf"(?:{_TEN}(?:(?:-|\s+){_U}\b)?|{_TEEN}|{_U})"  # as _LT100, without "zero"
_ORD_LT100 = (
    rf"(?:{_TEN}(?:-|\s+){_alt(_ORD_UNITS)}|{_alt(_ORD_TENS)}|{_alt(_ORD_TEENS)}|{_alt(_ORD_UNITS)})\b"
)
_ORD_LT1000 = (
    rf"(?:(?:{_LT100_NZ}\s+)?hundredth\b|{_LT100_NZ}\s+hundred\s+(?:and\s+)?{_ORD_LT100}|{_ORD_LT100})"
)
_ORD_WORDS = (
    rf"(?:(?:{_LT1000}\s+)?{_BIG}th\b|{_LT1000}\s+{_BIG}\s+(?:and\s+)?{_ORD_LT1000}|{_ORD_LT1000})"
)
# Not the head of an ordinal: a cheap over-approximation of _ORD_WORDS (some number words, then
# "twenty first", "hundred and third" or "hundredth"), still false before "one second", "one third".
_CARD_WORD = _alt((*_UNITS, *_TEENS, *_TENS, "hundred", "thousand", "million", "billion"))
_NOT_ORD_HEAD = (
    rf"(?!(?:{_CARD_WORD}(?:\s+(?:and\s+)?|-))*?(?:{_TEN}(?:-|\s+){_alt(_ORD_UNITS)}"
    rf"|(?:hundred|{_BIG})\s+(?:and\s+)?{_alt((*_ORD_UNITS, *_ORD_TEENS, *_ORD_TENS))}"
    rf"|{_alt(_ORD_SCALES)})\b(?!-\w))"
)
_WORDNUM = (
    rf"(?<!\w-){_NOT_ORD_HEAD}(?:a\s+{_BIG}(?:\s+(?:and\s+)?{_LT1000}\b)?"
    rf"|{_LT1000}(?:\s+{_BIG}(?:\s+(?:and\s+)?{_LT1000}\b)?){{0,3}})\b(?!-\w)"
)
# Digits: "12", "1,200". Never the tail of "3.5", "5:30", "F-35", "2020-02-12" nor the head of
# "1990s", "3.5", "4km", "three-day".
_LEAD_D = r"(?<![\d.,:/]|\w-)"
_TRAIL_D = r"\b(?![.,:/]\d|-\w)"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_SCALE = r"(?:hundred|thousand|million|billion)\b"
_DIGNUM_INT = rf"{_LEAD_D}{_DIGITS}(?:(?:\.\d+)?\s+{_SCALE})?{_TRAIL_D}"  # "1.5 million", not "3.5"
_DIGNUM = rf"{_LEAD_D}{_DIGITS}(?:\.\d+)?(?:\s+{_SCALE})?{_TRAIL_D}"
_DOZEN = (
    rf"(?:half\s+a\s+|a\s+half(?:-|\s+)|(?:a|{_LT100}|{_LEAD_D}\d{{1,3}})\s+)dozen\b(?!-\w)"
)
_NUMBER_FIRST_WORDS = {*_UNITS, *_TEENS, *_TENS, "zero", "a", "half"}
_EXACT_INT = rf"(?:{_DOZEN}|{_DIGNUM_INT}|{_WORDNUM})"  # a whole number, for Quantity
_EXACT_NUM = rf"(?:{_DOZEN}|{_DIGNUM}|{_WORDNUM})"  # any number, for Number


def _row_phrases(role: str, *, of_required: bool | None = None, scalable: bool | None = None) -> list[str]:
    return [
        p
        for row in QUANTITY_WORDS
        if row.role == role
        and (of_required is None or row.of_required == of_required)
        and (scalable is None or row.scalable == scalable)
        for p in row.phrases
    ]


def _quantity_source(in_context: bool) -> str:
    """The Quantity pattern with named groups. ``in_context``: the fragment matched in a
    sentence, where "a number"/"a couple"/"scores" need "of" after them; the normaliser parses
    the captured span alone, where "of" is not there to see."""
    need_of = r"(?=\s+of\b)" if in_context else ""
    vague = (
        rf"(?:{_alt(_row_phrases('vague', of_required=False))}\b"
        rf"|{_alt(_row_phrases('vague', of_required=True))}\b{need_of})"
    )
    first_words = _NUMBER_FIRST_WORDS | {"between"} | {
        phrase.split()[0] for row in QUANTITY_WORDS if row.role != "after" for phrase in row.phrases
    }
    return _starts_with(
        first_words,
        rf"between\s+(?P<lo>{_EXACT_INT})\s+and\s+(?P<hi>{_EXACT_INT})"
        rf"|(?:(?P<before>{_alt(_row_phrases('before'))})\s+)?(?:"
        rf"{_LEAD_D}(?P<lo>{_DIGITS})\s*-\s*(?P<hi>{_DIGITS}){_TRAIL_D}"
        rf"|(?P<lo>{_EXACT_INT})(?:\s+(?:to|or)\s+(?P<hi>{_EXACT_INT})"
        rf"|\s+(?P<after>{_alt(_row_phrases('after'))})\b)?)"
        rf"|(?P<vague>{_alt(_row_phrases('vague', scalable=True))})\s+(?P<scale>dozen|hundred|thousand|million)\b"
        rf"|(?P<vague>{vague})",
    )


_NUMBER_NAMED = _starts_with(_NUMBER_FIRST_WORDS, _EXACT_NUM)

# Ordinal: "third", "twenty-first", "one hundred and third", "21st", "1,000th"; not after "one" ("one
# second", "one third" are a duration and a fraction).
_ORDINAL_FIRST_WORDS = {*_ORD_UNITS, *_ORD_TEENS, *_ORD_TENS, *_ORD_SCALES, *_UNITS, *_TEENS, *_TENS}
_ORDINAL_NAMED = _starts_with(
    _ORDINAL_FIRST_WORDS,
    rf"(?<!\w-|\bone\s+)(?:{_ORD_WORDS}|{_LEAD_D}{_DIGITS}(?:st|nd|rd|th)\b)(?!-\w)",
)

# Time. "May" and "March"/"Mar" are months only when capitalised (else the verb "may"/"march").
_MONTHS = ("january", "february", "april", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_FULL = rf"(?:{_alt(_MONTHS)}|(?-i:March|MARCH|May|MAY))\b"
_MONTH_ABBR = r"(?:(?:jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec)|(?-i:Mar|MAR))\b\.?"
_MONTH = rf"(?:{_MONTH_FULL}|{_MONTH_ABBR})"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WD = rf"{_alt(_WEEKDAYS)}\b"
_YEAR = r"(?:1[5-9]|20)\d\d"
_Y_END = r"\b(?![.,:/]\d|-\w)"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
# A two-digit year, only right after "D MON" (the dateline "SAN SALVADOR, 3 JAN 90 -- [REPORT]") and
# only where the number ends the phrase: before punctuation, a line end or the end of the text, not
# before a word ("on 3 January 90 people died").
_YY = r"(?P<yy>\d\d)\b(?![.,:/]\d|-\w)(?=(?:(?!\n)\s)*(?:[-,.;:()\[\]]|\n|(?![\s\S])))"
_AMPM = r"(?:[ap]\.m\.|[ap]\.?m\b)"
_TOD = (
    rf"(?:{_LEAD_D}(?P<hour>2[0-3]|[01]?\d):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?(?!\d)"
    rf"(?:\s*(?P<ampm>{_AMPM}))?"
    rf"|{_LEAD_D}(?P<hour>1[0-2]|0?[1-9])\s*(?P<ampm>{_AMPM})"
    r"|(?P<noon>noon|midnight)\b)"
)
_ZONE_NAMES = "|".join(sorted((z for z in TIME_ZONES if z not in ("GMT", "UTC")), key=len, reverse=True))
_ZONE_NAME = rf"(?-i:(?:GMT|UTC)(?:[+-](?:1[0-4]|0?\d)(?::?[0-5]\d)?)?|{_ZONE_NAMES})"
_ZONE = (
    rf"(?:\s*\((?P<zone>{_ZONE_NAME})\)|\s+(?P<zone>{_ZONE_NAME})\b"
    r"|\s+(?P<local>local\s+time)\b)"
)
_DAYPART = r"(?P<daypart>morning|afternoon|evening|night)\b"
_DATEISH = (
    "(?:"
    rf"{_LEAD_D}(?P<iso>{_YEAR}-(?:0[1-9]|1[0-2])-(?:3[01]|[12]\d|0[1-9])){_Y_END}"
    rf"|(?:(?P<wd>{_WD}),?\s+)?(?P<month>{_MONTH})\s+{_DAY}(?:,?\s+(?P<year>{_YEAR}){_Y_END})?"
    rf"|(?:(?P<wd>{_WD}),?\s+)?{_LEAD_D}(?P<day>3[01]|[12]\d|0?[1-9])\s+(?P<month>{_MONTH})\s+{_YY}"
    rf"|(?:(?P<wd>{_WD}),?\s+)?{_LEAD_D}{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH})(?:,?\s+(?P<year>{_YEAR}){_Y_END})?"
    rf"|(?:(?P<wdmod>last|next|this)\s+)?(?P<wd>{_WD})(?:\s+{_DAYPART})?"
    rf"|(?P<rel>yesterday|today|tonight)\b(?:\s+{_DAYPART})?"
    rf"|this\s+{_DAYPART}|(?P<lastnight>last\s+night)\b"
    ")"
)
_SMALL = rf"(?:{_LEAD_D}\d{{1,3}}\b|{_LT100}\b|an?\b)"
_UNIT = r"(?:hour|day|week|month|year)s?\b"
_PERIOD = (  # may follow "early"/"late"/"mid"
    "(?:"
    rf"(?P<month>{_MONTH})\s+(?:of\s+)?(?P<year>{_YEAR}){_Y_END}"
    rf"|(?P<month>{_MONTH_FULL})"
    rf"|{_LEAD_D}(?P<year>{_YEAR}){_Y_END}"
    r"|(?P<reldir>last|this|next)\s+(?P<relunit>week|month|year)\b"
    ")"
)
_PARTS = ("early", "late", "mid", "earlier", "later")
_TIME_FIRST_WORDS = {
    *_PARTS, *_MONTHS, "march", "may", "mar", "jan", "feb", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", *_WEEKDAYS, "last", "this", "next", "the", "yesterday", "today",
    "tonight", "noon", "midnight", "a", "an", *_NUMBER_FIRST_WORDS,
}
_TIME_NAMED = _starts_with(
    _TIME_FIRST_WORDS,
    rf"(?P<part>{_alt(_PARTS)})(?:-|\s+)(?:{_PERIOD}|{_DATEISH})"
    rf"|{_TOD}{_ZONE}?(?:,?\s+(?:on\s+)?{_DATEISH})?"
    rf"|{_DATEISH}(?:,?\s+(?:at\s+)?{_TOD}{_ZONE}?)?"
    rf"|{_PERIOD}"
    rf"|the\s+(?:past|last|previous)\s+(?:(?P<pastn>{_SMALL})\s+)?(?P<pastunit>{_UNIT})"
    rf"|(?P<agon>{_SMALL})\s+(?P<agounit>{_UNIT})\s+ago\b",
)

_QUANTITY_PARSER = _quantity_source(in_context=False)


@functools.cache
def _parser(source: str) -> regex.Pattern[str]:
    """A pattern with its named groups, to parse a captured span; compiled on first use."""
    return regexcode.cached_compile(source, regex.IGNORECASE)

# --------------------------------------------------------------------------- normalisers


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _number(text: str) -> Decimal | None:
    """The value of one exact number as the fragments above capture it."""
    t = _key(text)
    if t.endswith("dozen"):
        head = t[: -len("dozen")].rstrip(" -")
        if head in ("half a", "a half"):
            return Decimal(6)
        factor = Decimal(1) if head == "a" else _number(head)
        return None if factor is None else factor * 12
    if t[:1].isdigit():
        m = regex.fullmatch(r"([\d,]+(?:\.\d+)?)(?:\s+(\w+))?", t)
        if m is None:
            return None
        return Decimal(m[1].replace(",", "")) * _SCALES.get(m[2] or "", 1)
    if t.startswith("a "):
        t = "one " + t[2:]
    try:
        return Decimal(text2num(t, "en"))
    except ValueError:
        return None


def _plain(n: Decimal) -> int | float:
    return int(n) if n == n.to_integral_value() else float(n)


def _bound(formula: int | str | None, n: int) -> int | None:
    if formula is None or isinstance(formula, int):
        return formula
    return n + int(formula[1:] or 0)  # "N", "N+1", "N-1"


def _range_value(lo: int | None, hi: int | None, approximate: bool) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if lo is not None:
        value["min"] = lo
    if hi is not None:
        value["max"] = hi
    if approximate:
        value["approximate"] = True
    return value


def _describe(lo: int | str | None, hi: int | str | None, approximate: bool = False) -> str:
    if lo == hi:
        return f"about {lo}" if approximate else str(lo)
    if hi is None:
        return f"at least {lo}"
    if lo is None:
        return f"at most {hi}"
    return f"{lo} to {hi}"


def _normalise_number(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    if _parser(_NUMBER_NAMED).fullmatch(text) is None:
        return None
    n = _number(text)
    return None if n is None else Normalised(_plain(n), "number")


def _normalise_ordinal(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    if _parser(_ORDINAL_NAMED).fullmatch(text) is None:
        return None
    # text2num's alpha2digit writes ordinal words as digits ("twenty-first" -> "21st"); with
    # threshold=0 it does so for "first" and "second" too. Digits ("21st") pass through unchanged.
    # text2num 3.1 does not know "sixtieth" (it knows every other one): read it as "sixty".
    words = _key(text).replace(",", "")
    if words.endswith("sixtieth"):
        words = words.removesuffix("sixtieth") + "sixty"
    m = regex.fullmatch(r"(\d+)(?:st|nd|rd|th)?", alpha2digit(words, "en", threshold=0))
    return None if m is None else Normalised(int(m[1]), "ordinal")


def _normalise_quantity(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    m = _parser(_QUANTITY_PARSER).fullmatch(text)
    if m is None:
        return None
    if m["vague"]:
        phrase = _key(m["vague"])
        row = _WORD_ROWS["vague", phrase]
        factor = {**_SCALES, "dozen": 12}.get(_key(m["scale"] or ""), 1)
        lo = None if row.min is None else int(row.min) * factor
        hi = None if row.max is None else int(row.max) * factor
        said = f"{phrase} {_key(m['scale'])}" if m["scale"] else phrase
        note = f"vague word '{said}' = {_describe(lo, hi, row.approximate)}"
        return Normalised(_range_value(lo, hi, row.approximate), "quantity", note)
    low, high = _number(m["lo"]), _number(m["hi"] or m["lo"])
    if low is None or high is None:
        return None
    if low != low.to_integral_value() or high != high.to_integral_value():
        return Normalised(None, "quantity", "not a whole number")
    lo, hi = int(low), int(high)
    if lo > hi:
        return Normalised(None, "quantity", f"range bounds out of order: {lo} > {hi}")
    if not (m["before"] or m["after"]):
        return Normalised(_range_value(lo, hi, False), "quantity")
    phrase = _key(m["before"] or m["after"])
    row = _WORD_ROWS["before" if m["before"] else "after", phrase]
    said = f"'{phrase} N'" if m["before"] else f"'N {phrase}'"
    note = f"{said} = {_describe(row.min, row.max)}" + (", approximate" if row.approximate else "")
    return Normalised(_range_value(_bound(row.min, lo), _bound(row.max, hi), row.approximate), "quantity", note)


_MONTH_NUMBERS = {name[:3]: i for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july",
     "august", "september", "october", "november", "december"), start=1)}
_WEEKDAY_OBJS = dict(zip(_WEEKDAYS, (MO, TU, WE, TH, FR, SA, SU), strict=True))


def _pivot(yy: int) -> int:
    """The century of a two-digit year, as POSIX strptime's %y: 69-99 are 19xx, 00-68 are 20xx."""
    return yy + (1900 if yy >= 69 else 2000)


class _NoDate(Exception):
    """The expression needs a document date and none was given."""


def _count(text: str | None) -> int:
    if text is None or _key(text) in ("a", "an"):
        return 1
    n = _number(text)
    return 1 if n is None else int(n)


def _iso_week(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _offset(zone: str) -> str:
    if zone.upper() in TIME_ZONES:
        return TIME_ZONES[zone.upper()]
    m = regex.fullmatch(r"(?:GMT|UTC)([+-])(\d{1,2}):?(\d\d)?", zone, regex.IGNORECASE)
    assert m is not None, zone
    return f"{m[1]}{int(m[2]):02d}:{m[3] or '00'}"


def _time_of_day(m: regex.Match[str]) -> str | None:
    if m["noon"]:
        hour, minute, second = (12 if m["noon"].lower() == "noon" else 0), 0, None
    elif m["hour"]:
        hour, minute, second = int(m["hour"]), int(m["minute"] or 0), m["second"]
        ampm = (m["ampm"] or "").lower()[:1]
        if ampm and hour <= 12:
            hour = hour % 12 + (12 if ampm == "p" else 0)
    else:
        return None
    text = f"T{hour:02d}:{minute:02d}" + (f":{second}" if second else "")
    if m["zone"]:
        text += _offset(m["zone"])
    return text


def _date_part(m: regex.Match[str], doc: datetime.date | None, notes: list[str]) -> str | None:
    """The date part of the value, or None when the text gives a time of day only."""

    def need() -> datetime.date:
        if doc is None:
            raise _NoDate
        return doc

    if m["pastunit"]:
        end, n, unit = need(), _count(m["pastn"]), _key(m["pastunit"]).rstrip("s")
        if unit == "hour":
            start = end - datetime.timedelta(days=-(-n // 24))
        else:
            start = end - relativedelta(**{unit + "s": n})
        return f"{start.isoformat()}/{end.isoformat()}"
    if m["agounit"]:
        n, unit = _count(m["agon"]), _key(m["agounit"]).rstrip("s")
        if unit == "hour":
            unit, n = "day", -(-n // 24)
        day = need() - relativedelta(**{unit + "s": n})
        return {"day": day.isoformat(), "week": _iso_week(day), "month": day.isoformat()[:7],
                "year": str(day.year)}[unit]
    if m["relunit"]:
        step = {"last": -1, "this": 0, "next": 1}[m["reldir"].lower()]
        unit = m["relunit"].lower()
        day = need() + relativedelta(**{unit + "s": step})
        return {"week": _iso_week(day), "month": day.isoformat()[:7], "year": str(day.year)}[unit]
    if m["iso"]:
        return datetime.date.fromisoformat(m["iso"]).isoformat()
    if m["month"]:
        month = _MONTH_NUMBERS[m["month"][:3].lower()]
        day = int(m["day"]) if m["day"] else None
        if m["year"]:
            year = int(m["year"])
        elif m["yy"]:
            year = _pivot(int(m["yy"]))
            notes.append(f"two-digit year {m['yy']} read as {year}")
        elif doc is None:
            notes.append("no document date: year unknown")
            datetime.date(2000, month, day or 1)  # leap year: rejects only impossible days
            return f"--{month:02d}" + (f"-{day:02d}" if day else "")
        else:
            year = doc.year
            if datetime.date(year, month, min(day or 1, 28)) > doc + relativedelta(months=6):
                year -= 1
                notes.append(f"resolved against document date {doc.isoformat()} (previous year:"
                             " the date would be more than 6 months after it)")
            else:
                notes.append(f"resolved against document date {doc.isoformat()}")
        if day is None:
            return f"{year:04d}-{month:02d}"
        date = datetime.date(year, month, day)
        if m["wd"] and _WEEKDAYS[date.weekday()] != m["wd"].lower():
            notes.append(f"{m['wd']} does not match {date.isoformat()}, a {_WEEKDAYS[date.weekday()].title()}")
        return date.isoformat()
    if m["year"]:
        return m["year"]
    if m["wd"]:
        wd, mod = _WEEKDAY_OBJS[m["wd"].lower()], (m["wdmod"] or "").lower()
        if mod == "last":
            day = need() - relativedelta(days=1, weekday=wd(-1))
        elif mod == "next":
            day = need() + relativedelta(days=1, weekday=wd(+1))
        else:
            day = need() + relativedelta(weekday=wd(-1))
        return day.isoformat()
    if m["rel"] or m["daypart"] or m["lastnight"]:
        back = 1 if m["lastnight"] or _key(m["rel"] or "") == "yesterday" else 0
        if m["lastnight"]:
            notes.append("'last night' is the night before the document date")
        return (need() - datetime.timedelta(days=back)).isoformat()
    return None


_RELATIVE_GROUPS = ("pastunit", "agounit", "relunit", "wd", "rel", "daypart", "lastnight")


def _normalise_time(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    m = _parser(_TIME_NAMED).fullmatch(text)
    if m is None:
        return None
    doc = document_date.date() if isinstance(document_date, datetime.datetime) else document_date
    notes: list[str] = []
    try:
        date = _date_part(m, doc, notes)
    except _NoDate:
        return Normalised(None, "time", "no document date")
    except ValueError as error:  # February 30, or February 29 in a common year
        return Normalised(None, "time", f"no such date: {error}")
    if doc is not None and any(m[g] for g in _RELATIVE_GROUPS) and not m["month"]:
        notes.insert(0, f"resolved against document date {doc.isoformat()}")
    if m["part"]:
        notes.append(_key(m["part"]))
    if m["daypart"] and not m["lastnight"]:
        notes.append(f"part of day: {_key(m['daypart'])}")
    if m["local"]:
        notes.append("local time: offset unknown")
    tod = _time_of_day(m)
    value = (date or "") + (tod or "")
    return Normalised(value, "time", "; ".join(notes) or None)


_NUMBER_CUES = (*_UNITS, *_TEENS, *_TENS, *_SCALES, "zero", "dozen", "several", "few", "handful", "couple", "number",
                "scores", "half", "tens")
_TIME_CUES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "mon", "tue",
              "wed", "thu", "fri", "sat", "sun", "yesterday", "today", "tonight", "tomorrow", "last", "past",
              "next", "ago", "morning", "afternoon", "evening", "night", "noon", "midnight", "week", "month",
              "year", "day", "earl", "late", "mid")

# A compound ordinal starts with a number word ("twenty-first", "one hundredth"), a simple one is
# its own cue; "fourth", "sixth", "hundredth" also hold "four", "six", "hundred".
_ORDINAL_CUES = tuple(sorted(_ORDINAL_FIRST_WORDS))

BUILTINS: dict[str, BuiltinType] = {
    t.name: t
    for t in (
        BuiltinType(
            "Quantity",
            "a count, exact or vague: 13, thirteen, more than a dozen, dozens, 10-15 -> {min, max, approximate}",
            _strip_names(_quantity_source(in_context=True)),
            _normalise_quantity,
            _NUMBER_CUES,
            _QUANTITY_PARSER,
        ),
        BuiltinType(
            "Number",
            "a plain number in digits or words: 3.5, 1,200, twenty-one, a dozen -> int or float",
            _strip_names(_NUMBER_NAMED),
            _normalise_number,
            _NUMBER_CUES,
            _NUMBER_NAMED,
        ),
        BuiltinType(
            "Ordinal",
            "an ordinal number in words or digits: first, twenty-first, one hundredth, 3rd, 103rd -> int",
            _strip_names(_ORDINAL_NAMED),
            _normalise_ordinal,
            _ORDINAL_CUES,
            _ORDINAL_NAMED,
        ),
        BuiltinType(
            "Time",
            "a date or time, absolute or relative: January 7, 5:30 p.m. (EST), last month -> ISO 8601",
            _strip_names(_TIME_NAMED),
            _normalise_time,
            _TIME_CUES,
            _TIME_NAMED,
        ),
    )
}
