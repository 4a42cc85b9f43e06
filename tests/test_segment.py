"""Tests for rulex.segment: normalise, lowercase_view, split_sentences and tokenize."""

from __future__ import annotations

import dataclasses
import random

import pytest

from rulex.segment import Token, lowercase_view, normalise, split_sentences, tokenize

from .conftest import SAMPLES

# The start of the TASS article in shared/samples/news/000_e8770538015dd795.txt.
TASS = (
    "WASHINGTON, January 8. /TASS/. Iran has delivered missile strikes against at least two "
    "military facilities in western Iraq, where US troops are deployed, a statement from "
    "Assistant to the US Secretary of Defense for Public Affairs Jonathan Hoffman stated on "
    "Wednesday.\n"
    '"At approximately 5:30 p.m. (EST) on January 7, Iran launched more than a dozen ballistic '
    'missiles against U.S. military and coalition forces in Iraq," the statement reads. "It is '
    "clear that these missiles were launched from Iran and targeted at least two Iraqi military "
    'bases hosting U.S. military and coalition personnel at Al-Assad and Irbil."\n'
    "Iran\u2019s news agency ISNA quoted a statement from the IRGC as saying that the operation "
    "in Iraq was code-named \u2018Martyr Soleimani.\u2019\n"
)

# The start of shared/samples/news/004_7499e0a153427b2d.txt (paragraphs split by blank lines).
FNA = (
    " date 2020-02-12 Ein al-Assad, al-Anbar, Iraq \u2013 Arab media reports said on Wednesday "
    "that the US army has started dispatching major cargoes from Ein al-Assad base in the "
    "al-Anbar province in western Iraq to Syria. The Arabic-language al-Mayadeen news website "
    "reported on Wednesday that a number of US trucks that carried construction materials have "
    "arrived in Syria from Ein al-Assad base in Iraq in the past four days.\n\n"
    "The US has sent large amounts of equipment to Ein al-Assad recently after the IRGC\u2019s "
    "retaliatory missile strike against the base last month."
)


# --------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # typographic single quotes, apostrophes and primes
        ("Iran\u2019s news agency", "Iran's news agency"),
        ("code-named \u2018Martyr Soleimani.\u2019", "code-named 'Martyr Soleimani.'"),
        ("\u201aLow\u201b and 5\u2032 and \u02bcokina", "'Low' and 5' and 'okina"),
        ("`grave\u00b4", "'grave'"),
        # typographic double quotes
        ("Daesh \u201cclearly gained\u201d room", 'Daesh "clearly gained" room'),
        ("\u00abBonjour\u00bb \u201eHallo\u201f 10\u2033", '"Bonjour" "Hallo" 10"'),
        # hyphens, dashes and minus signs
        ("Al-Anbar, Iraq \u2013 Arab media", "Al-Anbar, Iraq - Arab media"),
        ("war\u2014and peace", "war-and peace"),
        ("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "---------"),
        ("\u22125 \u00b0C", "-5 \u00b0C"),
        # space separators
        ("10\u00a0km", "10 km"),
        ("".join(map(chr, range(0x2000, 0x200B))), " " * 11),
        ("a\u202fb\u205fc\u3000d\u1680e", "a b c d e"),
        # control characters, except tab, line feed and carriage return
        ("a\x00b\x01c\x02d\x03e\x04f", "a b c d e f"),
        ("\x0b\x0c\x0e\x1b\x1f\x7f", "      "),
        ("line\tone\r\nline two\n", "line\tone\r\nline two\n"),
        ("C1\x85\x9f", "C1  "),
        # private-use characters, which the matcher uses as markers
        ("x\ue000y\uf8ffz", "x y z"),
        ("\U000f0000\U000ffffd\U00100000\U0010fffd", "    "),
        # look-alikes that stay
        ("\uf900 \u2026 \u20ac5 \u00e9t\u00e9 \u00df \u0130", "\uf900 \u2026 \u20ac5 \u00e9t\u00e9 \u00df \u0130"),
        ("", ""),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_normalise_sample_paragraph():
    assert normalise(FNA) == FNA.replace("\u2013", "-").replace("\u2019", "'")


def test_normalise_returns_plain_text_unchanged():
    text = "WASHINGTON, January 8. /TASS/. Iran has delivered missile strikes."
    assert normalise(text) is text


def test_normalise_removes_every_marker():
    markers = "\x01\x02\x03\x04" + "".join(map(chr, range(0xE000, 0xF900)))
    assert normalise(markers) == " " * len(markers)


def _random_text(seed: int) -> str:
    """Random text mixing ASCII, controls, typographic punctuation, marks and astral characters."""
    rng = random.Random(seed)
    pools = [
        "abc XYZ 123 .,;:'\"-\t\n\r",
        "".join(map(chr, range(0x00, 0x20))) + "\x7f\x85\x9f\xa0",
        "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2212\u00ab\u00bb\u202f\u3000",
        "\u0301\u0308\u0327\u0130\u00df\u03a3\u01c4\ufb01",  # marks, İ, ß, Σ, Ǆ, ﬁ
        "\ue000\ue123\uf8ff\uf900\ufeff\uff0d\ud7ff",
        "\U0001f600\U00010ead\U000f0000\U0010fffd\U00020000",
    ]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randrange(0, 200)))


RANDOM_TEXTS = [_random_text(seed) for seed in range(40)] + [
    "e\u0301\u0301",
    "\U0001f1eb\U0001f1f7 \U0001f469\u200d\U0001f52c",
    "\u0130stanbul STRASSE stra\u00dfe \ufb03",
    TASS,
    FNA,
]
FORBIDDEN = set(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])) | set(
    map(chr, range(0xE000, 0xF900))
)


@pytest.mark.parametrize("text", RANDOM_TEXTS)
def test_normalise_maps_each_character_to_one(text):
    result = normalise(text)
    assert len(result) == len(text)
    for before, after in zip(text, result):
        assert after == before or after in "'\"- "
    assert not FORBIDDEN & set(result)
    assert normalise(result) == result


# --------------------------------------------------------------------------- lowercase_view


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Iran Launched U.S. IRGC", "iran launched u.s. irgc"),
        ("\u0130STANBUL", "\u0130stanbul"),  # "İ".lower() is two characters: kept as it is
        ("STRA\u00dfE", "stra\u00dfe"),
        ("\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c2"),  # final sigma
        ("\u01c4 \u0130 A", "\u01c6 \u0130 a"),
        ("", ""),
    ],
)
def test_lowercase_view(text, expected):
    assert lowercase_view(text) == expected


@pytest.mark.parametrize("text", RANDOM_TEXTS)
def test_lowercase_view_keeps_length(text):
    result = lowercase_view(text)
    assert len(result) == len(text)
    for before, after in zip(text, result):
        final_sigma = before == "\u03a3" and after == "\u03c2"  # "Σ" at the end of a word
        assert after == before or after == before.lower() or final_sigma


# --------------------------------------------------------------------------- split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            TASS,
            [
                "WASHINGTON, January 8. /TASS/.",
                "Iran has delivered missile strikes against at least two military facilities in "
                "western Iraq, where US troops are deployed, a statement from Assistant to the US "
                "Secretary of Defense for Public Affairs Jonathan Hoffman stated on Wednesday.",
                '"At approximately 5:30 p.m. (EST) on January 7, Iran launched more than a dozen '
                "ballistic missiles against U.S. military and coalition forces in Iraq,\" the "
                "statement reads.",
                '"It is clear that these missiles were launched from Iran and targeted at least two '
                "Iraqi military bases hosting U.S. military and coalition personnel at Al-Assad and "
                'Irbil."',
                "Iran\u2019s news agency ISNA quoted a statement from the IRGC as saying that the "
                "operation in Iraq was code-named \u2018Martyr Soleimani.\u2019",
            ],
        ),
        (
            FNA,
            [
                "date 2020-02-12 Ein al-Assad, al-Anbar, Iraq \u2013 Arab media reports said on "
                "Wednesday that the US army has started dispatching major cargoes from Ein al-Assad "
                "base in the al-Anbar province in western Iraq to Syria.",
                "The Arabic-language al-Mayadeen news website reported on Wednesday that a number of "
                "US trucks that carried construction materials have arrived in Syria from Ein "
                "al-Assad base in Iraq in the past four days.",
                "The US has sent large amounts of equipment to Ein al-Assad recently after the "
                "IRGC\u2019s retaliatory missile strike against the base last month.",
            ],
        ),
        # abbreviations and titles inside a sentence
        (
            "The U.S. and the U.K. asked the U.N. and E.U. officials to act. They agreed.",
            ["The U.S. and the U.K. asked the U.N. and E.U. officials to act.", "They agreed."],
        ),
        (
            "Gen. Qasem Soleimani met Lt. Col. Smith, Maj. Jones, Capt. Brown and Sgt. Green. "
            "Then Mr. Smith, Mrs. Smith, Ms. Doe, Dr. Tristan Smith and Prof. Li arrived.",
            [
                "Gen. Qasem Soleimani met Lt. Col. Smith, Maj. Jones, Capt. Brown and Sgt. Green.",
                "Then Mr. Smith, Mrs. Smith, Ms. Doe, Dr. Tristan Smith and Prof. Li arrived.",
            ],
        ),
        (
            "Sen. Cory Booker, Rep. Ilhan Omar and Gov. Matt Bevin spoke at St. John's Church. "
            "Martin Luther King Jr. Day and Sr. Maria followed.",
            [
                "Sen. Cory Booker, Rep. Ilhan Omar and Gov. Matt Bevin spoke at St. John's Church.",
                "Martin Luther King Jr. Day and Sr. Maria followed.",
            ],
        ),
        (
            "It was Eva Glawischnig-Piesczek vs. Facebook Ireland. Tanks, jets, etc. Were all there.",
            ["It was Eva Glawischnig-Piesczek vs. Facebook Ireland.", "Tanks, jets, etc. Were all there."],
        ),
        (
            "Some devices (e.g. Raspberry Pi) and boards, i.e. Arduino, work. Others fail.",
            ["Some devices (e.g. Raspberry Pi) and boards, i.e. Arduino, work.", "Others fail."],
        ),
        (
            "It began on Jan. 7, then Feb. 8, Aug. 9, Sept. 11, Oct. 31, Nov. 5 and Dec. 28. It ended.",
            ["It began on Jan. 7, then Feb. 8, Aug. 9, Sept. 11, Oct. 31, Nov. 5 and Dec. 28.", "It ended."],
        ),
        (
            "Apple Inc. Chief Executive Tim Cook, Acme Corp. President Jane Roe, Smith & Co. "
            "Director Bob and Foo Ltd. Owner Ann met.",
            [
                "Apple Inc. Chief Executive Tim Cook, Acme Corp. President Jane Roe, Smith & Co. "
                "Director Bob and Foo Ltd. Owner Ann met."
            ],
        ),
        (
            "Cosmonaut No. 11 flew. Room No. 5 is empty.",
            ["Cosmonaut No. 11 flew.", "Room No. 5 is empty."],
        ),
        # single-letter initials
        (
            "George W. Bush met J. R. R. Tolkien and George R.R. Martin. They talked.",
            ["George W. Bush met J. R. R. Tolkien and George R.R. Martin.", "They talked."],
        ),
        # decimals and times
        (
            "The rate rose 3.5 percent to 1,200.75 points at 5:30 p.m. (EST) on Monday. It fell 0.2.",
            [
                "The rate rose 3.5 percent to 1,200.75 points at 5:30 p.m. (EST) on Monday.",
                "It fell 0.2.",
            ],
        ),
        # an abbreviation that ends the sentence
        (
            "The company is based in the U.S. The next day it moved to Washington, D.C. It stayed.",
            [
                "The company is based in the U.S.",
                "The next day it moved to Washington, D.C.",
                "It stayed.",
            ],
        ),
        (
            "Trading stopped at 4 p.m. However, it resumed at 9 a.m. Friday. Shares of Apple Inc. "
            "They rose.",
            [
                "Trading stopped at 4 p.m.",
                "However, it resumed at 9 a.m. Friday.",
                "Shares of Apple Inc.",
                "They rose.",
            ],
        ),
        # question and exclamation marks, digits after a stop, ellipses
        ("Was it? Yes! 39 people died in 2019. 2020 was worse...",
         ["Was it?", "Yes!", "39 people died in 2019.", "2020 was worse..."]),
        ("He asked why? and left. Yahoo! said no.", ["He asked why? and left.", "Yahoo! said no."]),
        ("Wait... What happened?", ["Wait...", "What happened?"]),
        # closing quotes and brackets after the stop; opening quotes after it
        (
            '"These bases have been on high alert," he said. "We are working on it." Grisham stated.',
            ['"These bases have been on high alert," he said.', '"We are working on it."', "Grisham stated."],
        ),
        (
            "It was code-named 'Martyr Soleimani.' (The IRGC said so.) Next came \u201cRevenge.\u201d Then?",
            ["It was code-named 'Martyr Soleimani.'", "(The IRGC said so.)", "Next came \u201cRevenge.\u201d", "Then?"],
        ),
        # paragraph breaks and line breaks
        (
            "Friday, January 4, 2019 \n\n\nAn apartment building collapsed\n\nRescuers responded",
            ["Friday, January 4, 2019", "An apartment building collapsed", "Rescuers responded"],
        ),
        (
            "Iran fired missiles\nThe Pentagon said so.\nIt was on January 3\n",
            ["Iran fired missiles", "The Pentagon said so.", "It was on January 3"],
        ),
        (
            "the missiles were launched from Iran and\ntargeted bases in Iraq,\nAl-Assad and Irbil.",
            ["the missiles were launched from Iran and\ntargeted bases in Iraq,\nAl-Assad and Irbil."],
        ),
        (
            "Iran fired missiles,\n\nofficials said.\nwhich they denied\n\n\nit ended",
            ["Iran fired missiles,", "officials said.\nwhich they denied", "it ended"],
        ),
        (
            "Windows line.\r\nNext line.\r\n\r\nNew paragraph\r\nlower case goes on.",
            ["Windows line.", "Next line.", "New paragraph\r\nlower case goes on."],
        ),
        # lower case after a stop does not start a sentence
        ("Iran launched missiles at 5:30 p.m. local time. officials said.",
         ["Iran launched missiles at 5:30 p.m. local time. officials said."]),
        # empty text, whitespace only, surrounding whitespace
        ("", []),
        ("   ", []),
        (" \n\n\t \r\n ", []),
        ("\n\n  Iran fired.  \n\n", ["Iran fired."]),
        # control and private-use characters are text like any other
        ("Iran\x01 fired.\ue000 It hit.", ["Iran\x01 fired.\ue000 It hit."]),
        ("Iran fired. \ue000It hit.", ["Iran fired. \ue000It hit."]),  # not a capital
        ("Iran fired.\x00 The base was hit.", ["Iran fired.\x00 The base was hit."]),
    ],
)
def test_split_sentences(text, expected):
    assert sentences(text) == expected


def test_split_sentences_offsets_are_absolute():
    text = "  Iran fired. The base was hit."
    assert split_sentences(text) == [(2, 13), (14, 31)]


def _assert_sentence_spans(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        assert text[previous_end:start].strip() == ""  # only whitespace between sentences
        previous_end = end
    assert text[previous_end:].strip() == ""


SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))


@pytest.mark.parametrize("text", [TASS, FNA, normalise(TASS), *RANDOM_TEXTS])
def test_sentence_spans_are_stripped_ordered_and_cover_the_text(text):
    _assert_sentence_spans(text)


@pytest.mark.skipif(not SAMPLE_FILES, reason="shared/samples/news is not there")
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: path.name)
def test_sentence_spans_on_sample_articles(path):
    _assert_sentence_spans(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- tokenize


def token_texts(text: str) -> list[str]:
    return [token.text for token in tokenize(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"At approximately 5:30 p.m. (EST) on January 7, Iran launched more than a dozen '
            'ballistic missiles against U.S. military and coalition forces in Iraq," the statement reads.',
            ['"', "At", "approximately", "5:30", "p.m.", "(", "EST", ")", "on", "January", "7", ",",
             "Iran", "launched", "more", "than", "a", "dozen", "ballistic", "missiles", "against",
             "U.S.", "military", "and", "coalition", "forces", "in", "Iraq", ",", '"', "the",
             "statement", "reads", "."],
        ),
        (
            "WASHINGTON, January 8. /TASS/. Iran",
            ["WASHINGTON", ",", "January", "8", ".", "/", "TASS", "/", ".", "Iran"],
        ),
        # clitics are split off; other apostrophes stay inside the word
        ("the IRGC's retaliatory strike", ["the", "IRGC", "'s", "retaliatory", "strike"]),
        ("the IRGC\u2019s strike, Iran\u2019S", ["the", "IRGC", "\u2019s", "strike", ",", "Iran", "\u2019S"]),
        ("I'm sure they're sure we've he'll she'd",
         ["I", "'m", "sure", "they", "'re", "sure", "we", "'ve", "he", "'ll", "she", "'d"]),
        ("don't can't won't O'Brien Qur'an rock'n'roll", ["don't", "can't", "won't", "O'Brien", "Qur'an", "rock'n'roll"]),
        ("the United States' assassination", ["the", "United", "States", "'", "assassination"]),
        ("'Martyr Soleimani.'", ["'", "Martyr", "Soleimani", ".", "'"]),
        # hyphenated words
        ("dozens of ground-to-ground missiles", ["dozens", "of", "ground-to-ground", "missiles"]),
        ("Bashar al-Assad at Ein Al-Assad, F-16 jets", ["Bashar", "al-Assad", "at", "Ein", "Al-Assad", ",", "F-16", "jets"]),
        ("date 2020-02-12 ten-storey", ["date", "2020-02-12", "ten-storey"]),
        ("Iraq \u2013 Arab and pre- and post-war", ["Iraq", "\u2013", "Arab", "and", "pre", "-", "and", "post-war"]),
        # dotted abbreviations, titles and initials
        ("U.S. U.K. U.N. E.U. e.g. i.e. a.m.", ["U.S.", "U.K.", "U.N.", "E.U.", "e.g.", "i.e.", "a.m."]),
        ("Gen. Lt. Col. Maj. Capt. Sgt. Mr. Mrs. Ms. Dr. Prof. St. Sen. Rep. Gov. Jr. Sr.",
         ["Gen.", "Lt.", "Col.", "Maj.", "Capt.", "Sgt.", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.",
          "St.", "Sen.", "Rep.", "Gov.", "Jr.", "Sr."]),
        ("Apple Inc. Acme Corp. Smith Co. Foo Ltd. vs. etc. Jan. Sept. Dec.",
         ["Apple", "Inc.", "Acme", "Corp.", "Smith", "Co.", "Foo", "Ltd.", "vs.", "etc.", "Jan.", "Sept.", "Dec."]),
        ("GEN. SOLEIMANI", ["GEN.", "SOLEIMANI"]),
        ("George W. Bush and J. R. R. Tolkien", ["George", "W.", "Bush", "and", "J.", "R.", "R.", "Tolkien"]),
        ("Room No. 5, but say no. Then", ["Room", "No.", "5", ",", "but", "say", "no", ".", "Then"]),
        # numbers
        ("over 1,000 people, 3.5 percent, 5:30, 1,200.75 and 188m",
         ["over", "1,000", "people", ",", "3.5", "percent", ",", "5:30", ",", "1,200.75", "and", "188m"]),
        ("in 2019. Then 3.", ["in", "2019", ".", "Then", "3", "."]),
        # any other character
        ("100% $164.99 #tag @user (ISIL)", ["100", "%", "$", "164.99", "#", "tag", "@", "user", "(", "ISIL", ")"]),
        ("caf\u0065\u0301 \u0939\u093f\u0928\u094d\u0926\u0940 \U0001f600!",
         ["caf\u0065\u0301", "\u0939\u093f\u0928\u094d\u0926\u0940", "\U0001f600", "!"]),
        ("x\x01y \ue000", ["x", "\x01", "y", "\ue000"]),
        ("", []),
        ("  \n\t ", []),
    ],
)
def test_tokenize(text, expected):
    assert token_texts(text) == expected


def test_tokenize_range_gives_absolute_offsets():
    text = "Iran fired. The IRGC's missiles hit Al-Assad."
    start, end = split_sentences(text)[1]
    assert tokenize(text, start, end) == [
        Token(12, 15, "The"),
        Token(16, 20, "IRGC"),
        Token(20, 22, "'s"),
        Token(23, 31, "missiles"),
        Token(32, 35, "hit"),
        Token(36, 44, "Al-Assad"),
        Token(44, 45, "."),
    ]
    assert tokenize(text, 0, 4) == [Token(0, 4, "Iran")]
    assert tokenize(text, 2, 8) == [Token(2, 4, "an"), Token(5, 8, "fir")]


@pytest.mark.parametrize("text", [TASS, FNA, *RANDOM_TEXTS])
def test_tokens_match_the_text(text):
    tokens = tokenize(text)
    covered = set()
    previous_end = 0
    for token in tokens:
        assert previous_end <= token.start < token.end
        assert token.text == text[token.start : token.end]
        assert not any(ch.isspace() for ch in token.text)
        covered.update(range(token.start, token.end))
        previous_end = token.end
    assert all(text[i].isspace() or i in covered for i in range(len(text)))


def test_token_is_frozen_with_slots():
    token = Token(0, 4, "Iran")
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.start = 1  # type: ignore[misc]
    assert not hasattr(token, "__dict__")

