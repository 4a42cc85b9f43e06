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
days before the document date to it; "last week" is the ISO week before the document's.
Relative expressions are resolved against the document date, with the note
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

from .value_base import BuiltinType, Normalised, strip_names
from .value_base import compiled_parser as _parser  # noqa: F401  (pack.py compiles the parsers ahead)
from .value_money import MONEY_PARSER, money_marks, normalise_money
from .value_numbers import (
    NUMBER_NAMED,
    ORDINAL_FIRST_WORDS,
    ORDINAL_NAMED,
    QUANTITY_PARSER,
    QUANTITY_WORDS,
    SCALES,
    TEENS,
    TENS,
    UNITS,
    QuantityWord,
    normalise_number,
    normalise_ordinal,
    normalise_quantity,
    quantity_marks,
    quantity_policy_markdown,
    quantity_source,
)
from .value_percent import PERCENT_PARSER, normalise_percent, percent_marks, percent_source
from .value_score import SCORE_PARSER, normalise_score
from .value_time import TIME_NAMED, TIME_ZONES, normalise_time

__all__ = [
    "BUILTINS",
    "QUANTITY_WORDS",
    "TIME_ZONES",
    "BuiltinType",
    "Normalised",
    "QuantityWord",
    "quantity_policy_markdown",
]

_NUMBER_CUES = (*UNITS, *TEENS, *TENS, *SCALES, "zero", "dozen", "several", "few", "handful", "couple", "number",
                "scores", "half", "tens")
_TIME_CUES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "mon", "tue",
              "wed", "thu", "fri", "sat", "sun", "yesterday", "today", "tonight", "tomorrow", "last", "past",
              "next", "ago", "morning", "afternoon", "evening", "night", "noon", "midnight", "week", "month",
              "year", "day", "earl", "late", "mid", "quarter")

# A compound ordinal starts with a number word ("twenty-first", "one hundredth"), a simple one is
# its own cue; "fourth", "sixth", "hundredth" also hold "four", "six", "hundred".
_ORDINAL_CUES = tuple(sorted(ORDINAL_FIRST_WORDS))
_PERCENT_CUES = (*_NUMBER_CUES, "third", "quarter", "fifth", "tenth")

BUILTINS: dict[str, BuiltinType] = {
    t.name: t
    for t in (
        BuiltinType(
            "Quantity",
            "a count, exact or vague: 13, thirteen, more than a dozen, dozens, 10-15 -> {min, max, approximate}",
            strip_names(quantity_source(in_context=True)),
            normalise_quantity,
            _NUMBER_CUES,
            QUANTITY_PARSER,
            quantity_marks,
        ),
        BuiltinType(
            "Number",
            "a plain number in digits or words: 3.5, 1,200, twenty-one, a dozen -> int or float",
            strip_names(NUMBER_NAMED),
            normalise_number,
            _NUMBER_CUES,
            NUMBER_NAMED,
        ),
        BuiltinType(
            "Ordinal",
            "an ordinal number in words or digits: first, twenty-first, one hundredth, 3rd, 103rd -> int",
            strip_names(ORDINAL_NAMED),
            normalise_ordinal,
            _ORDINAL_CUES,
            ORDINAL_NAMED,
        ),
        BuiltinType(
            "Time",
            "a date or time, absolute or relative: January 7, 5:30 p.m. (EST), last month -> ISO 8601",
            strip_names(TIME_NAMED),
            normalise_time,
            _TIME_CUES,
            TIME_NAMED,
        ),
        BuiltinType(
            "Percent",
            "a percentage: 12%, 12 per cent, 10-15 percent, more than half, a third of -> {percent} or {min, max}",
            strip_names(percent_source(in_context=True)),
            normalise_percent,
            _PERCENT_CUES,
            PERCENT_PARSER,
            percent_marks,
        ),
        BuiltinType(
            "Money",
            "a sum of money: $200 million, US$5bn, 200 million dollars, Rs 500 crore -> {amount, currency}",
            strip_names(MONEY_PARSER),
            normalise_money,
            _NUMBER_CUES,
            MONEY_PARSER,
            money_marks,
        ),
        BuiltinType(
            "Score",
            "a sports result or a match's sets: 2-0, 3-1 after extra time, 7-5, 3-6, 7-6 (5) -> {score: [[a, b], ...]}",
            strip_names(SCORE_PARSER),
            normalise_score,
            (),
            SCORE_PARSER,
        ),
    )
}
BUILTIN_NAMES = tuple(sorted(BUILTINS))  # built-in type i is mention source len(lexicons) + i
