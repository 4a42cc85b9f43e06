"""Event attributes (negated, hedged, future) set by cue words a pack declares."""
from __future__ import annotations

import pytest

import rulex

RULES = """
event: Attack
rule: launch
  pattern: {attacker:Actor} <launch|fire> {weapon:Weapon} at {target:Place}
"""
ATTRIBUTES = """
attributes:
  negated: {cues: [not, no, never, denied, did not, "didn't"], window: 6}
  hedged: {cues: [reportedly, allegedly, unofficial reports said]}
  future: {cues: [vowed to, will, would], window: 4}
"""
MANIFEST = "name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*.yaml']\noutput: [Place]\n"


@pytest.fixture
def pack(make_pack, lexicons):
    return rulex.load(make_pack({"rules.rulex": RULES, **lexicons}, MANIFEST + ATTRIBUTES), cache=False)


def attrs(pack, text):
    [event] = [m for m in pack.extract(text) if m.kind == "event"]
    return {name for name, value in event.attrs.items() if value}, event


@pytest.mark.parametrize("text, expected", [
    ("Iran launched missiles at Erbil.", set()),
    ("Officials denied that Iran launched missiles at Erbil.", {"negated"}),
    ("Officials didn\u2019t say Iran launched missiles at Erbil.", {"negated"}),   # typographic apostrophe
    ("Unofficial reports said Iran fired missiles at Erbil.", {"hedged"}),
    ("Tehran vowed to ensure Iran fires missiles at Erbil.", {"future"}),
    ("Tehran vowed to make very sure that Iran fires missiles at Erbil.", set()),  # 6 words back: beyond 4
    ("Nobody was hurt when Iran launched missiles at Erbil.", set()),             # "no" only as a word
    ("Officials denied nothing; Iran launched missiles at Erbil.", set()),        # a clause break stops it
    ("Allegedly (so they say) Iran launched missiles at Erbil.", set()),          # ... and so does a bracket
    ("No one expected that after many weeks of talks Iran launched missiles at Erbil.", set()),  # 9 words back
])
def test_attributes_come_from_cues_before_the_event_in_its_clause(pack, text, expected):
    assert attrs(pack, text)[0] == expected


def test_every_declared_attribute_is_present_and_the_cue_is_in_provenance(pack):
    text = "Reportedly, officials denied that Iran launched missiles at Erbil."
    found, event = attrs(pack, text)
    assert event.attrs == {"negated": True, "hedged": True, "future": False}
    cues = {c["attribute"]: c for c in event.provenance.attributes}
    assert cues["negated"]["cue"] == "denied" and text[cues["negated"]["start"]:cues["negated"]["end"]] == "denied"
    assert cues["hedged"]["cue"] == "Reportedly"
    assert event.to_dict()["provenance"]["attributes"] == list(event.provenance.attributes)
    [place] = [m for m in pack.extract(text) if m.kind == "entity"]
    assert place.attrs == {}  # entities carry no attributes


def test_a_pack_without_attributes_gives_empty_attrs(make_pack, lexicons):
    pack = rulex.load(make_pack({"rules.rulex": RULES, **lexicons}, MANIFEST), cache=False)
    [event] = [m for m in pack.extract("Officials denied Iran launched missiles at Erbil.") if m.kind == "event"]
    assert event.attrs == {} and "attributes" not in event.to_dict()["provenance"]


@pytest.mark.parametrize("block, message, line", [
    ("attributes:\n  negated: {window: 3}\n", "attribute `negated` needs `cues:`", 6),
    ("attributes:\n  negated: {cues: [not], window: 99}\n", "must be between 0 and 50", 6),
    ("attributes:\n  negated: {cues: [not], scope: clause}\n", "unknown key `scope`", 6),
    ("attributes: [negated]\n", "must be a mapping", 5),
])
def test_bad_attribute_settings_are_reported_where_they_are(make_pack, lexicons, block, message, line):
    root = make_pack({"rules.rulex": RULES, **lexicons}, MANIFEST + block)
    problems = [d for d in rulex.check(root)[0] if d.severity.value == "error"]
    assert [(message in d.message, d.span.line) for d in problems] == [(True, line)]
