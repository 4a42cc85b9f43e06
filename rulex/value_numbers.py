"""Numbers, counts and ordinals: the built-in types Number, Quantity and Ordinal, and the number
words and digit pieces the other value types (Percent, Money, Time) are built from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import regex
from text_to_num import alpha2digit, text2num

from .value_base import Normalised, alternation, compiled_parser, starts_with, word_key

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
    QuantityWord(("more than", "over", "upwards of", "in excess of"), "before", "N+1", None, False,
                 "strictly more than N"),
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

WORD_ROWS: dict[tuple[str, str], QuantityWord] = {
    (row.role, phrase): row for row in QUANTITY_WORDS for phrase in row.phrases
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


UNITS = "one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}

_U, _TEEN, _TEN = alternation(UNITS), alternation(TEENS), alternation(TENS)
LT100 = rf"(?:{_TEN}(?:(?:-|\s+){_U}\b)?|{_TEEN}|{_U}|zero)"
_LT1000 = rf"(?:(?:a|{LT100})\s+hundred(?:\s+(?:and\s+)?{LT100}\b)?|{LT100})"
_BIG = r"(?:thousand|million|billion)"
# Ordinal words: "third", "twenty-first", "one hundredth", "one hundred and third", "two thousand and
# twentieth". The cardinal head of a compound ordinal ("twenty", "one hundred") is not a number:
# WORDNUM refuses to start where an ordinal does, so Quantity and Number never read "twenty" out of
# "twenty first" nor "one" out of "one hundredth".
_ORD_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_ORD_TEENS = ("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
              "seventeenth", "eighteenth", "nineteenth")
_ORD_TENS = ("twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth",
             "ninetieth")
_ORD_SCALES = ("hundredth", "thousandth", "millionth", "billionth")
_LT100_NZ = rf"(?:{_TEN}(?:(?:-|\s+){_U}\b)?|{_TEEN}|{_U})"  # as LT100, without "zero"
_ORD_LT100 = (
    rf"(?:{_TEN}(?:-|\s+){alternation(_ORD_UNITS)}|{alternation(_ORD_TENS)}|{alternation(_ORD_TEENS)}|{alternation(_ORD_UNITS)})\b"
)
_ORD_LT1000 = (
    rf"(?:(?:{_LT100_NZ}\s+)?hundredth\b|{_LT100_NZ}\s+hundred\s+(?:and\s+)?{_ORD_LT100}|{_ORD_LT100})"
)
_ORD_WORDS = (
    rf"(?:(?:{_LT1000}\s+)?{_BIG}th\b|{_LT1000}\s+{_BIG}\s+(?:and\s+)?{_ORD_LT1000}|{_ORD_LT1000})"
)
# Not the head of an ordinal: a cheap over-approximation of _ORD_WORDS (some number words, then
# "twenty first", "hundred and third" or "hundredth"), still false before "one second", "one third".
_CARD_WORD = alternation((*UNITS, *TEENS, *TENS, "hundred", "thousand", "million", "billion"))
_NOT_ORD_HEAD = (
    rf"(?!(?:{_CARD_WORD}(?:\s+(?:and\s+)?|-))*?(?:{_TEN}(?:-|\s+){alternation(_ORD_UNITS)}"
    rf"|(?:hundred|{_BIG})\s+(?:and\s+)?{alternation((*_ORD_UNITS, *_ORD_TEENS, *_ORD_TENS))}"
    rf"|{alternation(_ORD_SCALES)})\b(?!-\w))"
)
WORDNUM = (
    rf"(?<!\w-){_NOT_ORD_HEAD}(?:a\s+{_BIG}(?:\s+(?:and\s+)?{_LT1000}\b)?"
    rf"|{_LT1000}(?:\s+{_BIG}(?:\s+(?:and\s+)?{_LT1000}\b)?){{0,3}})\b(?!-\w)"
)
# Digits: "12", "1,200". Never the tail of "3.5", "5:30", "F-35", "2020-02-12" nor the head of
# "1990s", "3.5", "4km", "three-day".
LEAD_D = r"(?<![\d.,:/]|\w-)"
TRAIL_D = r"\b(?![.,:/]\d|-\w)"
DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
SCALE = r"(?:hundred|thousand|million|billion)\b"
_DIGNUM_INT = rf"{LEAD_D}{DIGITS}(?:(?:\.\d+)?\s+{SCALE})?{TRAIL_D}"  # "1.5 million", not "3.5"
_DIGNUM = rf"{LEAD_D}{DIGITS}(?:\.\d+)?(?:\s+{SCALE})?{TRAIL_D}"
_DOZEN = (
    rf"(?:half\s+a\s+|a\s+half(?:-|\s+)|(?:a|{LT100}|{LEAD_D}\d{{1,3}})\s+)dozen\b(?!-\w)"
)
NUMBER_FIRST_WORDS = {*UNITS, *TEENS, *TENS, "zero", "a", "half"}
EXACT_INT = rf"(?:{_DOZEN}|{_DIGNUM_INT}|{WORDNUM})"  # a whole number, for Quantity
EXACT_NUM = rf"(?:{_DOZEN}|{_DIGNUM}|{WORDNUM})"  # any number, for Number


def row_phrases(role: str, *, of_required: bool | None = None, scalable: bool | None = None) -> list[str]:
    return [
        p
        for row in QUANTITY_WORDS
        if row.role == role
        and (of_required is None or row.of_required == of_required)
        and (scalable is None or row.scalable == scalable)
        for p in row.phrases
    ]


# What "several" or "a few" may multiply: "hundred", "hundred thousand", "tens of thousands".
_VAGUE_SCALE = (r"(?:(?:dozen|hundred|thousand|million|billion)(?:\s+(?:thousand|million|billion))*"
                r"|(?:tens|hundreds)\s+of\s+(?:thousands|millions))")
_SCALE_FACTORS = {**SCALES, "dozen": 12, "tens": 10, "hundreds": 100, "thousands": 1000, "millions": 1_000_000}


def scale_factor(words: str) -> int:
    """What a scale multiplies by: "hundred thousand" is 100,000, "tens of thousands" 10,000."""
    factor = 1
    for word in word_key(words).split():
        factor *= _SCALE_FACTORS.get(word, 1)
    return factor


def quantity_source(in_context: bool) -> str:
    """The Quantity pattern with named groups. ``in_context``: the fragment matched in a
    sentence, where "a number"/"a couple"/"scores" need "of" after them; the normaliser parses
    the captured span alone, where "of" is not there to see."""
    need_of = r"(?=\s+of\b)" if in_context else ""
    vague = (
        rf"(?:{alternation(row_phrases('vague', of_required=False))}\b"
        rf"|{alternation(row_phrases('vague', of_required=True))}\b{need_of})"
    )
    first_words = NUMBER_FIRST_WORDS | {"between"} | {
        phrase.split()[0] for row in QUANTITY_WORDS if row.role != "after" for phrase in row.phrases
    }
    return starts_with(
        first_words,
        rf"between\s+(?P<lo>{EXACT_INT})\s+and\s+(?P<hi>{EXACT_INT})"
        rf"|(?:(?P<before>{alternation(row_phrases('before'))})\s+)?(?:"
        rf"{LEAD_D}(?P<lo>{DIGITS})\s*-\s*(?P<hi>{DIGITS}){TRAIL_D}"
        rf"|(?P<lo>{EXACT_INT})(?:\s+(?:to|or)\s+(?P<hi>{EXACT_INT})"
        rf"|\s+(?P<after>{alternation(row_phrases('after'))})\b)?)"
        rf"|(?P<vague>{alternation(row_phrases('vague', scalable=True))})\s+(?P<scale>{_VAGUE_SCALE})\b"
        rf"|(?P<vague>{vague})",
    )


NUMBER_NAMED = starts_with(NUMBER_FIRST_WORDS, EXACT_NUM)

# Ordinal: "third", "twenty-first", "one hundred and third", "21st", "1,000th"; not after "one" ("one
# second", "one third" are a duration and a fraction).
ORDINAL_FIRST_WORDS = {*_ORD_UNITS, *_ORD_TEENS, *_ORD_TENS, *_ORD_SCALES, *UNITS, *TEENS, *TENS}
ORDINAL_NAMED = starts_with(
    ORDINAL_FIRST_WORDS,
    rf"(?<!\w-|\bone\s+)(?:{_ORD_WORDS}|{LEAD_D}{DIGITS}(?:st|nd|rd|th)\b)(?!-\w)",
)

QUANTITY_PARSER = quantity_source(in_context=False)


def number_value(text: str) -> Decimal | None:
    """The value of one exact number as the fragments above capture it."""
    t = word_key(text)
    if t.endswith("dozen"):
        head = t[: -len("dozen")].rstrip(" -")
        if head in ("half a", "a half"):
            return Decimal(6)
        factor = Decimal(1) if head == "a" else number_value(head)
        return None if factor is None else factor * 12
    if t[:1].isdigit():
        m = regex.fullmatch(r"([\d,]+(?:\.\d+)?)(?:\s+(\w+))?", t)
        if m is None:
            return None
        return Decimal(m[1].replace(",", "")) * SCALES.get(m[2] or "", 1)
    if t.startswith("a "):
        t = "one " + t[2:]
    try:
        return Decimal(text2num(t, "en"))
    except ValueError:
        return None


def plain(n: Decimal) -> int | float:
    return int(n) if n == n.to_integral_value() else float(n)


def bound(formula: int | str | None, n: int) -> int | None:
    if formula is None or isinstance(formula, int):
        return formula
    return n + int(formula[1:] or 0)  # "N", "N+1", "N-1"


def range_value(lo: int | None, hi: int | None, approximate: bool) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if lo is not None:
        value["min"] = lo
    if hi is not None:
        value["max"] = hi
    if approximate:
        value["approximate"] = True
    return value


def measure_value(key: str, low: Decimal, high: Decimal, before: str | None) -> tuple[dict[str, Any], str | None]:
    """The value of an amount that need not be whole (a percentage, a sum of money), and its note:
    ``{key: N}`` when exact (``"approximate": true`` for "about N"), else ``min``/``max`` read
    through the Quantity policy's modifiers, except that "more than N" is ``min`` N and "fewer than
    N" ``max`` N (an amount has no next value: the note says the bound itself is left out)."""
    row = WORD_ROWS["before", word_key(before)] if before else None
    if row is None or (row.min == "N" and row.max == "N"):
        value: dict[str, Any] = {key: plain(low)} if low == high else {"min": plain(low), "max": plain(high)}
        if row is not None:
            value["approximate"] = True
        return value, None if row is None else f"'{word_key(before or '')} N' = N, not exactly"
    value = {}
    if row.min is not None:
        value["min"] = plain(low)
    if row.max is not None:
        value["max"] = plain(high)
    if row.approximate:
        value["approximate"] = True
    return value, f"'{word_key(before or '')} N' = {row.why}"


def describe(lo: int | str | None, hi: int | str | None, approximate: bool = False) -> str:
    if lo == hi:
        return f"about {lo}" if approximate else str(lo)
    if hi is None:
        return f"at least {lo}"
    if lo is None:
        return f"at most {hi}"
    return f"{lo} to {hi}"


def normalise_number(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    if compiled_parser(NUMBER_NAMED).fullmatch(text) is None:
        return None
    n = number_value(text)
    return None if n is None else Normalised(plain(n), "number")


def normalise_ordinal(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    if compiled_parser(ORDINAL_NAMED).fullmatch(text) is None:
        return None
    # text2num's alpha2digit writes ordinal words as digits ("twenty-first" -> "21st"); with
    # threshold=0 it does so for "first" and "second" too. Digits ("21st") pass through unchanged.
    # text2num 3.1 does not know "sixtieth" (it knows every other one): read it as "sixty".
    words = word_key(text).replace(",", "")
    if words.endswith("sixtieth"):
        words = words.removesuffix("sixtieth") + "sixty"
    m = regex.fullmatch(r"(\d+)(?:st|nd|rd|th)?", alpha2digit(words, "en", threshold=0))
    return None if m is None else Normalised(int(m[1]), "ordinal")


def normalise_quantity(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    m = compiled_parser(QUANTITY_PARSER).fullmatch(text)
    if m is None:
        return None
    if m["vague"]:
        phrase = word_key(m["vague"])
        row = WORD_ROWS["vague", phrase]
        factor = scale_factor(m["scale"] or "")
        lo = None if row.min is None else int(row.min) * factor
        hi = None if row.max is None else int(row.max) * factor
        said = f"{phrase} {word_key(m['scale'])}" if m["scale"] else phrase
        note = f"vague word '{said}' = {describe(lo, hi, row.approximate)}"
        return Normalised(range_value(lo, hi, row.approximate), "quantity", note)
    low, high = number_value(m["lo"]), number_value(m["hi"] or m["lo"])
    if low is None or high is None:
        return None
    if low != low.to_integral_value() or high != high.to_integral_value():
        return Normalised(None, "quantity", "not a whole number")
    lo, hi = int(low), int(high)
    if lo > hi:
        return Normalised(None, "quantity", f"range bounds out of order: {lo} > {hi}")
    if not (m["before"] or m["after"]):
        return Normalised(range_value(lo, hi, False), "quantity")
    phrase = word_key(m["before"] or m["after"])
    row = WORD_ROWS["before" if m["before"] else "after", phrase]
    said = f"'{phrase} N'" if m["before"] else f"'N {phrase}'"
    note = f"{said} = {describe(row.min, row.max)}" + (", approximate" if row.approximate else "")
    return Normalised(range_value(bound(row.min, lo), bound(row.max, hi), row.approximate), "quantity", note)



def quantity_marks(text: str) -> tuple[tuple[int, int], ...]:
    """Where a Quantity the fragment found is marked in the sentence: the whole span and, for a
    range, each of its ends too (a rule may want them one by one: ``from {a:Quantity} to
    {b:Quantity}``; a slot takes the longest reading first), but for "between N and M", read
    whole. Nothing for a range whose bounds
    are out of order ("2-0", "7-5"): that is no quantity (a score, see Score)."""
    m = compiled_parser(QUANTITY_PARSER).fullmatch(text)
    if m is None or not m["hi"]:
        return ((0, len(text)),)
    low, high = number_value(m["lo"]), number_value(m["hi"])
    if low is not None and high is not None and low > high:
        return ()
    if word_key(text).startswith("between "):  # read whole: "between" says where the range starts
        return ((0, len(text)),)
    return ((0, len(text)), m.span("lo"), m.span("hi"))
