"""The small conflict pack on the sample articles: matcher tables from expected.yaml, and provenance."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

import rulex

from .conftest import CONFLICT, SAMPLES, SHARED

pytestmark = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared is not beside the project")

EXPECTED = yaml.safe_load((SAMPLES / "expected.yaml").read_text()) if SAMPLES.exists() else {"documents": {}}

@pytest.fixture(scope="module")
def pack():
    return rulex.load(CONFLICT)


def _document(doc_id: str) -> rulex.Document:
    info = EXPECTED["documents"][doc_id]
    return rulex.Document(doc_id, (SAMPLES / f"{doc_id}.txt").read_text(encoding="utf-8"), info["date"])


def _cases():
    """Every event of expected.yaml: the conflict pack covers them all."""
    for doc_id, info in EXPECTED["documents"].items():
        for event in info["events"]:
            yield pytest.param(doc_id, event, id=event["sentence"][:50])


@pytest.mark.parametrize("doc_id,event", list(_cases()))
def test_expected_events_and_arguments(pack, doc_id, event):
    doc = _document(doc_id)
    start = doc.text.index(event["sentence"])
    end = start + len(event["sentence"])
    found = [m for m in pack.process(doc).matches
             if m.type == event["type"] and m.start < end and start < m.end]
    assert found, f"no {event['type']} in: {event['sentence']}"
    match = max(found, key=lambda m: m.end - m.start)
    for role, want in event["args"].items():
        wants = want if isinstance(want, list) else [want]
        if any(w.get("optional") for w in wants):
            continue  # optional roles may be missed
        got = match.args.get(role)
        got = got if isinstance(got, list) else [got] if got else []
        assert [a.text for a in got] == [w["text"] for w in wants], role
        for arg, w in zip(got, wants):
            if "value" in w:
                value = w["value"]
                assert arg.value == value or (isinstance(value, dict)
                                              and all(arg.value.get(k) == v for k, v in value.items())), role


@pytest.mark.parametrize("sentence", EXPECTED.get("no_attack", []))
def test_no_attack_sentences(pack, sentence):
    assert [m for m in pack.extract(sentence) if m.type == "Attack"] == []


def test_every_span_is_the_document_text_and_provenance_leads_back(pack):
    schema = json.loads((SHARED / "design" / "match.schema.json").read_text())
    total = 0
    for doc_id in EXPECTED["documents"]:
        doc = _document(doc_id)
        for match in pack.process(doc).matches:
            total += 1
            record = match.to_dict()
            jsonschema.validate(record, schema)
            assert doc.text[match.start:match.end] == match.text
            s, e = match.provenance.sentence
            for arg in match.arguments:
                assert doc.text[arg.start:arg.end] == arg.text
                # an argument lies inside its match, unless a `find:` or a link reached it: then
                # inside the sentence, and its derivation says how it was reached
                if arg.derivation.get("found_by") in ("search", "link"):
                    assert s <= arg.start < arg.end <= e
                else:
                    assert match.start <= arg.start < arg.end <= match.end
            assert s <= match.start < match.end <= e
            # the rule file and line name the rule that fired
            rule_line = Path(match.provenance.rule_file).read_text().splitlines()[match.provenance.rule_line - 1]
            assert rule_line.strip() == f"rule: {match.rule.removeprefix('conflict.')}"
            # every lexicon value names its entry's file and line
            for arg in match.arguments:
                how = arg.derivation
                if how["via"] == "lexicon":
                    entry_text = Path(how["entry_file"]).read_text().splitlines()[how["entry_line"] - 1]
                    assert re.search(rf"id:\s*{re.escape(arg.value)}\b", entry_text), entry_text
                    assert arg.value == how["entry"]
                if how["via"] == "builtin":
                    assert how["normaliser"] and arg.has_value
    assert total >= 13


def test_provenance_says_which_alternative_fired(make_pack, lexicons):
    root = make_pack({"r.rulex": "event: Attack\nrule: r\n  pattern: {a:Actor} fired | {a:Actor} shelled {t:Place}\n",
                      **lexicons}, "name: t\nlexicons: ['lexicons/*.yaml']\n")
    pack = rulex.load(root, cache=False)
    assert [m.provenance.alternative for m in pack.extract("Iran fired. Iran shelled Erbil.")] == [1, 2]
    assert pack.extract("Iran shelled Erbil.")[0].to_dict()["provenance"]["alternative"] == 2


def test_relative_dates_are_resolved_against_the_document_date(make_pack, lexicons):
    root = make_pack({"r.rulex": "event: Attack\nrule: r\n  pattern: {a:Actor} struck {t:Place} {time:Time}\n", **lexicons},
                     "name: t\nlexicons: ['lexicons/*.yaml']\n")
    pack = rulex.load(root, cache=False)
    [m] = pack.extract("Iran struck Erbil last month.", date="2020-02-12")
    assert (m.args["time"].text, m.args["time"].value) == ("last month", "2020-01")
    assert "2020-02-12" in m.args["time"].derivation["note"]
    [m] = pack.extract("Iran struck Erbil last month.")
    assert m.args["time"].value is None and not m.args["time"].has_value
