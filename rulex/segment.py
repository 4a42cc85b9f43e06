"""The input-text stage: normalising characters, sentences and tokens.

Everything here is a pure function of the text. Offsets are Python ``str`` indexes into
the document text, and ``normalise`` and ``lowercase_view`` keep the length of the text,
so an offset found in either view is also valid in the original text.
"""

from __future__ import annotations

import bisect
import functools
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

# normalise() encodes the text as UTF-8, where C-speed methods find the characters that
# need a change: `bytes.translate` keeps only the bytes that can start one, and for each
# of those a pattern that starts with that (literal, so fast to find) byte lists them.
# Then `str.replace` changes each different character found.


def _first_byte_pattern(chars: list[str]) -> re.Pattern[bytes]:
    """A pattern for the UTF-8 encodings of ``chars``, which all start with the same byte."""
    last_bytes: dict[bytes, set[int]] = {}  # all but the last byte -> the possible last bytes
    for seq in (ch.encode() for ch in chars):
        last_bytes.setdefault(seq[:-1], set()).add(seq[-1])
    heads: dict[bytes, list[bytes]] = {}  # a class of last bytes -> the heads it follows
    for head, tails in last_bytes.items():
        heads.setdefault(_byte_class(tails), []).append(head)
    return re.compile(b"|".join(_heads(h) + tail for tail, h in heads.items()))


def _heads(heads: list[bytes]) -> bytes:
    """A regex for these byte strings: one byte and a class when all are two bytes that start alike."""
    if len(heads) > 1 and all(len(h) == 2 and h[0] == heads[0][0] for h in heads):
        return re.escape(heads[0][:1]) + _byte_class({h[1] for h in heads})
    return b"(?:" + b"|".join(map(re.escape, heads)) + b")"


def _byte_class(values: set[int]) -> bytes:
    """A regex class of these bytes, runs written as ranges (the private-use area is 6,400 characters)."""
    runs: list[list[int]] = []
    for value in sorted(values):
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return b"[" + b"".join(b"\\x%02x" % a if a == b else b"\\x%02x-\\x%02x" % (a, b) for a, b in runs) + b"]"


_BY_FIRST_BYTE: dict[int, list[str]] = {}
for _char in _CHAR_MAP:
    _BY_FIRST_BYTE.setdefault(_char.encode()[0], []).append(_char)
del _char
_FIND = {first: _first_byte_pattern(chars) for first, chars in _BY_FIRST_BYTE.items()}
# The private-use planes 15 and 16 (U+F0000..U+10FFFF) are not in _CHAR_MAP.
_FIND[0xF3] = re.compile(rb"\xf3[\xb0-\xbf][\x80-\xbf][\x80-\xbf]")
_FIND[0xF4] = re.compile(rb"\xf4[\x80-\x8f][\x80-\xbf][\x80-\xbf]")
_NOT_FIRST_BYTES = bytes(b for b in range(256) if b not in _FIND)


def normalise(text: str) -> str:
    """Map typographic quotes, dashes, odd spaces, control and private-use characters.

    Quotes become ``'`` or ``"``, dashes and minus signs ``-``, and every other space
    separator, control character (but tab, line feed and carriage return) and private-use
    character a space. Each character is mapped to exactly one, so offsets stay valid.
    """
    found: set[bytes] = set()
    for a, b in _chunks(text):  # a piece at a time: a huge text is not encoded whole
        data = text[a:b].encode("utf-8", "surrogatepass")
        for first in set(data.translate(None, _NOT_FIRST_BYTES)):
            found.update(_FIND[first].findall(data))
        del data
    changes = {ch: _CHAR_MAP.get(ch, " ") for ch in (seq.decode("utf-8") for seq in found)}
    if len(changes) > 32:  # many different characters, such as private-use ones
        return text.translate({ord(ch): replacement for ch, replacement in changes.items()})  # as str.maketrans
    for ch, replacement in changes.items():
        text = text.replace(ch, replacement)
    return text


CHUNK = 1 << 20  # characters: a huge text is encoded or lower-cased a piece of about this size at a time
_CUT = re.compile(r"[ \t\n]")  # neither cased nor case-ignorable: lower-casing never looks across it


def _chunks(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """Spans that cut `text` into pieces of about `size` characters, each cut just before a
    space, tab or line end (a text without one is one piece)."""
    size = size or CHUNK
    out, start = [], 0
    while len(text) - start > size:
        cut = _CUT.search(text, start + size)
        if cut is None:
            break
        out.append((start, cut.start()))
        start = cut.start()
    out.append((start, len(text)))
    return out


def lowercase_view(text: str) -> str:
    """``text.lower()``, with the same length as ``text``.

    A character whose lowercase is longer than one character (such as "İ") is kept as it is,
    and then every character is lower-cased on its own (a final "Σ" is "σ", not "ς").
    A huge text is lower-cased a piece at a time (``str.lower`` takes 12 bytes a character
    while it works), cut at spaces, where lower-casing a piece gives what it gives in the text.
    """
    pieces: list[str] = []
    for a, b in _chunks(text):
        lowered = text[a:b].lower()
        if len(lowered) != b - a:  # a character grew: the mapping is not 1:1 anywhere
            del pieces, lowered
            return "".join("".join(low if len(low := ch.lower()) == 1 else ch for ch in text[a:b])
                           for a, b in _chunks(text))
        pieces.append(lowered)
    return pieces[0] if len(pieces) == 1 else "".join(pieces)


# --------------------------------------------------------------------------- sentences

# Titles and abbreviations after which a sentence does not end ("Gen. Soleimani").
_TITLES = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt cpl pvt adm cmdr sen rep gov pres rev hon "
    "vs e.g i.e cf approx".split()
)
# Abbreviations that may end a sentence ("... Apple Inc. The company ...").
_ABBREVIATIONS = frozenset(
    "jr sr st etc inc corp co ltd jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave "
    "blvd dept univ fig ala ariz ark calif colo conn fla ga kan ky md mich minn neb nev okla "
    "tenn tex vt wis wyo".split()  # the last ones are US states, in AP style
)
# Abbreviations used before a number ("No. 5").
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


def _not_after_abbreviation() -> str:
    """Lookbehinds that fail just after the dot of a known abbreviation or an initial."""
    words = sorted(_TITLES | _ABBREVIATIONS | _NUMBER_ABBREVIATIONS)
    lookbehinds = [r"(?<!\b[^\W\d_]\.)"]  # an initial, or the end of "U.S." or "p.m."
    for size in sorted({len(word) for word in words}):  # `re` needs a fixed width
        same_size = "|".join(re.escape(word) for word in words if len(word) == size)
        lookbehinds.append(rf"(?<!\b(?i:{same_size})\.)")
    return "".join(lookbehinds)


# A candidate boundary starts with terminal punctuation or a line break; this leading
# character class lets `re` skip quickly from one candidate to the next. The four kinds:
#   stop    terminal punctuation (and closing quotes/brackets) that ends a sentence;
#   abbrev  a dot after an abbreviation or initial, decided in Python;
#   para    a blank line;
#   line    one line break, decided in Python.
# "stop" and "abbrev" need spaces and then the start of a sentence: a letter that is not
# lower case (as far as ASCII and Latin-1 tell), a digit, or an opening quote/bracket.
_BOUNDARY = re.compile(
    r"""[.?!\u2026\n\r\x0b\x0c\x85\u2028\u2029]
    (?: (?: (?<=[?!\u2026]) | (?<=\.)(?=[.?!\u2026"'\u2019\u201d\u00bb\u203a)\]}]) | (?<=\.)NOT_ABBREVIATION )
        (?P<stop>[.?!\u2026]*["'\u2019\u201d\u00bb\u203a)\]}]*) SPACE+ (?=NEXT)
      | (?<=\.) (?P<abbrev>) SPACE+ (?=NEXT)
      | (?<=[\n\r\x0b\x0c\x85\u2028\u2029]) (?:(?<=\r)\n)? SPACE*
        (?: (?P<para>[\n\r\x0b\x0c\x85\u2028\u2029])\s* | (?P<line>) )
    )""".replace("NOT_ABBREVIATION", _not_after_abbreviation())
    .replace("SPACE", r"[^\S\n\r\x0b\x0c\x85\u2028\u2029]")
    .replace("NEXT", r"""[^\W_a-z\u00df-\u00ff]|["'\u2018\u201c\u201e\u00ab\u2039(\[{\u00bf\u00a1]"""),
    re.VERBOSE,
)


def _abbreviation_ends_sentence(text: str, dot: int, nxt: int) -> bool:
    """Whether the dot after an abbreviation or initial, followed by ``text[nxt]``, ends a sentence."""
    word = text[max(0, dot - 24) : dot].split()[-1].lstrip(_OPENERS)
    key = word.lower()
    if key in _TITLES:
        return False
    known = key in _ABBREVIATIONS or key in _NUMBER_ABBREVIATIONS or _INITIALS.fullmatch(word)
    if not known:  # a word like "IRGC's"
        return True
    if text[nxt].isdigit():  # "No. 5", "Jan. 7"
        return False
    if key in _NUMBER_ABBREVIATIONS:
        return True
    # "... based in the U.S. The next day ..." but "U.S. President Trump".
    match = _NEXT_WORD.match(text, nxt)
    return match is not None and match.group(1).lower() in _SENTENCE_STARTERS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentences: ordered ``(start, end)`` spans without surrounding whitespace."""
    spans = []
    start = len(text) - len(text.lstrip())
    for m in _BOUNDARY.finditer(text):
        kind = m.lastgroup
        if kind == "stop":
            end = m.end("stop")
        elif kind == "abbrev":
            end = m.start() + 1
            if not _abbreviation_ends_sentence(text, m.start(), m.end()):
                continue
        else:  # a line break
            if m.end() == len(text):
                break
            end = m.start()
            while end > start and text[end - 1].isspace():
                end -= 1
            # One line break ends a sentence unless the line goes on (hard-wrapped text).
            if kind == "line" and end > start and (text[m.end()].islower() or text[end - 1] == ","):
                continue
        if end > start:
            spans.append((start, end))
        start = m.end()
    end = len(text)
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
    return spans


# --------------------------------------------------------------------------- tokens

# Abbreviations tokenised with their dot ("Gen.", "Inc.", "etc."), in any of three cases.
_TOKEN_ABBREVIATIONS = sorted(
    {
        variant
        for word in _TITLES | _ABBREVIATIONS
        if "." not in word  # "e.g." is a dotted abbreviation
        for variant in (word, word.capitalize(), word.upper())
    }
)
_WORD_CHAR = r"[\p{L}\p{M}\p{N}]"
_CLITIC = r"(?i:s|m|d|re|ve|ll)(?!WORD_CHAR)".replace("WORD_CHAR", _WORD_CHAR)  # after an apostrophe
@functools.cache
def _token_regex() -> regex.Pattern[str]:
    """The tokens' regex, compiled on first use (only `rulex explain` tokenises). The first
    branch and the lookaheads in front of the next two only make it faster."""
    return regex.compile(
        r"""
          WORD_CHAR++(?![.,:'\u2019\-\u2010\u2011])           # a plain word: most tokens
        | (?=\p{L}\.\p{L}\.) (?:\p{L}\.)+                   # dotted abbreviations: U.S. p.m. e.g.
        | (?=\p{L}{2,6}\.) \L<abbreviations>\.              # known abbreviations: Gen. Inc. etc.
        | (?i:no|nos)\.(?=\s*\d)                            # No. 5
        | \p{Lu}\.(?![\p{L}\p{N}])                          # an initial: the W. of George W. Bush
        | \d+(?:[.,:]\d+)+                                  # numbers: 1,200 3.5 5:30
        | (?<=WORD_CHAR)['\u2019]CLITIC                     # clitics: 's 're 've 'll 'm 'd
        | WORD_CHAR+(?:(?:[-\u2010\u2011]|['\u2019](?!CLITIC))WORD_CHAR+)*   # al-Assad, don't, O'Brien
        | [^\s\x1c-\x1f]                                    # any other character
        """.replace("CLITIC", _CLITIC).replace("WORD_CHAR", _WORD_CHAR),
        regex.VERBOSE,
        abbreviations=_TOKEN_ABBREVIATIONS,
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
    return [Token(m.start(), m.end(), m.group()) for m in _token_regex().finditer(text, start, end)]


# --------------------------------------------------------------------------- paragraphs and windows

LINE_ENDS = re.compile(r"\n[ \t\n]*")
FINAL = frozenset(".!?:\"')]")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans between blank lines and line ends after sentence-final punctuation: no sentence crosses them."""
    spans, start = [], 0
    for m in LINE_ENDS.finditer(text):
        at = m.start()
        while at > start and text[at - 1] in " \t":
            at -= 1
        if m.group().count("\n") > 1 or (at > 0 and text[at - 1] in FINAL):
            spans.append((start, at))
            start = m.end()
    spans.append((start, len(text)))
    return spans


WINDOW_CHARACTERS = 1_000_000  # a document longer than about this is planned a window at a time

# `windows` cuts the text as given where `paragraphs` cuts its normalised view: these are the
# characters that are, or that `normalise` makes, a space or tab (`_BLANKS`), and a line end
# followed by such characters and line ends.
_BLANKS = frozenset(" \t" + _SPACES + _CONTROLS + _PRIVATE_USE)
_RAW_LINE_ENDS = re.compile("\n[\n" + re.escape("".join(sorted(_BLANKS))) + "\U000F0000-\U0010FFFF]*")


def _normalised_char(char: str) -> str:
    """What `normalise` makes of one character."""
    return _CHAR_MAP.get(char, " " if char >= "\U000F0000" else char)


def windows(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """The text cut into windows of about `size` characters or more, each of whole paragraphs:
    a window ends where a paragraph of the normalised text starts (after a blank line or a line
    end after sentence-final punctuation, as `paragraphs` cuts), so a line end lies just before
    each cut and no sentence, alias, anchor word or paragraph crosses one. The cuts are the same
    in the text and in its normalised view (`normalise`), so the text need not be normalised
    whole. A text with no such place is one window."""
    size = size or WINDOW_CHARACTERS
    out, lo, n = [], 0, len(text)
    while n - lo > size + size // 2:
        cut = _paragraph_start(text, lo + size)
        if cut is None:
            break
        out.append((lo, cut))
        lo = cut
    out.append((lo, n))
    return out


def _paragraph_start(text: str, at: int) -> int | None:
    """The first start of a paragraph (of `paragraphs(normalise(text))`) after `at`, before the
    end of the text."""
    for m in _RAW_LINE_ENDS.finditer(text, at):
        if m.end() >= len(text):
            return None
        end = m.start()  # a run found from inside a longer one starts after a line end: never FINAL
        while end > 0 and _normalised_char(text[end - 1]) in " \t":
            end -= 1
        if m.group().count("\n") > 1 or (end > 0 and _normalised_char(text[end - 1]) in FINAL):
            return m.end()
    return None


def _line_break(text: str, j: int) -> tuple[int, int, bool]:
    """The run of spaces and line ends around the line end at j, and whether it ends a paragraph
    (two line ends, or one after sentence-final punctuation)."""
    first, last = j, j + 1
    while first > 0 and text[first - 1] in " \t\n":
        first -= 1
    while last < len(text) and text[last] in " \t\n":
        last += 1
    return first, last, (first > 0 and text[first - 1] in FINAL) or text.count("\n", first, last) > 1


def paragraph_at(text: str, at: int) -> tuple[int, int]:
    """The span of `paragraphs(text)` that holds offset `at`, a character that is not a space:
    from the end of the last run of spaces and line ends before it that ends a paragraph (two
    line ends, or one after sentence-final punctuation) to the start of the next such run."""
    start, end = 0, len(text)
    j = text.rfind("\n", 0, at)
    while j >= 0:
        first, last, ends = _line_break(text, j)
        if ends:
            start = last
            break
        j = text.rfind("\n", 0, first)
    j = text.find("\n", at)
    while j >= 0:  # nothing but non-line-end characters lie between `at` (not a space) and j
        first, last, ends = _line_break(text, j)
        if ends:
            end = first
            break
        j = text.find("\n", last)
    return start, end


class Paragraphs:
    """The paragraphs of a text (spans as `paragraphs` gives them), each found when first asked
    for; all of them up front if `every`, at the first question if `many` will be asked, or
    once asked about a space."""

    def __init__(self, text: str, every: bool = False, many: bool = False):
        self.text = text
        self.spans = paragraphs(text) if every else []
        self.starts = [s for s, _ in self.spans]
        self.every = every
        self.many = many
        self.last = (0, -1)

    def span(self, at: int) -> tuple[int, int]:
        """The paragraph holding offset `at` (the one before it, for a space between two)."""
        last = self.last
        if last[0] <= at < last[1]:
            return last
        if not self.every and (self.many or self.text[at] in " \t\n"):
            self.spans, self.every = paragraphs(self.text), True
            self.starts = [s for s, _ in self.spans]
        index = bisect.bisect_right(self.starts, at) - 1
        if not self.every and (index < 0 or at >= self.spans[index][1]):
            span = paragraph_at(self.text, at)
            self.spans.insert(index + 1, span)
            self.starts.insert(index + 1, span[0])
            index += 1
        self.last = self.spans[index]
        return self.last


def sentences_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(s + start, e + start) for s, e in split_sentences(text[start:end])]


MAX_SENTENCE = 2000  # characters; longer run-on "sentences" are matched in pieces


def bounded(sentences: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Sentences, with any longer than MAX_SENTENCE cut at spaces into pieces of about half that."""
    if all(e - s <= MAX_SENTENCE for s, e in sentences):
        return sentences
    out = []
    for start, end in sentences:
        while end - start > MAX_SENTENCE:
            cut = text.rfind(" ", start + MAX_SENTENCE // 4, start + MAX_SENTENCE // 2)
            cut = cut if cut > start else start + MAX_SENTENCE // 2
            out.append((start, cut))
            start = cut + (text[cut] == " ")
        out.append((start, end))
    return out
