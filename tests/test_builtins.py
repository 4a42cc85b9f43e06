"""Built-in argument types: what each pattern captures in a sentence, and what it normalises to."""

from __future__ import annotations

import dataclasses
import datetime
import string
from pathlib import Path

import pytest
import regex
import yaml

from rulex.builtins import (
    BUILTINS,
    QUANTITY_WORDS,
    TIME_ZONES,
    BuiltinType,
    Normalised,
    quantity_policy_markdown,
)

# The two sample articles: 000 is dated 2020-01-08 (a Wednesday), 004 2020-02-12 (a Wednesday).
D000 = datetime.date(2020, 1, 8)
D004 = datetime.date(2020, 2, 12)
EXPECTED_YAML = Path(__file__).resolve().parents[2] / "shared" / "samples" / "news" / "expected.yaml"


def compiled(name: str) -> regex.Pattern[str]:
    return regex.compile(r"(?P<x>" + BUILTINS[name].pattern + ")", regex.I)


def spans(name: str, sentence: str) -> list[tuple[int, int]]:
    return [m.span("x") for m in compiled(name).finditer(sentence)]


def assert_captures(name: str, sentence: str, text: str) -> None:
    """Scanning the sentence left to right, one match is exactly ``text`` (its first occurrence)."""
    start = sentence.index(text)
    found = spans(name, sentence)
    assert (start, start + len(text)) in found, [sentence[a:b] for a, b in found]


# --------------------------------------------------------------------------- Quantity

# (sentence, span, value): the value holds with and without a document date.
QUANTITY_CASES = [
    # the sample articles
    ("At approximately 5:30 p.m. (EST) on January 7, Iran launched more than a dozen ballistic missiles "
     "against U.S. military and coalition forces in Iraq", "more than a dozen", {"min": 13}),
    ("soldiers of the IRGC armed forces launched dozens of ground-to-ground missiles and destroyed the US "
     "Air Force base", "dozens", {"min": 24, "approximate": True}),
    ("Iran has delivered missile strikes against at least two military facilities in western Iraq",
     "at least two", {"min": 2}),
    ("a number of US trucks that carried construction materials have arrived in Syria",
     "a number", {"min": 2, "approximate": True}),
    ("the attacks could have led to the deaths of hundreds of Americans and Iraqis",
     "hundreds", {"min": 200, "approximate": True}),
    ("Iraq said the attacks had not taken any toll from its army men stationed at these two bases.",
     "two", {"min": 2, "max": 2}),
    # exact numbers
    ("Iran fired 13 missiles at the base.", "13", {"min": 13, "max": 13}),
    ("Iran fired thirteen missiles at the base.", "thirteen", {"min": 13, "max": 13}),
    ("The army has 1,200 troops there.", "1,200", {"min": 1200, "max": 1200}),
    ("The army sent 12 drones.", "12", {"min": 12, "max": 12}),
    ("The army sent two hundred and five trucks.", "two hundred and five", {"min": 205, "max": 205}),
    ("The army sent twenty-one trucks.", "twenty-one", {"min": 21, "max": 21}),
    ("The army sent twenty one trucks.", "twenty one", {"min": 21, "max": 21}),
    ("The army sent twelve hundred troops.", "twelve hundred", {"min": 1200, "max": 1200}),
    ("The army sent a hundred troops.", "a hundred", {"min": 100, "max": 100}),
    ("The fund holds 1.5 million dollars.", "1.5 million", {"min": 1500000, "max": 1500000}),
    ("He paid 35 million dollars.", "35 million", {"min": 35000000, "max": 35000000}),
    ("Iran fired a dozen missiles.", "a dozen", {"min": 12, "max": 12}),
    ("Iran fired half a dozen missiles.", "half a dozen", {"min": 6, "max": 6}),
    ("Iran fired a half-dozen missiles.", "a half-dozen", {"min": 6, "max": 6}),
    ("Iran fired two dozen missiles.", "two dozen", {"min": 24, "max": 24}),
    # vague words
    ("Rebels fired scores of rockets.", "scores", {"min": 40, "approximate": True}),
    ("Thousands fled the city.", "Thousands", {"min": 2000, "approximate": True}),
    ("Tens of thousands fled the city.", "Tens of thousands", {"min": 20000, "approximate": True}),
    ("Hundreds of thousands fled the city.", "Hundreds of thousands", {"min": 200000, "approximate": True}),
    ("Millions fled the country.", "Millions", {"min": 2000000, "approximate": True}),
    ("Several US military aircraft were destroyed.", "Several", {"min": 3, "approximate": True}),
    ("Rebels fired a few rockets.", "a few", {"min": 2, "max": 5, "approximate": True}),
    ("Rebels fired a handful of rockets.", "a handful", {"min": 2, "max": 5, "approximate": True}),
    ("Rebels fired a couple of rockets.", "a couple", {"min": 2, "max": 2, "approximate": True}),
    ("Several hundred protesters gathered.", "Several hundred", {"min": 300, "approximate": True}),
    ("A few dozen protesters gathered.", "A few dozen", {"min": 24, "max": 60, "approximate": True}),
    # modifiers before a number
    ("Rebels fired more than 20 rockets.", "more than 20", {"min": 21}),
    ("Rebels fired over 20 rockets.", "over 20", {"min": 21}),
    ("Rebels fired at least two rockets.", "at least two", {"min": 2}),
    ("Rebels fired no fewer than 5 rockets.", "no fewer than 5", {"min": 5}),
    ("Rebels fired up to 20 rockets.", "up to 20", {"max": 20}),
    ("Rebels fired as many as 20 rockets.", "as many as 20", {"max": 20}),
    ("Rebels fired fewer than 10 rockets.", "fewer than 10", {"max": 9}),
    ("Rebels fired less than 10 rockets.", "less than 10", {"max": 9}),
    ("Nearly 200 people were killed.", "Nearly 200", {"max": 199, "approximate": True}),
    ("Almost 200 people were killed.", "Almost 200", {"max": 199, "approximate": True}),
    ("About 50 people were killed.", "About 50", {"min": 50, "max": 50, "approximate": True}),
    ("Around 50 people were killed.", "Around 50", {"min": 50, "max": 50, "approximate": True}),
    ("Approximately 50 people were killed.", "Approximately 50", {"min": 50, "max": 50, "approximate": True}),
    ("The blast killed some 50 people.", "some 50", {"min": 50, "max": 50, "approximate": True}),
    ("The blast killed roughly 50 people.", "roughly 50", {"min": 50, "max": 50, "approximate": True}),
    ("The blast killed about a dozen people.", "about a dozen", {"min": 12, "max": 12, "approximate": True}),
    # modifiers after a number
    ("The blast killed 20 or more people.", "20 or more", {"min": 20}),
    ("The blast killed 20 or so people.", "20 or so", {"min": 20, "max": 20, "approximate": True}),
    # ranges
    ("The blast killed 10 to 15 people.", "10 to 15", {"min": 10, "max": 15}),
    ("The blast killed 10-15 people.", "10-15", {"min": 10, "max": 15}),
    ("The blast killed between 10 and 15 people.", "between 10 and 15", {"min": 10, "max": 15}),
    ("The blast killed two or three people.", "two or three", {"min": 2, "max": 3}),
    ("The blast killed about 10 to 15 people.", "about 10 to 15", {"min": 10, "max": 15, "approximate": True}),
]


@pytest.mark.parametrize(("sentence", "text", "value"), QUANTITY_CASES, ids=[c[1] for c in QUANTITY_CASES])
def test_quantity_captures_the_span(sentence: str, text: str, value: dict) -> None:
    assert_captures("Quantity", sentence, text)


@pytest.mark.parametrize(("sentence", "text", "value"), QUANTITY_CASES, ids=[c[1] for c in QUANTITY_CASES])
@pytest.mark.parametrize("document_date", [None, D000], ids=["no-date", "dated"])
def test_quantity_value(sentence: str, text: str, value: dict, document_date: datetime.date | None) -> None:
    result = BUILTINS["Quantity"].normalise(text, document_date)
    assert result is not None
    assert result.value == value
    assert result.normaliser == "quantity"


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("dozens", "vague word 'dozens' = at least 24"),
        ("a couple", "vague word 'a couple' = about 2"),
        ("several hundred", "vague word 'several hundred' = at least 300"),
        ("more than a dozen", "'more than N' = at least N+1"),
        ("nearly 200", "'nearly N' = at most N-1, approximate"),
        ("20 or more", "'N or more' = at least N"),
        ("13", None),
        ("10 to 15", None),
    ],
)
def test_quantity_note(text: str, note: str | None) -> None:
    result = BUILTINS["Quantity"].normalise(text, None)
    assert result is not None
    assert result.note == note


def test_quantity_range_out_of_order_has_no_value() -> None:
    result = BUILTINS["Quantity"].normalise("15 to 10", None)
    assert result == Normalised(None, "quantity", "range bounds out of order: 15 > 10")


@pytest.mark.parametrize(
    "sentence",
    [
        "Tensions rose in the 1990s.",
        "The F-35 fighter landed.",
        "Prices rose by 3.5 percent.",
        "The sirens sounded at 5:30 p.m.",
        "date 2020-02-12 Ein al-Assad",
        "an airbase with a 4km runway at 188m altitude",
        "a three-day operation",
        "pick a number from the list",
        "The scores were level at half time.",
        "A couple were injured.",
        "the 5th battalion",
    ],
)
def test_quantity_does_not_match(sentence: str) -> None:
    assert spans("Quantity", sentence) == []


# --------------------------------------------------------------------------- Number

NUMBER_CASES = [
    ("The runway is 3.5 kilometres long.", "3.5", 3.5),
    ("The army has 1,200 troops there.", "1,200", 1200),
    ("The army sent 12 drones.", "12", 12),
    ("The army sent twenty-one trucks.", "twenty-one", 21),
    ("Iran fired thirteen missiles.", "thirteen", 13),
    ("The army sent two hundred and five trucks.", "two hundred and five", 205),
    ("Iran fired a dozen missiles.", "a dozen", 12),
    ("Iran fired half a dozen missiles.", "half a dozen", 6),
    ("The fund holds 1.5 million dollars.", "1.5 million", 1500000),
    ("The rate was 0.25 points.", "0.25", 0.25),
]


@pytest.mark.parametrize(("sentence", "text", "value"), NUMBER_CASES, ids=[c[1] for c in NUMBER_CASES])
def test_number_captures_the_span(sentence: str, text: str, value: float) -> None:
    assert_captures("Number", sentence, text)


@pytest.mark.parametrize(("sentence", "text", "value"), NUMBER_CASES, ids=[c[1] for c in NUMBER_CASES])
@pytest.mark.parametrize("document_date", [None, D000], ids=["no-date", "dated"])
def test_number_value(sentence: str, text: str, value: float, document_date: datetime.date | None) -> None:
    result = BUILTINS["Number"].normalise(text, document_date)
    assert result == Normalised(value, "number")
    assert type(result.value) is type(value)


@pytest.mark.parametrize(
    "sentence",
    ["Tensions rose in the 1990s.", "The F-35 fighter landed.", "at 5:30 p.m.", "on 2020-02-12",
     "a number of trucks", "Iran and Iraq", "a three-day operation"],
)
def test_number_does_not_match(sentence: str) -> None:
    assert spans("Number", sentence) == []


# --------------------------------------------------------------------------- Ordinal

# (sentence, span, value): the value holds with and without a document date.
ORDINAL_CASES = [
    ("It was the first attack on the base.", "first", 1),
    ("Iran warned of a second attack on the base.", "second", 2),
    ("It was the third strike this year.", "third", 3),
    ("The twenty-first century began.", "twenty-first", 21),
    ("The talks opened on the one hundredth day of the war.", "one hundredth", 100),
    ("The 1st Battalion was deployed.", "1st", 1),
    ("The 2nd Battalion was deployed.", "2nd", 2),
    ("The 3rd Battalion was deployed.", "3rd", 3),
    ("The 21st Battalion was deployed.", "21st", 21),
    ("The 103rd Battalion was deployed.", "103rd", 103),
    # more forms
    ("On the twenty first day the siege ended.", "twenty first", 21),
    ("THE TWENTY-FIRST BRIGADE ATTACKED.", "TWENTY-FIRST", 21),
    ("THE 21ST BRIGADE ATTACKED.", "21ST", 21),
    ("It was the one hundred and third raid.", "one hundred and third", 103),
    ("It was the one hundred twenty-first raid.", "one hundred twenty-first", 121),
    ("It was the hundredth raid.", "hundredth", 100),
    ("It was the two thousand and twentieth raid.", "two thousand and twentieth", 2020),
    ("It was the 1,000th raid.", "1,000th", 1000),
    ("It was the ninety-ninth raid.", "ninety-ninth", 99),
    ("It was the twelfth raid.", "twelfth", 12),
    ("It was the one hundred sixtieth raid.", "one hundred sixtieth", 160),  # text2num 3.1 misses "sixtieth"
    ("It was the sixtieth raid.", "sixtieth", 60),
    ("It was the one thousandth raid.", "one thousandth", 1000),
]


@pytest.mark.parametrize(("sentence", "text", "value"), ORDINAL_CASES, ids=[c[1] for c in ORDINAL_CASES])
def test_ordinal_captures_the_span(sentence: str, text: str, value: int) -> None:
    assert_captures("Ordinal", sentence, text)


@pytest.mark.parametrize(("sentence", "text", "value"), ORDINAL_CASES, ids=[c[1] for c in ORDINAL_CASES])
@pytest.mark.parametrize("document_date", [None, D000], ids=["no-date", "dated"])
def test_ordinal_value(sentence: str, text: str, value: int, document_date: datetime.date | None) -> None:
    assert BUILTINS["Ordinal"].normalise(text, document_date) == Normalised(value, "ordinal")


ORDINAL_WORDS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
    "nineteenth",
] + [f"{tens}ieth" for tens in ("twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet")]
ORDINAL_WORD_VALUES = [*range(1, 20), *range(20, 100, 10)]


@pytest.mark.parametrize(
    ("word", "value"), list(zip(ORDINAL_WORDS, ORDINAL_WORD_VALUES, strict=True)), ids=ORDINAL_WORDS
)
def test_every_ordinal_word(word: str, value: int) -> None:
    assert_captures("Ordinal", f"It was the {word} raid.", word)
    assert BUILTINS["Ordinal"].normalise(word, None) == Normalised(value, "ordinal")
    assert spans("Quantity", f"It was the {word} raid.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The secondary target was hit.",
        "The firstborn son was killed.",
        "a 3rdparty contractor",
        "Firstly, the base was hit.",
        "The blast came one second later.",  # a duration
        "One third of the troops left.",  # a fraction
        "Troops left in the 1990s.",
        "a first-hand account",
        "the 21st-century army",
        "the twenty-one trucks",
        "Iran fired 13 missiles.",
    ],
)
def test_ordinal_does_not_match(sentence: str) -> None:
    assert spans("Ordinal", sentence) == []


@pytest.mark.parametrize(("sentence", "text", "value"), ORDINAL_CASES, ids=[c[1] for c in ORDINAL_CASES])
@pytest.mark.parametrize("name", ["Quantity", "Number"])
def test_numbers_do_not_read_ordinals(name: str, sentence: str, text: str, value: int) -> None:
    """Not "21" of "21st", nor "twenty" of "twenty first", nor "one" of "one hundredth"."""
    assert spans(name, sentence) == []


@pytest.mark.parametrize(
    ("sentence", "text"),
    [("The blast came one second later.", "one"), ("One third of the troops left.", "One"),
     ("Police arrested a hundred first-time offenders.", "a hundred"), ("the twenty-one trucks", "twenty-one")],
)
def test_numbers_beside_ordinal_words_are_still_read(sentence: str, text: str) -> None:
    assert_captures("Quantity", sentence, text)
    assert_captures("Number", sentence, text)


def _first_words(pattern: regex.Pattern[str]) -> set[str]:
    """Every lower-case word a match of the pattern can start with, found by partial matching."""
    words, stack = set(), [""]
    while stack:
        word = stack.pop()
        for ch in string.ascii_lowercase:
            longer = word + ch
            if pattern.match(longer, partial=True) is None:
                continue
            stack.append(longer)
            if any(pattern.match(longer + end, partial=True) is not None for end in (" ", "-")):
                words.add(longer)
    return words


def test_every_first_word_of_an_ordinal_carries_a_cue() -> None:
    """The matcher looks for Ordinal only where a digit or a cue is: each word an ordinal can
    start with ("first", "twenty" of "twenty-first", "one" of "one hundredth") must give one."""
    from rulex.mentions import builtin_regex, has_cue

    cues, pattern = builtin_regex("Ordinal")
    first = _first_words(pattern)
    assert {"first", "second", "twenty", "one", "hundredth", "twelfth", "ninetieth"} <= first
    assert not first & {"a", "the", "zero", "hundred", "secondary"}
    assert [w for w in sorted(first) if not has_cue(cues, w, 0, len(w))] == []


# --------------------------------------------------------------------------- Time

# (sentence, span, document date, value with that date, value without any document date)
TIME_CASES = [
    # the sample articles
    ("At approximately 5:30 p.m. (EST) on January 7, Iran launched more than a dozen ballistic missiles",
     "5:30 p.m. (EST) on January 7", D000, "2020-01-07T17:30-05:00", "--01-07T17:30-05:00"),
    ("a statement from Assistant to the US Secretary of Defense Jonathan Hoffman stated on Wednesday.",
     "Wednesday", D000, "2020-01-08", None),
    ("the Pentagon announced on January 3 that Commander of the Quds Force had been killed",
     "January 3", D000, "2020-01-03", "--01-03"),
    ("the IRGC's retaliatory missile strike against the base last month.", "last month", D004, "2020-01", None),
    ("a US drone strike near Baghdad on January 3 assassinated IRGC Qods Force Commander",
     "January 3", D004, "2020-01-03", "--01-03"),
    ("On January 8, the IRGC Aerospace Force started heavy ballistic missile attacks",
     "January 8", D004, "2020-01-08", "--01-08"),
    ("a number of US trucks have arrived in Syria from Ein al-Assad base in Iraq in the past four days.",
     "the past four days", D004, "2020-02-08/2020-02-12", None),
    (" date 2020-02-12 Ein al-Assad, al-Anbar, Iraq", "2020-02-12", D004, "2020-02-12", "2020-02-12"),
    # calendar dates
    ("The strike on Jan. 7 killed no one.", "Jan. 7", D000, "2020-01-07", "--01-07"),
    ("The strike on Sept. 5 killed no one.", "Sept. 5", D004, "2019-09-05", "--09-05"),
    ("On 7 January Iran fired missiles.", "7 January", D000, "2020-01-07", "--01-07"),
    ("On January 7th Iran fired missiles.", "January 7th", D000, "2020-01-07", "--01-07"),
    ("Iran fired missiles on January 7, 2020, at two bases.", "January 7, 2020", D000, "2020-01-07", "2020-01-07"),
    ("Iran fired missiles on Wednesday, January 8, 2020.", "Wednesday, January 8, 2020", None,
     "2020-01-08", "2020-01-08"),
    ("In January 2020 Iran fired missiles.", "January 2020", D004, "2020-01", "2020-01"),
    ("The base was expanded in 2019 by the army.", "2019", D004, "2019", "2019"),
    ("The troops came home in December.", "December", D000, "2019-12", "--12"),
    ("The agreement was signed on May 5 in Doha.", "May 5", D004, "2020-05-05", "--05-05"),
    # a year-less date more than 6 months after the document date is in the previous year
    ("Soleimani met militia leaders on December 30 in Baghdad.", "December 30", D000, "2019-12-30", "--12-30"),
    # times of day
    ("The sirens sounded at 5:30 p.m. and stopped.", "5:30 p.m.", D000, "T17:30", "T17:30"),
    ("Iran fired missiles on January 7 at 5:30 p.m. local time.", "January 7 at 5:30 p.m. local time", D000,
     "2020-01-07T17:30", "--01-07T17:30"),
    ("The alert came at 10 a.m. EDT on Tuesday.", "10 a.m. EDT on Tuesday", D000, "2020-01-07T10:00-04:00", None),
    ("The alert came at 17:30 GMT.", "17:30 GMT", D000, "T17:30+00:00", "T17:30+00:00"),
    ("The alert came at 17:30 UTC.", "17:30 UTC", D000, "T17:30+00:00", "T17:30+00:00"),
    ("The alert came at 20:30 GMT+3.", "20:30 GMT+3", D000, "T20:30+03:00", "T20:30+03:00"),
    ("The alert came at 9 p.m. (PST).", "9 p.m. (PST)", D000, "T21:00-08:00", "T21:00-08:00"),
    ("The alert came at 9 p.m. CST on January 6.", "9 p.m. CST on January 6", D000,
     "2020-01-06T21:00-06:00", "--01-06T21:00-06:00"),
    ("The alert came at 12:15 a.m. and ended.", "12:15 a.m.", None, "T00:15", "T00:15"),
    ("They met at noon today in Baghdad.", "noon today", D000, "2020-01-08T12:00", None),
    ("It began at midnight on January 7 in Irbil.", "midnight on January 7", D000, "2020-01-07T00:00", "--01-07T00:00"),
    ("The attack came 3 p.m. yesterday near Irbil.", "3 p.m. yesterday", D000, "2020-01-07T15:00", None),
    # relative to the document date
    ("Al Hadath television channel reported on Wednesday Several US military aircraft were destroyed",
     "Wednesday", D000, "2020-01-08", None),
    ("Officials said on Tuesday that the bases were on alert.", "Tuesday", D000, "2020-01-07", None),
    ("The bases were hit last Wednesday by missiles.", "last Wednesday", D000, "2020-01-01", None),
    ("The talks resume next Friday in Geneva.", "next Friday", D000, "2020-01-10", None),
    ("The bases were hit Wednesday morning by missiles.", "Wednesday morning", D000, "2020-01-08", None),
    ("Iran fired missiles yesterday, officials said.", "yesterday", D000, "2020-01-07", None),
    ("The Pentagon said today that no one was hurt.", "today", D000, "2020-01-08", None),
    ("The Pentagon said earlier today that no one was hurt.", "earlier today", D000, "2020-01-08", None),
    ("The Pentagon said this morning that no one was hurt.", "this morning", D004, "2020-02-12", None),
    ("Rockets hit the base last night, officials said.", "last night", D000, "2020-01-07", None),
    ("The president will speak tonight about Iran.", "tonight", D000, "2020-01-08", None),
    ("The convoys left last week for Syria.", "last week", D000, "2020-W01", None),
    ("The convoys left last week for Syria.", "last week", D004, "2020-W06", None),
    ("The convoys leave this week for Syria.", "this week", D004, "2020-W07", None),
    ("The base was attacked last year by rockets.", "last year", D004, "2019", None),
    ("The base will close next year, officials said.", "next year", D004, "2021", None),
    ("Trucks left over the past 4 days for Syria.", "the past 4 days", D004, "2020-02-08/2020-02-12", None),
    ("Trucks left in the last two weeks for Syria.", "the last two weeks", D004, "2020-01-29/2020-02-12", None),
    ("Trucks left in the past 24 hours for Syria.", "the past 24 hours", D004, "2020-02-11/2020-02-12", None),
    ("Trucks left in the past three months for Syria.", "the past three months", D004, "2019-11-12/2020-02-12", None),
    ("The drone was shot down two days ago near Irbil.", "two days ago", D000, "2020-01-06", None),
    ("The drone was shot down a week ago near Irbil.", "a week ago", D000, "2020-W01", None),
    ("The drone was shot down three months ago near Irbil.", "three months ago", D004, "2019-11", None),
    ("The drone was shot down a year ago near Irbil.", "a year ago", D004, "2019", None),
    # parts of a period: truncated to the period, the part in the note
    ("The deployment began in early 2019 and ended.", "early 2019", D004, "2019", "2019"),
    ("The deployment began in mid-January near Irbil.", "mid-January", D004, "2020-01", "--01"),
    ("The deployment began late last year near Irbil.", "late last year", D004, "2019", None),
    # datelines with a two-digit year (POSIX %y pivot: 69-99 are 19xx, 00-68 are 20xx)
    ("SAN SALVADOR, 3 JAN 90 -- [REPORT] [ARMED FORCES PRESS COMMITTEE, COPREFA] [TEXT] THE ARCE BATTALION",
     "3 JAN 90", D000, "1990-01-03", "1990-01-03"),
    ("LIMA, 12 MAR 89 (EFE) -- [TEXT] PERUVIAN POLICE", "12 MAR 89", D004, "1989-03-12", "1989-03-12"),
    ("Talks in Geneva, 5 Feb 04, ended.", "5 Feb 04", None, "2004-02-05", "2004-02-05"),
    ("BOGOTA, 30 DEC. 68 [TEXT]", "30 DEC. 68", None, "2068-12-30", "2068-12-30"),
    ("BOGOTA, 1 JAN 69 [TEXT]", "1 JAN 69", None, "1969-01-01", "1969-01-01"),
    ("BOGOTA, 1 Jan 00.", "1 Jan 00", None, "2000-01-01", "2000-01-01"),
    ("SAN SALVADOR, 3 January 90\nTHE ARMY REPORTED", "3 January 90", D000, "1990-01-03", "1990-01-03"),
    ("dateline: SAN SALVADOR, 3 JAN 90", "3 JAN 90", D000, "1990-01-03", "1990-01-03"),
    ("SAN SALVADOR, Wednesday, 3 January 90, [TEXT]", "Wednesday, 3 January 90", D000, "1990-01-03", "1990-01-03"),
    # ... and not before a word: 90 is a count, the year is unknown
    ("The army said that on 3 January 90 people died.", "3 January", D000, "2020-01-03", "--01-03"),
    ("THE ARMY SAID THAT ON 3 JAN 90 PEOPLE DIED.", "3 JAN", D000, "2020-01-03", "--01-03"),
    ("The rebels said that in January 90 people died.", "January", D000, "2020-01", "--01"),
    ("The rebels said that on 3 January 1990 people died.", "3 January 1990", D000, "1990-01-03", "1990-01-03"),
]
TIME_IDS = [f"{c[1]}@{c[2]}" for c in TIME_CASES]


@pytest.mark.parametrize(("sentence", "text", "doc", "value", "undated"), TIME_CASES, ids=TIME_IDS)
def test_time_captures_the_span(sentence: str, text: str, doc: object, value: str, undated: str | None) -> None:
    assert_captures("Time", sentence, text)


@pytest.mark.parametrize(("sentence", "text", "doc", "value", "undated"), TIME_CASES, ids=TIME_IDS)
def test_time_value_with_document_date(
    sentence: str, text: str, doc: datetime.date | None, value: str, undated: str | None
) -> None:
    result = BUILTINS["Time"].normalise(text, doc)
    assert result is not None
    assert result.value == value
    assert result.normaliser == "time"


@pytest.mark.parametrize(("sentence", "text", "doc", "value", "undated"), TIME_CASES, ids=TIME_IDS)
def test_time_value_without_document_date(
    sentence: str, text: str, doc: object, value: str, undated: str | None
) -> None:
    result = BUILTINS["Time"].normalise(text, None)
    assert result is not None
    assert result.value == undated
    if undated is None:
        assert result.note == "no document date"
    elif undated.startswith("--"):
        assert result.note is not None and result.note.startswith("no document date: year unknown")


@pytest.mark.parametrize(
    ("text", "doc", "note"),
    [
        ("last month", D004, "resolved against document date 2020-02-12"),
        ("Wednesday", D000, "resolved against document date 2020-01-08"),
        ("January 7", D000, "resolved against document date 2020-01-08"),
        ("December 30", D000, "resolved against document date 2020-01-08 (previous year:"
                              " the date would be more than 6 months after it)"),
        ("early 2019", D004, "early"),
        ("early 2019", None, "early"),
        ("mid-January", D004, "resolved against document date 2020-02-12; mid"),
        ("this morning", D004, "resolved against document date 2020-02-12; part of day: morning"),
        ("10 a.m. local time", None, "local time: offset unknown"),
        ("January 7, 2020", D000, None),
        ("2020-02-12", D004, None),
        ("5:30 p.m.", D000, None),
        ("Tuesday, January 8, 2020", None, "Tuesday does not match 2020-01-08, a Wednesday"),
        ("3 JAN 90", None, "two-digit year 90 read as 1990"),
        ("3 JAN 90", D000, "two-digit year 90 read as 1990"),
        ("5 Feb 04", None, "two-digit year 04 read as 2004"),
        ("Tuesday, 3 January 90", None,
         "two-digit year 90 read as 1990; Tuesday does not match 1990-01-03, a Wednesday"),
    ],
)
def test_time_note(text: str, doc: datetime.date | None, note: str | None) -> None:
    result = BUILTINS["Time"].normalise(text, doc)
    assert result is not None
    assert result.note == note


def test_time_accepts_a_datetime_as_document_date() -> None:
    result = BUILTINS["Time"].normalise("yesterday", datetime.datetime(2020, 1, 8, 23, 59))
    assert result == Normalised("2020-01-07", "time", "resolved against document date 2020-01-08")


@pytest.mark.parametrize(
    ("text", "doc"),
    [("February 30", None), ("February 30", D000), ("February 29", datetime.date(2021, 3, 1))],
)
def test_time_impossible_date_has_no_value(text: str, doc: datetime.date | None) -> None:
    result = BUILTINS["Time"].normalise(text, doc)
    assert result is not None
    assert result.value is None
    assert result.note is not None and result.note.startswith("no such date")


def test_time_february_29_without_year_stays_yearless() -> None:
    assert BUILTINS["Time"].normalise("February 29", None).value == "--02-29"
    assert BUILTINS["Time"].normalise("February 29", datetime.date(2020, 3, 1)).value == "2020-02-29"


@pytest.mark.parametrize(("zone", "offset"), sorted(TIME_ZONES.items()))
def test_time_every_zone_gives_its_offset(zone: str, offset: str) -> None:
    sentence = f"The alert came at 5:30 p.m. ({zone}) on January 7, 2020."
    assert_captures("Time", sentence, f"5:30 p.m. ({zone}) on January 7, 2020")
    result = BUILTINS["Time"].normalise(f"5:30 p.m. ({zone}) on January 7, 2020", None)
    assert result.value == "2020-01-07T17:30" + offset


@pytest.mark.parametrize(
    "sentence",
    [
        "Iran may retaliate against the bases.",
        "The march on the embassy began.",
        "Early reports said the radar systems failed.",
        "the late General Soleimani",
        "an airbase with a 4km runway at 188m altitude",
        "Trucks left in the past few days.",
        "The army sent 12 drones.",
    ],
)
def test_time_does_not_match(sentence: str) -> None:
    assert spans("Time", sentence) == []


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("on 3 January 90 people died", ["3 January"]),
        ("ON 3 JAN 90 PEOPLE DIED", ["3 JAN"]),
        ("in January 90 people died", ["January"]),
        ("IN JAN 90 PEOPLE DIED", []),
        ("ON 17 MAY 90 REPORTS SAID", ["17 MAY"]),
        ("on 3 of January 90, people died", ["3 of January"]),  # only in day-month-year order
        ("on 3 January, 90 people died", ["3 January"]),
        ("in the 3 JAN 90s", ["3 JAN"]),
        ("on 3 JAN 90.5", ["3 JAN"]),
        ("on 3 JAN 90-91", ["3 JAN"]),
        ("on 3 JAN 900 --", ["3 JAN"]),
    ],
)
def test_time_two_digit_year_only_ends_a_dateline(sentence: str, found: list[str]) -> None:
    assert [sentence[a:b] for a, b in spans("Time", sentence)] == found


def test_time_two_digit_year_at_the_end_of_a_scanned_slice() -> None:
    """The matcher scans a sentence as a slice of the document: its end is the end of the text."""
    text = "SAN SALVADOR, 3 JAN 90 PEOPLE"
    pattern = compiled("Time")
    assert [m["x"] for m in pattern.finditer(text)] == ["3 JAN"]
    assert [m["x"] for m in pattern.finditer(text, 0, len("SAN SALVADOR, 3 JAN 90"))] == ["3 JAN 90"]


def test_time_zone_is_case_sensitive() -> None:
    assert_captures("Time", "The alert came at 5:30 p.m. (est) on the base.", "5:30 p.m.")


# --------------------------------------------------------------------------- the sample articles' gold


def _gold_args() -> list[tuple[str, str, str, object, datetime.date]]:
    if not EXPECTED_YAML.exists():
        return []
    gold = yaml.safe_load(EXPECTED_YAML.read_text(encoding="utf-8"))
    rows = []
    for doc in gold["documents"].values():
        for event in doc["events"]:
            for role, type_name in (("count", "Quantity"), ("time", "Time")):
                if role in event["args"]:
                    arg = event["args"][role]
                    rows.append((type_name, event["sentence"], arg["text"], arg["value"], doc["date"]))
    return rows


GOLD = _gold_args()


@pytest.mark.skipif(not GOLD, reason=f"{EXPECTED_YAML} not found")
@pytest.mark.parametrize(("type_name", "sentence", "text", "value", "doc"), GOLD, ids=[g[2] for g in GOLD])
def test_sample_gold(type_name: str, sentence: str, text: str, value: object, doc: datetime.date) -> None:
    assert_captures(type_name, sentence.replace("\u2019", "'"), text)
    assert BUILTINS[type_name].normalise(text, doc).value == value


def test_sample_gold_has_counts_and_times() -> None:
    if not EXPECTED_YAML.exists():
        pytest.skip(f"{EXPECTED_YAML} not found")
    assert {g[0] for g in GOLD} == {"Quantity", "Time"} and len(GOLD) >= 5


# --------------------------------------------------------------------------- fragments as a rule embeds them


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_pattern_has_no_capturing_group(name: str) -> None:
    assert regex.compile(BUILTINS[name].pattern, regex.I | regex.V0).groups == 0


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_pattern_has_no_anchor_nor_global_flag(name: str) -> None:
    pattern = BUILTINS[name].pattern
    for anchor in (r"(?<![\\[])\^", r"(?<!\\)\$", r"\\A", r"\\Z", r"\\z"):  # "\$" is a dollar sign
        assert regex.search(anchor, pattern) is None, anchor
    assert regex.search(r"\(\?[aiLmsuxfbewrV01]+\)", pattern) is None
    # a word boundary first; Money may also start at a currency sign with no word character before it
    assert pattern.startswith(r"\b") or (name == "Money" and pattern.startswith(r"(?:\b(?=") and r"|(?<!\w)(?=[" in pattern)


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_pattern_can_be_repeated_in_one_rule(name: str) -> None:
    pattern = BUILTINS[name].pattern
    rule = regex.compile(rf"(?P<a>{pattern})\s+and\s+(?P<b>{pattern})", regex.I | regex.V0)
    sentence = {"Quantity": "between 2 and 3 and dozens", "Number": "3.5 and twelve",
                "Ordinal": "first and twenty-first", "Time": "January 7 and last month",
                "Percent": "between 2 and 3 percent and half of them", "Money": "between $2m and $3m and 5 euros",
                "Score": "2-0 and 7-5, 3-6"}[name]
    m = rule.search(sentence)
    assert m is not None
    assert (m["a"], m["b"]) == {"Quantity": ("between 2 and 3", "dozens"), "Number": ("3.5", "twelve"),
                                "Ordinal": ("first", "twenty-first"), "Time": ("January 7", "last month"),
                                "Percent": ("between 2 and 3 percent", "half"),
                                "Money": ("between $2m and $3m", "5 euros"), "Score": ("2-0", "7-5, 3-6")}[name]


def test_slots_in_a_rule_pattern() -> None:
    quantity, time = BUILTINS["Quantity"].pattern, BUILTINS["Time"].pattern
    rule = regex.compile(
        rf"at\s+approximately\s+(?P<time>{time}),\s+Iran\s+launched\s+(?P<count>{quantity})\s+ballistic",
        regex.I,
    )
    m = rule.search("At approximately 5:30 p.m. (EST) on January 7, Iran launched more than a dozen "
                    "ballistic missiles against U.S. military and coalition forces in Iraq")
    assert m is not None
    assert (m["time"], m["count"]) == ("5:30 p.m. (EST) on January 7", "more than a dozen")
    rule = regex.compile(rf"launched\s+(?P<count>{quantity})\s+(?:of\s+)?ground", regex.I)
    m = rule.search("soldiers of the IRGC armed forces launched dozens of ground-to-ground missiles")
    assert m is not None and m["count"] == "dozens"


def test_normalise_rejects_text_of_another_type() -> None:
    assert BUILTINS["Quantity"].normalise("banana", None) is None
    assert BUILTINS["Number"].normalise("dozens", None) is None
    assert BUILTINS["Time"].normalise("banana", D000) is None
    assert BUILTINS["Ordinal"].normalise("twelve", None) is None
    assert BUILTINS["Ordinal"].normalise("secondary", None) is None
    assert BUILTINS["Quantity"].normalise("first", None) is None
    assert BUILTINS["Number"].normalise("21st", None) is None


def test_types_are_frozen_and_described() -> None:
    for name, builtin in BUILTINS.items():
        assert isinstance(builtin, BuiltinType)
        assert builtin.name == name
        assert builtin.description and "\n" not in builtin.description
    with pytest.raises(dataclasses.FrozenInstanceError):
        BUILTINS["Time"].name = "Date"  # type: ignore[misc]
    assert not hasattr(Normalised(1, "number"), "__dict__")


# --------------------------------------------------------------------------- the policy table

ROW_PHRASES = [(row, phrase) for row in QUANTITY_WORDS for phrase in row.phrases]


def _sentence_for(row: object, phrase: str) -> tuple[str, str]:
    """A sentence using the phrase, and the span the Quantity must capture in it."""
    span = {"before": f"{phrase} 12", "after": f"12 {phrase}"}.get(row.role, phrase)
    return f"Rebels fired {span} of the rockets.", span


@pytest.mark.parametrize(("row", "phrase"), ROW_PHRASES, ids=[p for _, p in ROW_PHRASES])
def test_every_policy_phrase_is_read_through_the_table(row: object, phrase: str) -> None:
    sentence, span = _sentence_for(row, phrase)
    assert_captures("Quantity", sentence, span)
    value = BUILTINS["Quantity"].normalise(span, None).value
    if row.role == "vague":
        expected_min, expected_max = row.min, row.max
    else:
        def bound(formula: object) -> int | None:
            return None if formula is None else 12 + int(str(formula)[1:] or 0)
        expected_min, expected_max = bound(row.min), bound(row.max)
    assert value.get("min") == expected_min
    assert value.get("max") == expected_max
    assert value.get("approximate", False) is row.approximate


@pytest.mark.parametrize(
    ("row", "phrase"),
    [(r, p) for r, p in ROW_PHRASES if r.of_required],
    ids=[p for r, p in ROW_PHRASES if r.of_required],
)
def test_of_required_phrases_need_of(row: object, phrase: str) -> None:
    assert spans("Quantity", f"They saw {phrase} yesterday.") == []


def test_policy_markdown_lists_every_row() -> None:
    markdown = quantity_policy_markdown()
    lines = markdown.strip().splitlines()
    assert len(lines) == 2 + len(QUANTITY_WORDS)
    for row, line in zip(QUANTITY_WORDS, lines[2:], strict=True):
        for phrase in row.phrases:
            assert phrase in line
        assert row.why in line
    assert '| "dozens" | vague | 24 |  | yes |  |  | at least two dozen |' in markdown


def test_every_match_in_real_news_contains_one_of_its_types_cues():
    """The matcher skips a sentence without a cue: a cue must be in every match there is."""
    import json

    from rulex.mentions import builtin_regex, has_cue

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news"
    if not corpus.exists():
        pytest.skip("../shared is not beside the project")
    texts = []
    for name in ("wikinews.jsonl", "aeb_groundtruth.jsonl", "muc4_fbis_upper.jsonl"):
        with open(corpus / name, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for _, line in zip(range(150), fh)]
    for builtin in BUILTINS.values():
        pattern = regex.compile(builtin.pattern, regex.IGNORECASE)
        found = [m.group() for text in texts for m in pattern.finditer(text)]
        assert len(found) > 50, builtin.name
        cues, _ = builtin_regex(builtin.name)
        missed = [f for f in found if not has_cue(cues, f.lower(), 0, len(f))]
        assert missed == [], builtin.name


@pytest.mark.parametrize("row,phrase", [(r, p) for r, p in ROW_PHRASES if r.role == "vague"],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_every_vague_quantity_word_carries_a_cue(row, phrase):
    """The matcher looks for Quantity only where a cue is: each vague word must give one."""
    from rulex.mentions import builtin_regex, has_cue

    cues, _ = builtin_regex("Quantity")
    assert has_cue(cues, phrase.lower(), 0, len(phrase))


def test_a_built_in_value_is_marked_only_as_whole_words(make_pack) -> None:
    import rulex
    from rulex.mentions import builtin_mentions

    root = make_pack({"r.rulex": "event: A\nrule: r\n  pattern: {n:Quantity} years\n"}, "name: t\n")
    program = rulex.load(root, cache=False).program
    text = "Syria's 4½-year civil war and 4 years of talks"
    found = builtin_mentions(program, text, text.lower(), 0, len(text), {"Quantity"})
    assert [(m.start, text[m.start:m.end]) for m in found] == [(text.index("4 years"), "4")]  # not the 4 of 4½
