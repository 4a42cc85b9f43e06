"""Lexicon entries with attributes and periods of validity, CSV columns, and fuzzy matching."""
from __future__ import annotations

import datetime as dt
import json

import pytest

import rulex

MANIFEST = "name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*']\n"
RULES = "event: Meet\nrule: met\n  pattern: {who:Person} <meet> the? {whom:Person}\n"
PERSONS = """
type: Person
entries:
  - id: Donald_Trump
    aliases: [President]
    valid_from: 2017-01-20
    valid_to: 2021-01-19
    attrs: {country: US, born: 1946-06-14}
  - id: Joe_Biden
    aliases: [President]
    valid-from: 2021-01-20
    valid-to: 2025-01-19
  - id: Joe_Biden
    aliases: [Joe Biden]
  - id: Qasem_Soleimani
    aliases: [Qasem Soleimani, Soleimani]
    attrs: {country: Iran}
  - id: Abdul_Mahdi
    aliases: [Adel Abdul Mahdi]
"""


def pack_with(make_pack, persons: str = PERSONS, rules: str = RULES):
    return rulex.load(make_pack({"rules.rulex": rules, "lexicons/persons.yaml": persons}, MANIFEST), cache=False)


def whom(matches):
    return [(m.args["whom"].text, m.args["whom"].value) for m in matches]


def test_an_entry_with_a_period_matches_only_in_documents_dated_within_it(make_pack):
    pack = pack_with(make_pack)
    text = "Soleimani met the President in Baghdad."
    assert whom(pack.extract(text, date="2019-05-01")) == [("President", "Donald_Trump")]
    assert whom(pack.extract(text, date="2022-05-01")) == [("President", "Joe_Biden")]
    assert whom(pack.extract(text, date="2016-05-01")) == []          # neither held office
    assert whom(pack.extract(text)) == [("President", "Donald_Trump")]  # undated: the first entry
    # an entry without a period holds always: the same id can have both kinds
    assert whom(pack.extract("Soleimani met Joe Biden.", date="2010-01-01")) == [("Joe Biden", "Joe_Biden")]
    [m] = pack.extract(text, date="2019-05-01")
    how = m.args["whom"].derivation
    assert how["entry_valid"] == ["2017-01-20", "2021-01-19"]
    assert how["entry_attrs"] == {"country": "US", "born": "1946-06-14"}   # YAML dates as ISO text
    json.dumps(m.to_dict())


def test_a_period_can_be_a_year_or_a_month(make_pack):
    persons = ("type: Person\nentries:\n  - id: A\n    aliases: [the Commander]\n    valid_from: 2019\n"
               "    valid_to: 2020-02\n  - id: B\n    aliases: [the Commander]\n    valid_from: 2020-03\n")
    pack = pack_with(make_pack, persons, "event: E\nrule: r\n  pattern: {p:Person} <resign>\n")
    def value(day):
        return [m.args["p"].value for m in pack.extract("the Commander resigned.", date=day)]

    assert value("2018-12-31") == []
    assert value("2019-01-01") == ["A"]
    assert value("2020-02-29") == ["A"]   # the last day of the month named
    assert value("2020-03-01") == ["B"]


def test_shared_aliases_are_an_error_only_when_the_periods_overlap(make_pack):
    overlapping = PERSONS.replace("valid-from: 2021-01-20", "valid-from: 2021-01-01")
    root = make_pack({"rules.rulex": RULES, "lexicons/persons.yaml": overlapping}, MANIFEST)
    diagnostics, _ = rulex.check(root)
    [clash] = [d for d in diagnostics if d.code == "RX204"]
    assert "`President` of `Joe_Biden` is also an alias of `Donald_Trump`" in clash.message
    assert clash.span.line == 8 and "periods that do not overlap" in clash.hint
    root = make_pack({"rules.rulex": RULES, "lexicons/persons.yaml": PERSONS}, MANIFEST)
    assert [d.code for d in rulex.check(root)[0] if d.severity.name == "ERROR"] == []


@pytest.mark.parametrize("bad, line", [("valid_from: 20 January 2017", 5), ("valid_to: 2021-13", 6)])
def test_a_bad_period_is_an_error_at_its_place(make_pack, bad, line):
    persons = PERSONS.replace("valid_from: 2017-01-20" if "from" in bad else "valid_to: 2021-01-19", bad)
    root = make_pack({"rules.rulex": RULES, "lexicons/persons.yaml": persons}, MANIFEST)
    [problem] = [d for d in rulex.check(root)[0] if d.code == "RX203"]
    assert (problem.span.line, problem.span.col) == (line, 5 + len(bad.split(":")[0]) + 2)
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in problem.message


def test_csv_lexicons_carry_periods_and_extra_columns_as_attributes(make_pack):
    table = ("id,alias,valid_from,valid_to,country\n"
             "Donald_Trump,President,2017-01-20,2021-01-19,US\n"
             "Joe_Biden,President,2021-01-20,,US\n"
             "Qasem_Soleimani,Soleimani,,,IR\n")
    root = make_pack({"rules.rulex": RULES.replace("Person", "persons"), "lexicons/persons.csv": table}, MANIFEST)
    pack = rulex.load(root, cache=False)
    [m] = pack.extract("Soleimani met the President.", date="2024-01-01")
    assert m.args["whom"].value == "Joe_Biden"
    assert m.args["who"].derivation["entry_attrs"] == {"country": "IR"}
    assert m.args["whom"].derivation["entry_valid"] == ["2021-01-20", None]


FUZZY = PERSONS.replace("type: Person\n", "type: Person\nfuzzy: true\n")


@pytest.mark.parametrize("spelling", ["Qasem Soleimany", "Qassem Soleimani", "Qasem Solemiani", "Qasem Soleiman"])
def test_fuzzy_matching_allows_one_edit_in_long_aliases_when_asked(make_pack, spelling):
    text = f"Adel Abdul Mahdi met {spelling}."
    assert whom(pack_with(make_pack).extract(text)) == []
    [m] = pack_with(make_pack, FUZZY).extract(text)
    assert (m.args["whom"].text, m.args["whom"].value) == (spelling, "Qasem_Soleimani")
    assert m.args["whom"].derivation["fuzzy"] == {"alias": "Qasem Soleimani", "edits": 1}


def test_fuzzy_matching_keeps_to_its_bounds(make_pack):
    pack = pack_with(make_pack, FUZZY)
    assert whom(pack.extract("Adel Abdul Mahdi met Qasim Sulaimani.")) == []   # two edits
    assert whom(pack.extract("Adel Abdul Mahdi met qasem soleimany.")) == []   # a name needs its capitals
    # "Soleimani" has 9 letters, but the lowered threshold is what decides:
    short = FUZZY.replace("fuzzy: true", "fuzzy: {min_length: 10}")
    assert whom(pack_with(make_pack, short).extract("Adel Abdul Mahdi met Soleimany.")) == []
    assert whom(pack.extract("Adel Abdul Mahdi met Soleimany.")) == [("Soleimany", "Qasem_Soleimani")]
    [m] = pack.extract("Adel Abdul Mahdi met Soleimani.")                    # exact: no fuzzy mark
    assert "fuzzy" not in m.args["whom"].derivation


@pytest.mark.parametrize("value", ["yes please", "{min_length: 2}", "{max_edits: 2}"])
def test_a_bad_fuzzy_setting_is_an_error(make_pack, value):
    root = make_pack({"rules.rulex": RULES, "lexicons/persons.yaml": PERSONS.replace(
        "type: Person\n", f"type: Person\nfuzzy: {value}\n")}, MANIFEST)
    [problem] = [d for d in rulex.check(root)[0] if d.code == "RX203"]
    assert problem.span.line == 2 and "fuzzy" in problem.message


def test_period_bounds():
    from rulex.lexicons import period_bound
    assert period_bound("2020-02", last=True) == dt.date(2020, 2, 29)
    assert period_bound("2020-12", last=True) == dt.date(2020, 12, 31)
    assert period_bound("2020", last=False) == dt.date(2020, 1, 1)
    with pytest.raises(ValueError):
        period_bound("2020-1-x", last=False)


DATED_RULES = """
entity: Dateline
rule: dateline
  pattern: {place:Name} "," {date:Time}

event: Attack
rule: strike
  pattern: on {time:Time} "," {attacker:Person} <strike> {target:Phrase}
"""
DATED_MANIFEST = MANIFEST + "dateline: dateline\n"


def test_a_dateline_rule_dates_documents_that_carry_no_date(make_pack):
    root = make_pack({"rules.rulex": DATED_RULES, "lexicons/persons.yaml": PERSONS}, DATED_MANIFEST)
    pack = rulex.load(root, cache=False)
    text = "BAGHDAD, Jan. 8, 2020 (Reuters) - On Wednesday, Soleimani struck the base."
    [m] = pack.extract(text)                       # the dateline rule itself is not output
    time = m.args["time"]
    assert time.value == "2020-01-08"
    assert time.derivation["anchor"] == {"date": "2020-01-08", "from": "dateline 9-21 (t.dateline)"}
    assert text[9:21] == "Jan. 8, 2020"
    [m] = pack.extract(text, date="2020-01-20")    # a date given with the document wins
    assert (m.args["time"].value, m.args["time"].derivation["anchor"]["from"]) == ("2020-01-15", "document")
    [m] = pack.extract("SAN SALVADOR, 3 JAN 90 -- [REPORT] ON WEDNESDAY, SOLEIMANI STRUCK THE BASE.")
    assert m.args["time"].value == "1990-01-03"    # MUC style, a two-digit year; a Wednesday itself
    assert m.args["time"].derivation["anchor"]["from"] == "dateline 14-22 (t.dateline)"  # "3 JAN 90"
    [m] = pack.extract(text.replace("Jan. 8, 2020", "Jan. 8"))  # a dateline without a year dates nothing
    assert m.args["time"].value is None and "anchor" not in m.args["time"].derivation


@pytest.mark.parametrize("dateline, message", [
    ("datelin", "`dateline` names no rule: `datelin`"),
    ("strike", "the dateline rule `strike` has no Time argument"),
])
def test_a_dateline_must_name_a_rule_with_a_time(make_pack, dateline, message):
    rules = DATED_RULES.replace("{time:Time}", "{time:Phrase}") if dateline == "strike" else DATED_RULES
    root = make_pack({"rules.rulex": rules, "lexicons/persons.yaml": PERSONS}, MANIFEST + f"dateline: {dateline}\n")
    [problem] = [d for d in rulex.check(root)[0] if d.code == "RX309"]
    assert problem.message == message and problem.span.line == 4


def test_entries_survive_the_cache_as_rows_and_are_made_when_asked_for(make_pack):
    import pickle
    pack = pack_with(make_pack)
    [lexicon] = pack.program.lexicons
    copy = pickle.loads(pickle.dumps(lexicon))
    assert copy.entries._made == {}                       # nothing built by unpickling
    assert list(copy.entries) == list(lexicon.entries) and len(copy.entries) == 5
    assert copy.entries[0].valid_from == dt.date(2017, 1, 20) and copy.entries[-1].id == "Abdul_Mahdi"
    assert [e.id for e in copy.entries[1:3]] == ["Joe_Biden", "Joe_Biden"]
    assert copy.entries[0].span == lexicon.entries[0].span and copy.entries[0].attrs["country"] == "US"


def test_a_yaml_lexicon_can_name_itself(make_pack):
    persons = "name: leaders\n" + PERSONS
    rules = "event: Meet\nrule: met\n  pattern: {who:leaders} <meet> the? {whom:Person}\n"
    pack = pack_with(make_pack, persons, rules)
    [m] = pack.extract("Soleimani met Joe Biden.")
    assert m.args["who"].derivation["lexicon"] == "leaders"
    root = make_pack({"rules.rulex": rules.replace("{who:leaders}", "{who:persons}"),
                      "lexicons/persons.yaml": persons}, MANIFEST)
    diagnostics, _ = rulex.check(root)
    assert [d.code for d in diagnostics if d.severity.value == "error"] == ["RX301"]  # the file name is not its name


def test_two_lexicons_with_one_name_are_an_error(make_pack):
    root = make_pack({"rules.rulex": RULES, "lexicons/persons.yaml": PERSONS,
                      "lexicons/people.yaml": "name: persons\n" + PERSONS}, MANIFEST)
    diagnostics, _ = rulex.check(root)
    [d] = [d for d in diagnostics if d.severity.value == "error"]
    assert d.code == "RX203" and "two lexicons are named `persons`" in d.message
    assert d.span.file.endswith(("people.yaml", "persons.yaml"))


def test_a_lexicon_no_rule_uses_is_not_scanned_and_changes_nothing(make_pack):
    """An unused lexicon (warning RX602) costs a scan per document and gives nothing: its aliases
    are left out of the scanner, and the output is the same as without it."""
    from rulex.mentions import find_mentions
    from rulex.segment import lowercase_view, normalise
    unused = "type: Weapon\nentries:\n  - id: rifle\n    aliases: [rifle, meets]\n"
    with_unused = rulex.load(make_pack({"rules.rulex": RULES, "lexicons/persons.yaml": PERSONS,
                                        "lexicons/weapons.yaml": unused}, MANIFEST), cache=False)
    text = "Soleimani meets Adel Abdul Mahdi with a rifle."
    normalised = normalise(text)
    sources = {with_unused.program.lexicons[m.source].name
               for m in find_mentions(with_unused.program, normalised, lowercase_view(normalised))}
    assert sources == {"persons"}
    without = pack_with(make_pack)
    assert [m.to_dict() | {"provenance": None} for m in with_unused.extract(text)] == \
           [m.to_dict() | {"provenance": None} for m in without.extract(text)] != []


METRICS = """\
type: Metric
entries:
  - id: revenue
    aliases: [revenue, sales]
  - id: net_loss
    type: Loss
    aliases: [net loss, loss]
  - id: net_profit
    type: Profit
    aliases: [net profit, profit]
"""


def test_an_entry_with_a_type_of_its_own_is_found_by_that_type(make_pack):
    root = make_pack({"lexicons/metrics.yaml": METRICS, "r.rulex": (
        "event: Results\n"
        "rule: loss\n  pattern: reported a {metric:Loss}\n"
        "rule: any\n  pattern: its {metric:metrics} fell\n"
        "rule: metric\n  pattern: the {metric:Metric} rose\n")},
        "name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*.yaml']\n")
    diagnostics, _ = rulex.check(root)
    assert [d.code for d in diagnostics if d.code in ("RX301", "RX602")] == []  # Loss is a known type; none unused
    pack = rulex.load(root, cache=False)

    def found(text: str) -> list:
        return [(m.rule.split(".")[-1], m.args["metric"].value) for m in pack.extract(text)]

    assert found("Acme reported a net loss.") == [("loss", "net_loss")]
    assert found("Acme reported a net profit.") == []            # a Profit is no Loss
    assert found("Its profit fell. Its sales fell.") == [("any", "net_profit"), ("any", "revenue")]  # the file's name: all
    assert found("The revenue rose. The loss rose.") == [("metric", "revenue")]  # the lexicon's type: its own entries
