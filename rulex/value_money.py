"""Sums of money: the built-in type Money, "$200 million", "US$5bn", "€1.2 billion", "200 million
dollars", "£30,000", "Rs 500 crore", "more than $5bn", "$2-3 million" -> an amount and its ISO 4217
currency code."""

from __future__ import annotations

import datetime
from decimal import Decimal

import regex

from .value_base import Normalised, alternation, compiled_parser, starts_with, word_key
from .value_numbers import LEAD_D, NUMBER_FIRST_WORDS, QUANTITY_WORDS, WORDNUM, measure_value, number_value, row_phrases

# A sign or letters written before the amount ("$200", "US$5bn", "Rs 500"). A bare "$" is the US
# dollar, as news in English means it; "¥" the yen (the yuan is written "yuan", "CNY" or "RMB").
CURRENCY_SIGNS: dict[str, str] = {
    "$": "USD", "US$": "USD", "U.S.$": "USD", "USD$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD",
    "CA$": "CAD", "HK$": "HKD", "NZ$": "NZD", "S$": "SGD", "€": "EUR", "£": "GBP", "¥": "JPY",
    "₹": "INR", "Rs": "INR", "Rs.": "INR", "₽": "RUB", "₪": "ILS", "RMB": "CNY",
}
# Codes, written before or after the amount, in capitals only ("EUR 5m", "500 million USD").
CURRENCY_CODES = ("USD", "EUR", "GBP", "JPY", "CNY", "INR", "PKR", "RUB", "CHF", "CAD", "AUD", "HKD",
                  "NZD", "SGD", "SAR", "AED", "QAR", "IQD", "IRR", "ILS", "TRY", "EGP", "SYP", "AFN",
                  "UAH", "NGN", "ZAR", "KRW", "BRL", "MXN")
# Names written after the amount ("200 million dollars").
CURRENCY_NAMES: dict[str, str] = {
    "dollars": "USD", "dollar": "USD", "us dollars": "USD", "u.s. dollars": "USD",
    "american dollars": "USD", "canadian dollars": "CAD", "australian dollars": "AUD",
    "hong kong dollars": "HKD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
    "pounds sterling": "GBP", "british pounds": "GBP", "sterling": "GBP", "yen": "JPY",
    "yuan": "CNY", "renminbi": "CNY", "rupees": "INR", "indian rupees": "INR",
    "pakistani rupees": "PKR", "roubles": "RUB", "rubles": "RUB", "swiss francs": "CHF",
    "riyals": "SAR", "saudi riyals": "SAR", "dirhams": "AED", "iraqi dinars": "IQD",
    "rials": "IRR", "iranian rials": "IRR", "shekels": "ILS", "turkish lira": "TRY",
    "egyptian pounds": "EGP", "syrian pounds": "SYP", "afghanis": "AFN", "hryvnias": "UAH",
}
# What a scale word multiplies by; the short ones are written right after the digits too ("5bn").
MONEY_SCALES: dict[str, int] = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "mn": 10**6, "mln": 10**6,
    "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12,
    "lakh": 10**5, "lakhs": 10**5, "crore": 10**7, "crores": 10**7,
}
_SIGN_CHARS = "$€£¥₹₽₪"
_LONG_SCALE = alternation([s for s in MONEY_SCALES if len(s) > 2])
_SHORT_SCALE = alternation([s for s in MONEY_SCALES if len(s) <= 3])
_DIGIT_BODY = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:\s*{_SHORT_SCALE}\b|\s+{_LONG_SCALE}\b)?"
_DIGIT_END = r"(?![.,:/]\d|-\w)"
_DIGIT_AMOUNT = rf"{LEAD_D}{_DIGIT_BODY}{_DIGIT_END}"
_AMOUNT = rf"(?:{_DIGIT_AMOUNT}|{WORDNUM}(?:\s+{_LONG_SCALE}\b)?)"
_LETTER_SIGNS = alternation([s for s in CURRENCY_SIGNS if s[0].isalpha()])   # "US$", "Rs"
_SYMBOL_SIGNS = alternation([s for s in CURRENCY_SIGNS if not s[0].isalpha()])  # "$", "€"
_SIGN = rf"(?:{_LETTER_SIGNS}\.?\s?|(?-i:{'|'.join(CURRENCY_CODES)})\s?|{_SYMBOL_SIGNS})"
_AFTER = rf"(?:{alternation(list(CURRENCY_NAMES))}\b|(?-i:{'|'.join(CURRENCY_CODES)})\b)"
_BEFORE = alternation(row_phrases("before"))


def money_source() -> str:
    """The Money pattern with named groups."""
    first_words = NUMBER_FIRST_WORDS | {"between"} | {s.lower().rstrip(".$") for s in CURRENCY_SIGNS if s[0].isalpha()} \
        | {c.lower() for c in CURRENCY_CODES} | {
            phrase.split()[0] for row in QUANTITY_WORDS if row.role == "before" for phrase in row.phrases}
    signed = rf"(?P<sign>{_SIGN})(?P<hi>{_DIGIT_AMOUNT})"
    ranged = rf"(?P<sign>{_SIGN})(?P<lo>{_DIGIT_BODY})\s*(?:-|to)\s*(?:{_SIGN})?(?P<hi>{_DIGIT_BODY}){_DIGIT_END}"
    named = rf"(?:(?P<lo>{_AMOUNT})\s*(?:-|to)\s*)?(?P<hi>{_AMOUNT})\s+(?P<name>{_AFTER})"
    return starts_with(
        first_words,
        rf"between\s+(?P<sign>{_SIGN})(?P<lo>{_DIGIT_AMOUNT})\s+and\s+(?:{_SIGN})?(?P<hi>{_DIGIT_AMOUNT})"
        rf"|(?:(?P<before>{_BEFORE})\s+)?(?:{ranged}|{signed}|{named})",
        signs=_SIGN_CHARS,
    )


MONEY_PARSER = money_source()
_SCALED = regex.compile(rf"(.+?)\s*\b?({'|'.join(sorted(MONEY_SCALES, key=len, reverse=True))})")
_CODES_BY_KEY = {word_key(s).rstrip("."): code for s, code in CURRENCY_SIGNS.items()} | {
    word_key(c): c for c in CURRENCY_CODES} | {word_key(n): code for n, code in CURRENCY_NAMES.items()}


def _amount(text: str) -> tuple[Decimal, int] | None:
    """The number a piece of the match says, and the scale it names (1 if none: the "2" of "$2-3
    million", whose scale is said once, after the second number)."""
    m = _SCALED.fullmatch(word_key(text).replace(",", ""))
    head, scale = (m[1], MONEY_SCALES[m[2]]) if m else (word_key(text).replace(",", ""), 1)
    if head in ("a", "an"):
        return Decimal(1), scale
    n = Decimal(head) if head[:1].isdigit() else number_value(head)
    return None if n is None else (n, scale)


def normalise_money(text: str, document_date: datetime.date | None = None) -> Normalised | None:
    m = compiled_parser(MONEY_PARSER).fullmatch(text)
    if m is None:
        return None
    said = word_key(m["sign"] or m["name"]).rstrip(".")
    currency = _CODES_BY_KEY.get(said) or _CODES_BY_KEY.get(said.replace(" ", ""))
    high = _amount(m["hi"])
    low = _amount(m["lo"]) if m["lo"] else high
    if currency is None or high is None or low is None:
        return None
    hi = high[0] * high[1]
    lo = low[0] * (low[1] if low[1] != 1 else high[1])  # "$2-3 million": the scale is said once, for both
    if lo > hi:
        return Normalised(None, "money", f"range bounds out of order: {lo} > {hi}")
    value, note = measure_value("amount", lo, hi, m["before"])
    return Normalised({**value, "currency": currency}, "money", note)


_SEPARATOR = regex.compile(r"\s*(?:-|to)\s*")


def money_marks(text: str) -> tuple[tuple[int, int], ...]:
    """Where a Money the fragment found is marked: the whole span and, for a range whose second
    amount has its own sign ("$5 billion to $6 billion"), each amount too, so that a rule may take
    them one by one (``from {old:Money} to {new:Money}``); a range out of order ("fell from $6
    billion to $5 billion") is its two amounts only. "$2-3 million" (one sign, one scale) stays whole."""
    m = compiled_parser(MONEY_PARSER).fullmatch(text)
    if m is None or not m["lo"] or not m["sign"] or word_key(text).startswith("between "):
        return ((0, len(text)),)
    separator = _SEPARATOR.match(text, m.end("lo"), m.start("hi"))
    if separator is None or separator.end() == m.start("hi"):  # no sign of its own before the second amount
        return ((0, len(text)),)
    ends = ((0, m.end("lo")), (separator.end(), len(text)))
    whole = normalise_money(text)
    return ends if whole is None or whole.value is None else ((0, len(text)), *ends)

