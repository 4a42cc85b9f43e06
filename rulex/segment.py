"""The input-text stage: normalising characters, sentences and tokens.

Everything here is a pure function of the text. Offsets are Python ``str`` indexes into
the document text, and ``normalise`` and ``lowercase_view`` keep the length of the text,
so an offset found in either view is also valid in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

__all__ = ["Token", "normalise", "lowercase_view", "split_sentences", "tokenize"]


@dataclass(frozen=True, slots=True)
class Token:
    """A token: ``text == document_text[start:end]``."""

    start: int  # absolute offset in the document text (Python str index)
    end: int  # exclusive
    text: str


# --------------------------------------------------------------------------- normalise

_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u02bc`\u00b4\u2039\u203a\uff07"  # ‘ ’ ‚ ‛ ′ ‵ ʼ ` ´ ‹ › ＇
_DOUBLE_QUOTES = "\u00ab\u00bb\u201c\u201d\u201e\u201f\u2033\u2036\uff02"  # « » “ ” „ ‟ ″ ‶ ＂
# Every dash-punctuation character (Unicode category Pd) except "-" itself, plus the minus sign.
_DASHES = (
    "\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a\u2e3b"
    "\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead\u2212"
)
# Every space separator (category Zs) other than " ".
_SPACES = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
# Control characters other than \t \n \r: C0, DEL and C1.
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r")
# The Private Use Area of the Basic Multilingual Plane. The matcher uses these characters
# (and \x01..\x04) as internal markers, so none may survive. Planes 15 and 16 are handled below.
_PRIVATE_USE = "".join(map(chr, range(0xE000, 0xF900)))

_CHAR_MAP: dict[str, str] = {
    **dict.fromkeys(_SINGLE_QUOTES, "'"),
    **dict.fromkeys(_DOUBLE_QUOTES, '"'),
    **dict.fromkeys(_DASHES, "-"),
    **dict.fromkeys(_SPACES + _CONTROLS + _PRIVATE_USE, " "),
}

# normalise() works on the UTF-8 bytes of the text, where C-speed bytes methods can find
# the few places that need a change. Each character is replaced by exactly one character,
# so the decoded result has the same length as the text, even though the bytes do not.
_UTF8_MAP = {ch.encode(): rep.encode() for ch, rep in _CHAR_MAP.items()}
_ASCII_TABLE = bytes.maketrans(
    bytes(ord(ch) for ch in _CHAR_MAP if ch < "\x80"),
    bytes(ord(rep) for ch, rep in _CHAR_MAP.items() if ch < "\x80"),
)
# The first byte of every UTF-8 sequence that may need a change; 0xF3 and 0xF4 start the
# private-use planes 15 and 16 (U+F0000..U+10FFFF).
_SUSPECT_BYTES = frozenset(key[0] for key in _UTF8_MAP) | {0xF3, 0xF4}
_NOT_SUSPECT = bytes(b for b in range(256) if b not in _SUSPECT_BYTES)


def _seq_length(lead: int) -> int:
    """Length of a UTF-8 sequence that starts with the byte ``lead``."""
    return 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def _map_sequences(data: bytes, lead: int) -> bytes:
    """Replace every mapped character that starts with the byte ``lead``."""
    length = _seq_length(lead)
    pieces = data.split(bytes([lead]))
    out = [pieces[0]]
    for piece in pieces[1:]:
        seq = bytes([lead]) + piece[: length - 1]
        replacement = _UTF8_MAP.get(seq)
        if replacement is None:  # U+F0000..U+10FFFF (b"\xf3\xb0\x80\x80"...) is private use
            replacement = b" " if seq >= b"\xf3\xb0" else seq
        out.append(replacement)
        out.append(piece[length - 1 :])
    return b"".join(out)


def normalise(text: str) -> str:
    """Map typographic quotes, dashes, odd spaces, control and private-use characters.

    Quotes become ``'`` or ``"``, dashes and minus signs ``-``, and every other space
    separator, control character (except \\t \\n \\r) and private-use character a space.
    Each character is mapped to exactly one character, so offsets stay valid.
    """
    data = text.encode("utf-8", "surrogatepass")
    suspects = data.translate(None, _NOT_SUSPECT)
    if not suspects:
        return text
    leads = set(suspects)
    if min(leads) < 0x80:
        data = data.translate(_ASCII_TABLE)
    for lead in leads:
        if lead >= 0x80:
            data = _map_sequences(data, lead)
    return data.decode("utf-8", "surrogatepass")


def lowercase_view(text: str) -> str:
    """``text.lower()``, with the same length as ``text``.

    A character whose lowercase is longer than one character (such as "İ") is kept as it is.
    """
    lowered = text.lower()
    if len(lowered) == len(text):  # no character grew, so the mapping is 1:1
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


# --------------------------------------------------------------------------- sentences

# Titles and abbreviations after which a sentence does not end ("Gen. Soleimani").
_TITLES = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt cpl pvt adm cmdr sen rep gov pres rev hon "
    "vs e.g i.e cf approx".split()
)
# Abbreviations that may end a sentence ("... Apple Inc. The company ...").
_ABBREVIATIONS = frozenset(
    "jr sr st etc inc corp co ltd jan feb mar apr jun jul aug sep sept oct nov dec mt".split()
)
# Abbreviations used before a number only ("No. 5").
_NUMBER_ABBREVIATIONS = frozenset(["no", "nos"])
# Single letters and dotted abbreviations, without their final dot: "W", "U.S", "p.m".
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
# After an abbreviation that may end a sentence, these words start a new one.
_SENTENCE_STARTERS = frozenset(
    "the a an in it its he she they we i you his her their our this that these those there "
    "but however on at after before when while if as also and so yet then now today "
    "meanwhile according some many most both each earlier later".split()
)
_NEXT_WORD = re.compile(r"[\"'\u2018\u201c\u00ab(\[]*([^\W\d_]+)\b(?!\.)")

_OPENERS = "\"'\u2018\u201c\u201e\u00ab\u2039([{\u00bf\u00a1"
_LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
# A candidate boundary starts with terminal punctuation or a line break. The leading
# character class lets `re` skip quickly to the next candidate; the lookbehinds tell the
# two kinds apart:
#   - terminal punctuation, closing quotes/brackets, then spaces on the same line;
#   - a line break and all the whitespace after it.
_BOUNDARY = re.compile(
    r"""[.?!\u2026\n\r\x0b\x0c\x85\u2028\u2029]
    (?: (?<=[.?!\u2026]) (?P<rest>[.?!\u2026]*["'\u2019\u201d\u00bb\u203a)\]}]*)
        [^\S\n\r\x0b\x0c\x85\u2028\u2029]+ (?=\S)
      | (?<=[\n\r\x0b\x0c\x85\u2028\u2029]) \s*
    )""",
    re.VERBOSE,
)


def _is_paragraph_break(space: str) -> bool:
    """Whether a run of whitespace holds a blank line (two or more line breaks)."""
    space = space.replace("\r\n", "\n")
    return "\u2029" in space or sum(space.count(ch) for ch in _LINE_BREAKS) >= 2


def _continues_line(text: str, end: int, nxt: int) -> bool:
    """Whether the line ending at ``end`` continues on the next line (hard-wrapped text)."""
    return text[nxt].islower() or text[end - 1] == ","


def _dot_ends_sentence(text: str, dot: int, nxt: int) -> bool:
    """Whether the single "." at ``dot``, followed by spaces and ``text[nxt]``, ends a sentence."""
    tail = text[max(0, dot - 24) : dot]
    if not tail or tail[-1].isspace():
        return True
    word = tail.split()[-1].lstrip(_OPENERS)
    key = word.lower()
    if key in _TITLES:
        return False
    known = key in _ABBREVIATIONS or key in _NUMBER_ABBREVIATIONS or _INITIALS.fullmatch(word)
    if not known:
        return True
    if text[nxt].isdigit():  # "No. 5", "Jan. 7"
        return False
    if key in _NUMBER_ABBREVIATIONS:
        return True
    # An abbreviation or initial that may end the sentence: "in the U.S. The next day".
    match = _NEXT_WORD.match(text, nxt)
    return match is not None and match.group(1).lower() in _SENTENCE_STARTERS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentences: ordered ``(start, end)`` spans without surrounding whitespace."""
    spans = []
    start = len(text) - len(text.lstrip())
    for m in _BOUNDARY.finditer(text):
        cut = m.start()
        nxt = m.end()
        if nxt == len(text):
            break
        if text[cut] in _LINE_BREAKS:
            end = cut
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start and not _is_paragraph_break(m.group()) and _continues_line(text, end, nxt):
                continue
        else:
            ch = text[nxt]
            if not (ch.isupper() or ch.isdigit() or ch in _OPENERS):
                continue
            if text[cut] == "." and not m.group("rest") and not _dot_ends_sentence(text, cut, nxt):
                continue
            end = m.end("rest")
        if end > start:
            spans.append((start, end))
        start = nxt
    end = len(text)
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
    return spans


# --------------------------------------------------------------------------- tokens

# Abbreviations tokenised with their dot ("Gen.", "Inc."), as written and in capitals.
_TOKEN_ABBREVIATIONS = sorted(
    {
        variant
        for word in "Mr Mrs Ms Dr Prof Gen Lt Col Maj Capt Sgt Cpl Pvt Adm Cmdr Sen Rep Gov Pres "
        "Rev Hon Jr Sr St Inc Corp Co Ltd Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mt "
        "vs etc cf approx".split()
        for variant in (word, word.upper())
    },
    key=lambda w: (-len(w), w),
)
_CLITIC = r"(?i:s|m|d|re|ve|ll)(?![\p{L}\p{M}\p{N}])"  # after an apostrophe
_TOKEN = regex.compile(
    r"""
      (?:\p{L}\.){2,}                                   # dotted abbreviations: U.S. p.m. e.g.
    | (?:%(abbreviations)s)\.                           # known abbreviations: Gen. Inc. etc.
    | (?:No|NO|Nos|NOS)\.(?=\s*\d)                      # No. 5
    | \p{Lu}\.(?![\p{L}\p{N}])                          # an initial: the W. of George W. Bush
    | \d+(?:[.,:]\d+)+                                  # numbers: 1,200 3.5 5:30
    | (?<=[\p{L}\p{M}\p{N}])['\u2019]%(clitic)s            # clitics: 's 're 've 'll 'm 'd
    | [\p{L}\p{M}\p{N}]+                                # words, with hyphens and apostrophes inside:
      (?:(?:[-\u2010\u2011]|['\u2019](?!%(clitic)s))[\p{L}\p{M}\p{N}]+)*  # al-Assad, don't
    | [^\s\x1c-\x1f]                                    # any other character
    """
    % {
        "abbreviations": "|".join(_TOKEN_ABBREVIATIONS),
        "clitic": _CLITIC,
    },
    regex.VERBOSE,
)


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]``, with offsets into ``text``.

    Words keep inner hyphens and apostrophes ("al-Assad", "don't", "O'Brien"), but the
    clitics 's 're 've 'll 'm 'd are tokens of their own ("IRGC" "'s"). Dotted abbreviations,
    initials and numbers are one token ("U.S.", "Gen.", "W.", "1,200", "5:30"). Any other
    character that is not a space is a token.
    """
    if end is None:
        end = len(text)
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]
