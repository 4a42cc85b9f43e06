"""Dates and times: the built-in type Time (see builtins.py for what it reads and how)."""

from __future__ import annotations

import datetime

import regex
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from .value_base import Normalised, alternation, compiled_parser, starts_with, word_key
from .value_numbers import LEAD_D, LT100, NUMBER_FIRST_WORDS, number_value

# Time zones a news text names, with their UTC offsets. "GMT+3"/"UTC-5" are also read.
TIME_ZONES: dict[str, str] = {
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
    "GMT": "+00:00", "UTC": "+00:00", "BST": "+01:00", "CET": "+01:00",
    "CEST": "+02:00", "MSK": "+03:00",
}

# Time. "May" and "March"/"Mar" are months only when capitalised (else the verb "may"/"march").
_MONTHS = ("january", "february", "april", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_FULL = rf"(?:{alternation(_MONTHS)}|(?-i:March|MARCH|May|MAY))\b"
_MONTH_ABBR = r"(?:(?:jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec)|(?-i:Mar|MAR))\b\.?"
_MONTH = rf"(?:{_MONTH_FULL}|{_MONTH_ABBR})"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WD = rf"{alternation(_WEEKDAYS)}\b"
_YEAR = r"(?:1[5-9]|20)\d\d"
_Y_END = r"\b(?![.,:/]\d|-\w)"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
# A two-digit year, only right after "D MON" (the dateline "SAN SALVADOR, 3 JAN 90 -- [REPORT]") and
# only where the number ends the phrase: before punctuation, a line end or the end of the text, not
# before a word ("on 3 January 90 people died").
_YY = r"(?P<yy>\d\d)\b(?![.,:/]\d|-\w)(?=(?:(?!\n)\s)*(?:[-,.;:()\[\]]|\n|(?![\s\S])))"
_AMPM = r"(?:[ap]\.m\.|[ap]\.?m\b)"
_TOD = (
    rf"(?:{LEAD_D}(?P<hour>2[0-3]|[01]?\d):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?(?!\d)"
    rf"(?:\s*(?P<ampm>{_AMPM}))?"
    rf"|{LEAD_D}(?P<hour>1[0-2]|0?[1-9])\s*(?P<ampm>{_AMPM})"
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
    rf"{LEAD_D}(?P<iso>{_YEAR}-(?:0[1-9]|1[0-2])-(?:3[01]|[12]\d|0[1-9])){_Y_END}"
    rf"|{LEAD_D}(?P<n1>\d{{1,2}})/(?P<n2>\d{{1,2}})/(?P<nyear>{_YEAR}){_Y_END}"
    rf"|{LEAD_D}(?P<nyear>{_YEAR})/(?P<n2>1[0-2]|0?[1-9])/(?P<n3>3[01]|[12]\d|0?[1-9]){_Y_END}"
    rf"|(?:(?P<wd>{_WD}),?\s+)?(?P<month>{_MONTH})\s+{_DAY}(?:,?\s+(?P<year>{_YEAR}){_Y_END})?"
    rf"|(?:(?P<wd>{_WD}),?\s+)?{LEAD_D}(?P<day>3[01]|[12]\d|0?[1-9])\s+(?P<month>{_MONTH})\s+{_YY}"
    rf"|(?:(?P<wd>{_WD}),?\s+)?{LEAD_D}{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH})(?:,?\s+(?P<year>{_YEAR}){_Y_END})?"
    rf"|(?:(?P<wdmod>last|next|this)\s+)?(?P<wd>{_WD})(?:\s+{_DAYPART})?"
    rf"|(?P<rel>yesterday|today|tonight)\b(?:\s+{_DAYPART})?"
    rf"|this\s+{_DAYPART}|(?P<lastnight>last\s+night)\b"
    ")"
)
_SMALL = rf"(?:{LEAD_D}\d{{1,3}}\b|{LT100}\b|an?\b)"
_UNIT = r"(?:hour|day|week|month|year)s?\b"
_PERIOD = (  # may follow "early"/"late"/"mid"
    "(?:"
    rf"(?P<month>{_MONTH})\s+(?:of\s+)?(?P<year>{_YEAR}){_Y_END}"
    rf"|(?P<month>{_MONTH_FULL})"
    rf"|(?:the\s+)?{LEAD_D}(?P<decade>(?:1[5-9]|20)\d)0s\b"
    rf"|(?-i:Q)(?P<quarter>[1-4])\b(?:\s+(?P<year>{_YEAR}){_Y_END})?"
    rf"|(?:the\s+)?(?P<qword>first|second|third|fourth)(?:\s+|-)quarter\b(?:\s+(?:of\s+)?(?P<year>{_YEAR}){_Y_END})?"
    rf"|{LEAD_D}(?P<year>{_YEAR}){_Y_END}"
    r"|(?P<reldir>last|this|next)\s+(?P<relunit>week|month|year)\b"
    ")"
)
_PARTS = ("early", "late", "mid", "earlier", "later")
_TIME_FIRST_WORDS = {"q1", "q2", "q3", "q4", "first", "second", "third", "fourth",
    *_PARTS, *_MONTHS, "march", "may", "mar", "jan", "feb", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", *_WEEKDAYS, "last", "this", "next", "the", "yesterday", "today",
    "tonight", "noon", "midnight", "a", "an", *NUMBER_FIRST_WORDS,
}
TIME_NAMED = starts_with(
    _TIME_FIRST_WORDS,
    rf"(?P<part>{alternation(_PARTS)})(?:-|\s+)(?:{_PERIOD}|{_DATEISH})"
    rf"|{_TOD}{_ZONE}?(?:,?\s+(?:on\s+)?{_DATEISH})?"
    rf"|{_DATEISH}(?:,?\s+(?:at\s+)?{_TOD}{_ZONE}?)?"
    rf"|{_PERIOD}"
    rf"|the\s+(?:past|last|previous)\s+(?:(?P<pastn>{_SMALL})\s+)?(?P<pastunit>{_UNIT})"
    rf"|(?P<agon>{_SMALL})\s+(?P<agounit>{_UNIT})\s+ago\b",
)


_MONTH_NUMBERS = {name[:3]: i for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july",
     "august", "september", "october", "november", "december"), start=1)}
_WEEKDAY_OBJS = dict(zip(_WEEKDAYS, (MO, TU, WE, TH, FR, SA, SU), strict=True))
# One of each unit "3 weeks ago", "the past 2 months" and "next year" count: _ONE["week"] * 3 is relativedelta(weeks=3)
_ONE = {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1),
        "year": relativedelta(years=1)}


def _pivot(yy: int) -> int:
    """The century of a two-digit year, as POSIX strptime's %y: 69-99 are 19xx, 00-68 are 20xx."""
    return yy + (1900 if yy >= 69 else 2000)


_QUARTERS = ("first", "second", "third", "fourth")


def _numeric_date(m: regex.Match[str], notes: list[str]) -> str:
    """A date in figures: "2020/1/7" is year/month/day; "7/1/2020" is month/day (US order),
    unless its first number cannot be a month (over 12): then day/month ("13/1/2020")."""
    year = int(m["nyear"])
    if m["n3"]:
        return datetime.date(year, int(m["n2"]), int(m["n3"])).isoformat()
    first, second = int(m["n1"]), int(m["n2"])
    if first > 12:
        notes.append("day/month/year: the first number is over 12")
        return datetime.date(year, second, first).isoformat()
    if second <= 12 and first != second:
        notes.append("ambiguous numeric date read month/day/year (US order)")
    return datetime.date(year, first, second).isoformat()


class _NoDate(Exception):
    """The expression needs a document date and none was given."""


def _count(text: str | None) -> int:
    if text is None or word_key(text) in ("a", "an"):
        return 1
    n = number_value(text)
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
        end, n, unit = need(), _count(m["pastn"]), word_key(m["pastunit"]).rstrip("s")
        if unit == "hour":
            start = end - datetime.timedelta(days=-(-n // 24))
        else:
            start = end - _ONE[unit] * n
        return f"{start.isoformat()}/{end.isoformat()}"
    if m["agounit"]:
        n, unit = _count(m["agon"]), word_key(m["agounit"]).rstrip("s")
        if unit == "hour":
            unit, n = "day", -(-n // 24)
        day = need() - _ONE[unit] * n
        return {"day": day.isoformat(), "week": _iso_week(day), "month": day.isoformat()[:7],
                "year": str(day.year)}[unit]
    if m["relunit"]:
        step = {"last": -1, "this": 0, "next": 1}[m["reldir"].lower()]
        unit = m["relunit"].lower()
        day = need() + _ONE[unit] * step
        return {"week": _iso_week(day), "month": day.isoformat()[:7], "year": str(day.year)}[unit]
    if m["decade"]:
        notes.append(f"the decade {m['decade']}0-{m['decade']}9")
        return m["decade"]
    if m["quarter"] or m["qword"]:
        quarter = int(m["quarter"]) if m["quarter"] else _QUARTERS.index(m["qword"].lower()) + 1
        if m["year"]:
            return f"{m['year']}-Q{quarter}"
        doc = need()  # _NoDate without one
        year = doc.year  # "the third quarter": the document's year, as a month without a year
        if datetime.date(year, 3 * quarter - 2, 1) > doc + relativedelta(months=6):
            year -= 1
            notes.append(f"resolved against document date {doc.isoformat()} (previous year:"
                         " the quarter would start more than 6 months after it)")
        else:
            notes.append(f"resolved against document date {doc.isoformat()}")
        return f"{year}-Q{quarter}"
    if m["nyear"]:
        return _numeric_date(m, notes)
    if m["iso"]:
        return datetime.date.fromisoformat(m["iso"]).isoformat()
    if m["month"]:
        month = _MONTH_NUMBERS[m["month"][:3].lower()]
        day_of_month = int(m["day"]) if m["day"] else None
        if m["year"]:
            year = int(m["year"])
        elif m["yy"]:
            year = _pivot(int(m["yy"]))
            notes.append(f"two-digit year {m['yy']} read as {year}")
        elif doc is None:
            notes.append("no document date: year unknown")
            datetime.date(2000, month, day_of_month or 1)  # leap year: rejects only impossible days
            return f"--{month:02d}" + (f"-{day_of_month:02d}" if day_of_month else "")
        else:
            year = doc.year
            if datetime.date(year, month, min(day_of_month or 1, 28)) > doc + relativedelta(months=6):
                year -= 1
                notes.append(f"resolved against document date {doc.isoformat()} (previous year:"
                             " the date would be more than 6 months after it)")
            else:
                notes.append(f"resolved against document date {doc.isoformat()}")
        if day_of_month is None:
            return f"{year:04d}-{month:02d}"
        date = datetime.date(year, month, day_of_month)
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
        back = 1 if m["lastnight"] or word_key(m["rel"] or "") == "yesterday" else 0
        if m["lastnight"]:
            notes.append("'last night' is the night before the document date")
        return (need() - datetime.timedelta(days=back)).isoformat()
    return None


_RELATIVE_GROUPS = ("pastunit", "agounit", "relunit", "wd", "rel", "daypart", "lastnight")


def normalise_time(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    m = compiled_parser(TIME_NAMED).fullmatch(text)
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
        notes.append(word_key(m["part"]))
    if m["daypart"] and not m["lastnight"]:
        notes.append(f"part of day: {word_key(m['daypart'])}")
    if m["local"]:
        notes.append("local time: offset unknown")
    tod = _time_of_day(m)
    value = (date or "") + (tod or "")
    return Normalised(value, "time", "; ".join(notes) or None)

