"""The value types analysts asked for (issue 18): Money, Percent, Score, and the Quantity fixes;
each form as the fragment finds it in a sentence and as it is normalised, with and without a
document date, and through a pack where a rule's words decide the reading."""
from __future__ import annotations

import datetime

import pytest
import regex

import rulex
from rulex.builtins import BUILTINS

DATED = datetime.date(2020, 1, 8)


def found(name: str, sentence: str) -> list[str]:
    """What the fragment finds in a sentence, left to right, as the matcher marks it."""
    pattern = regex.compile(BUILTINS[name].pattern, regex.IGNORECASE)
    marks = BUILTINS[name].marks
    return [m.group()[a:b] for m in pattern.finditer(sentence)
            for a, b in (marks(m.group()) if marks else ((0, len(m.group())),))]


def check(name: str, sentence: str, text: str, value: object) -> None:
    assert text in found(name, sentence), found(name, sentence)
    for date in (None, DATED):
        result = BUILTINS[name].normalise(text, date)
        assert result is not None and result.value == value, (text, date, result)


MONEY = [
    ("The deal is worth $200 million, officials said.", "$200 million", {"amount": 200_000_000, "currency": "USD"}),
    ("It signed a US$5bn contract.", "US$5bn", {"amount": 5_000_000_000, "currency": "USD"}),
    ("The EU pledged €1.2 billion in aid.", "€1.2 billion", {"amount": 1_200_000_000, "currency": "EUR"}),
    ("He stole 200 million dollars.", "200 million dollars", {"amount": 200_000_000, "currency": "USD"}),
    ("She was fined £30,000 on Monday.", "£30,000", {"amount": 30_000, "currency": "GBP"}),
    ("The state set aside Rs 500 crore for relief.", "Rs 500 crore", {"amount": 5_000_000_000, "currency": "INR"}),
    ("Damage is put at more than $5bn.", "more than $5bn", {"min": 5_000_000_000, "currency": "USD"}),
    ("Repairs will cost $2-3 million.", "$2-3 million", {"min": 2_000_000, "max": 3_000_000, "currency": "USD"}),
    ("It cost between $2m and $3m.", "between $2m and $3m", {"min": 2_000_000, "max": 3_000_000, "currency": "USD"}),
    ("They raised about $200 million.", "about $200 million",
     {"amount": 200_000_000, "approximate": True, "currency": "USD"}),
    ("A ransom of two million dollars was paid.", "two million dollars", {"amount": 2_000_000, "currency": "USD"}),
    ("It costs EUR 5m a year.", "EUR 5m", {"amount": 5_000_000, "currency": "EUR"}),
    ("Bread costs $3.50 now.", "$3.50", {"amount": 3.5, "currency": "USD"}),
    ("Up to $1.5bn is at stake.", "Up to $1.5bn", {"max": 1_500_000_000, "currency": "USD"}),
]


@pytest.mark.parametrize(("sentence", "text", "value"), MONEY, ids=[c[1] for c in MONEY])
def test_money(sentence: str, text: str, value: dict) -> None:
    check("Money", sentence, text, value)


@pytest.mark.parametrize("sentence", ["The $ fell.", "In the 1990s 200 million people", "He won 5 votes.",
                                      "usd 5 is lower case", "F-35 jets cost"])
def test_not_money(sentence: str) -> None:
    assert found("Money", sentence) == []


PERCENT = [
    ("Turnout rose 12% in the north.", "12%", {"percent": 12}),
    ("Prices rose 12 per cent last year.", "12 per cent", {"percent": 12}),
    ("Prices rose 12.5 percent.", "12.5 percent", {"percent": 12.5}),
    ("Twelve percent voted.", "Twelve percent", {"percent": 12}),
    ("Support fell 10-15% overnight.", "10-15%", {"min": 10, "max": 15}),
    ("About 40 percent of the city was hit.", "About 40 percent", {"percent": 40, "approximate": True}),
    ("Up to 40% of homes were lost.", "Up to 40%", {"max": 40}),
    ("A third of the houses burned.", "A third", {"percent": 33.33}),
    ("Half the city lost power.", "Half", {"percent": 50}),
    ("Two-thirds of voters agreed.", "Two-thirds", {"percent": 66.67}),
    ("Three quarters of the staff left.", "Three quarters", {"percent": 75}),
    ("Turnout was more than half.", "more than half", {"min": 50}),
    ("Nearly a third of them fled.", "Nearly a third", {"max": 33.33, "approximate": True}),
]


@pytest.mark.parametrize(("sentence", "text", "value"), PERCENT, ids=[c[1] for c in PERCENT])
def test_percent(sentence: str, text: str, value: dict) -> None:
    check("Percent", sentence, text, value)


@pytest.mark.parametrize("sentence", ["A third attack hit the town.", "A second bomb went off.",
                                      "In the first half of the year", "It lasted one and a half hours.",
                                      "a half-brother"])
def test_not_percent(sentence: str) -> None:
    assert found("Percent", sentence) == []


SCORE = [
    ("Liverpool won 2-0 at home.", "2-0", {"score": [[2, 0]]}),
    ("They won 3-1 after extra time.", "3-1 after extra time", {"score": [[3, 1]], "extra_time": True}),
    ("Nadal won 7-5, 3-6, 7-6 (5) on Sunday.", "7-5, 3-6, 7-6 (5)",
     {"score": [[7, 5], [3, 6], [7, 6]], "tiebreaks": [None, None, 5]}),
    ("It ended 1-1 (4-2 on penalties).", "1-1 (4-2 on penalties)", {"score": [[1, 1]], "penalties": [4, 2]}),
]


@pytest.mark.parametrize(("sentence", "text", "value"), SCORE, ids=[c[1] for c in SCORE])
def test_score(sentence: str, text: str, value: dict) -> None:
    check("Score", sentence, text, value)


@pytest.mark.parametrize("sentence", ["On 2020-02-12 it rained.", "An F-35 crashed.", "Call 555-1234-5678."])
def test_not_score(sentence: str) -> None:
    assert found("Score", sentence) == []


QUANTITY_FIXES = [
    ("Several hundred thousand people fled.", "Several hundred thousand", {"min": 300_000, "approximate": True}),
    ("A few hundred thousand people fled.", "A few hundred thousand",
     {"min": 200_000, "max": 500_000, "approximate": True}),
    ("Several tens of thousands of people fled.", "Several tens of thousands", {"min": 30_000, "approximate": True}),
    ("Upwards of 30 people died.", "Upwards of 30", {"min": 31}),
    ("In excess of 30 people died.", "In excess of 30", {"min": 31}),
]


@pytest.mark.parametrize(("sentence", "text", "value"), QUANTITY_FIXES, ids=[c[1] for c in QUANTITY_FIXES])
def test_quantity_fixes(sentence: str, text: str, value: dict) -> None:
    check("Quantity", sentence, text, value)


@pytest.mark.parametrize("sentence", ["Liverpool won 2-0 at home.", "Nadal won 7-5 in the first set."])
def test_a_range_out_of_order_is_no_quantity(sentence: str) -> None:
    assert found("Quantity", sentence) == []


@pytest.mark.parametrize(("name", "sentence"), [("Quantity", "Militants launched another attack."),
                                                ("Quantity", "A second attack followed."),
                                                ("Number", "Another attack followed, a second time."),
                                                ("Percent", "A second attack followed.")])
def test_another_and_a_second_are_not_counts(name: str, sentence: str) -> None:
    assert found(name, sentence) == []


RULES = """
event: Change
rule: range
  pattern: rose from {low:Quantity} to {high:Quantity} people
rule: whole
  pattern: killed {count:Quantity} people
event: Result
rule: result
  pattern: won {score:Score}
rule: paid
  pattern: paid {sum:Money}
rule: moved
  pattern: <rise|fall> from {old:Money} to {new:Money}
rule: percent
  pattern: <rise|fall> {change:Percent} to {level:Percent}
"""


@pytest.fixture
def pack(make_pack):
    return rulex.load(make_pack({"r.rulex": RULES}, "name: t\nfiles: ['*.rulex']\n"), cache=False)


def values(matches) -> list[tuple[str, str, object]]:
    return [(a.role, a.text, a.value) for m in matches for a in m.arguments]


@pytest.mark.parametrize("date", [None, "2020-01-08"])
def test_a_range_does_not_cross_the_word_a_rule_names_next(pack, date) -> None:
    assert values(pack.extract("The toll rose from fourteen to 31 people.", date=date)) == [
        ("low", "fourteen", {"min": 14, "max": 14}), ("high", "31", {"min": 31, "max": 31})]
    assert values(pack.extract("They killed 10 to 15 people.", date=date)) == [
        ("count", "10 to 15", {"min": 10, "max": 15})]   # the longest reading first


@pytest.mark.parametrize("date", [None, "2020-01-08"])
def test_a_score_where_the_rule_wants_one(pack, date) -> None:
    assert values(pack.extract("Nadal won 7-5, 3-6, 7-6 (5) on Sunday.", date=date)) == [
        ("score", "7-5, 3-6, 7-6 (5)", {"score": [[7, 5], [3, 6], [7, 6]], "tiebreaks": [None, None, 5]})]
    assert values(pack.extract("Liverpool killed 2-0 people.", date=date)) == []   # 2-0 is no count


def test_money_in_a_rule_starts_at_its_sign(pack) -> None:
    assert values(pack.extract("The firm paid $200 million in fines.")) == [
        ("sum", "$200 million", {"amount": 200_000_000, "currency": "USD"})]


def test_the_ends_of_a_money_or_percent_range_are_marked_for_a_rule_that_wants_them(pack) -> None:
    assert values(pack.extract("Revenue rose from $5 billion to $6 billion.")) == [
        ("old", "$5 billion", {"amount": 5_000_000_000, "currency": "USD"}),
        ("new", "$6 billion", {"amount": 6_000_000_000, "currency": "USD"})]
    assert values(pack.extract("Revenue fell from $6 billion to $5 billion.")) == [   # out of order: no range
        ("old", "$6 billion", {"amount": 6_000_000_000, "currency": "USD"}),
        ("new", "$5 billion", {"amount": 5_000_000_000, "currency": "USD"})]
    assert values(pack.extract("Margin fell 2% to 10%.")) == [
        ("change", "2%", {"percent": 2}), ("level", "10%", {"percent": 10})]
    assert values(pack.extract("The firm paid $2-3 million.")) == [   # one sign, one scale: read whole
        ("sum", "$2-3 million", {"min": 2_000_000, "max": 3_000_000, "currency": "USD"})]
    assert values(pack.extract("The firm paid $2 million to $3 million.")) == [   # the longest reading first
        ("sum", "$2 million to $3 million", {"min": 2_000_000, "max": 3_000_000, "currency": "USD"})]


TIME = [  # (sentence, span, value dated 2020-01-08, value undated)
    ("The law took effect on 7/1/2020 in Ohio.", "7/1/2020", "2020-07-01", "2020-07-01"),
    ("It took effect on 13/1/2020.", "13/1/2020", "2020-01-13", "2020-01-13"),
    ("Filed on 2020/1/7 in Tokyo.", "2020/1/7", "2020-01-07", "2020-01-07"),
    ("Violence peaked in the 1990s.", "the 1990s", "199", "199"),
    ("Profits fell in Q3 2019.", "Q3 2019", "2019-Q3", "2019-Q3"),
    ("Profits fell in the third quarter of 2019.", "the third quarter of 2019", "2019-Q3", "2019-Q3"),
    ("Profits fell in the fourth quarter.", "the fourth quarter", "2019-Q4", None),   # no year: the document's
    ("Sales rose in Q1, the firm said.", "Q1", "2020-Q1", None),
    ("Its third-quarter profit fell.", "third-quarter", "2020-Q3", None),
]


@pytest.mark.parametrize(("sentence", "text", "dated", "undated"), TIME, ids=[c[1] for c in TIME])
def test_time_new_forms(sentence: str, text: str, dated: str, undated: str) -> None:
    assert text in found("Time", sentence), found("Time", sentence)
    assert BUILTINS["Time"].normalise(text, DATED).value == dated
    assert BUILTINS["Time"].normalise(text, None).value == undated


@pytest.mark.parametrize(("text", "note"), [("7/1/2020", "ambiguous numeric date read month/day/year (US order)"),
                                            ("13/1/2020", "day/month/year: the first number is over 12"),
                                            ("12/12/2020", None)])
def test_numeric_date_says_how_it_was_read(text: str, note: str | None) -> None:
    assert BUILTINS["Time"].normalise(text, None).note == note


LEXICON = """
type: Currency
entries:
  - id: USD
    aliases: [$, US$]
  - id: dozen
    aliases: [dozen]
    value: 12
"""


def test_an_alias_edged_by_a_sign_matches_before_a_digit_and_a_lexicon_entry_can_give_a_number(make_pack):
    rules = ('event: Pay\nrule: paid\n  pattern: paid {cur:Currency}{n:Number}\n'
             'rule: eggs\n  pattern: bought a {n:Currency} eggs\n')
    root = make_pack({"r.rulex": rules, "lexicons/cur.yaml": LEXICON},
                     "name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*']\n")
    pack = rulex.load(root, cache=False)
    assert values(pack.extract("They paid $200 yesterday.")) == [("cur", "$", "USD"), ("n", "200", 200)]
    assert values(pack.extract("They paid US$5 to him.")) == [("cur", "US$", "USD"), ("n", "5", 5)]
    assert values(pack.extract("She bought a dozen eggs.")) == [("n", "dozen", 12)]


def test_an_alias_that_cannot_match_is_a_warning_and_a_value_must_be_a_number(make_pack):
    lexicon = LEXICON + '  - id: dash\n    aliases: ["--", "-based"]\n  - id: x\n    value: twelve\n'
    root = make_pack({"r.rulex": "event: Pay\nrule: paid\n  pattern: paid {cur:Currency}\n",
                      "lexicons/cur.yaml": lexicon}, "name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*']\n")
    found = {(d.code, d.message) for d in rulex.check(root, cache=False)[0]}
    assert ("RX606", "alias `--` of `dash` can never match as written: it has no letter, digit or sign left") in found
    assert ("RX606", "alias `-based` of `dash` can never match as written: it is read as `based`") in found
    assert ("RX203", "`value` must be a number, not `twelve`") in found


def _doc_rows() -> list[tuple[str, str, str]]:
    """The rows of the Money, Percent and Score tables of docs/reference/builtin-types.md."""
    import json
    from pathlib import Path
    page = (Path(__file__).resolve().parents[1] / "docs" / "reference" / "builtin-types.md").read_text(encoding="utf-8")
    rows = []
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 3 and cells[0] in ("Money", "Percent", "Score"):
            rows.append((cells[0], cells[1], json.loads(cells[2])))
    return rows


@pytest.mark.parametrize(("name", "text", "value"), _doc_rows(), ids=[r[1] for r in _doc_rows()])
def test_the_docs_tables_are_what_rulex_does(name: str, text: str, value: object) -> None:
    assert regex.compile(BUILTINS[name].pattern, regex.IGNORECASE).fullmatch(text), text
    assert BUILTINS[name].normalise(text, None).value == value


def test_the_docs_tables_are_not_empty() -> None:
    assert {r[0] for r in _doc_rows()} == {"Money", "Percent", "Score"} and len(_doc_rows()) >= 15
