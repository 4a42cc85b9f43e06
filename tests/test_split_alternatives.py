"""Rules that start with a choice (a top-level alternation, or a sequence opening with one) are
tried only where a match can start (`CompiledRule.starts`), and find what `finditer` finds."""
from __future__ import annotations

from dataclasses import replace

import rulex
from rulex.matcher import run_rule
from rulex.pack import Pack

RULES = """
event: Attack
rule: fired_or_shelled
  pattern: {a:Actor} fired | {a:Actor} shelled {t:Place} | bombed {t:Place}

event: Attack
rule: strike
  pattern: (airstrike | airstrikes | {w:Weapon}) (on {t:Place})?
  not preceded by: cyber

event: Attack
rule: raid
  pattern: (night)? (raid | raids) (in {t:Place})? | dawn raids
"""

TEXTS = [
    "Iran fired. Iran shelled Erbil. Later US bombed Baghdad.",
    "An airstrike on Erbil and missiles on Baghdad; a cyber airstrikes report; ballistic missiles.",
    "A night raid in Erbil, then raids in Baghdad. Night raids night raid. Dawn raids.",
    "Nothing happened here at all.",
]


def load(make_pack, lexicons):
    root = make_pack({"rules.rulex": RULES, **lexicons}, "name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*.yaml']\n")
    return rulex.load(root, cache=False)


def unanchored(pack: Pack) -> Pack:
    """The same pack with every rule run by `finditer` over the sentence, as before."""
    rules = tuple(replace(r, finder=None, starts=False) if r.starts else r for r in pack.program.rules)
    return Pack(replace(pack.program, rules=rules))


def test_rules_starting_with_a_choice_get_a_start_finder(make_pack, lexicons):
    pack = load(make_pack, lexicons)
    for rule in pack.rules:
        assert rule.starts and rule.finder is not None, rule.id
        finder = rule.finder_regex
        assert finder.search("They talked about the weather in a calm way.") is None  # not tried everywhere
    raid = next(r for r in pack.rules if r.local_id == "raid")
    assert [m.start() for m in raid.finder_regex.finditer("a night raid dawn", overlapped=True)] == [2, 8, 13]


def test_same_matches_as_finditer_with_the_alternative_that_fired(make_pack, lexicons):
    pack = load(make_pack, lexicons)
    plain = unanchored(pack)
    for text in TEXTS:
        assert [m.to_dict() for m in pack.extract(text)] == [m.to_dict() for m in plain.extract(text)]
    found = [(m.text, m.provenance.alternative) for m in pack.extract(TEXTS[0])]
    assert found == [("Iran fired", 1), ("Iran shelled Erbil", 2), ("bombed Baghdad", 3)]
    texts = [m.text for m in pack.extract(TEXTS[1])]
    assert texts == ["airstrike on Erbil", "missiles on Baghdad", "ballistic missiles"]  # not after "cyber"
    texts = [m.text for m in pack.extract(TEXTS[2])]
    # starts before the anchor
    assert texts == ["night raid in Erbil", "raids in Baghdad", "Night raids", "night raid", "Dawn raids"]


def test_run_rule_keeps_finditer_order_and_never_overlaps(make_pack, lexicons):
    pack = load(make_pack, lexicons)
    raid = next(r for r in pack.rules if r.local_id == "raid")
    text = "night raids raid night night raid dawn raids raids"
    expected = [m.span() for m in raid.regex.finditer(text)]
    assert [m.span() for m in run_rule(raid, text, 1.0)] == expected
    assert expected == [(0, 11), (12, 16), (23, 33), (34, 44), (45, 50)]
