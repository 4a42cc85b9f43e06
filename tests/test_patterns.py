"""The size of generated regexes (issue 19): shared fragments are written once per regex and
called where used, with the same matches, arguments and provenance as when written in place."""
from __future__ import annotations

import pytest

import rulex
from rulex import compiler
from rulex.view import generic_types

RULES = """
event: Attack
rule: launch
  pattern: {attacker:Actor} <launch|fire> {count:Quantity}? of? {weapon:Weapon}
           (against|on|at) {target:Phrase|Place} ((in|at|near) {place:Place})?
rule: split
  pattern: {attacker:Phrase|Name} "," {who:Name}? said to have <strike> {target:Phrase} (near {place:Place})?
  not preceded by: {Phrase} denied that
rule: named
  pattern: {target:Name} was <attack> by {attacker:Phrase} _{0,2} in {place:Place|Phrase}
  find after in sentence: on {time:Phrase}
rule: cased
  pattern: {attacker:Phrase} SHELLED {target:Phrase|Name}
  case: sensitive
"""
TEXTS = [
    "At approximately 5:30 p.m. on January 7, Iran launched more than a dozen ballistic missiles against "
    "U.S. military and coalition forces in Iraq.",
    "The Islamic State of Iraq, Abu Bakr said to have struck the military training center near Erbil.",
    "Three Iranian oil tankers, officials said to have struck a base in Baghdad.",
    "The ministry denied that the Islamic State of Iraq, Abu Bakr said to have struck a base.",
    "The US Embassy was attacked by heavily armed militants in the old city of Baghdad on Tuesday.",
    "Rebel artillery SHELLED the Al Asad airbase; rebel artillery shelled Baghdad.",
    "IRAN LAUNCHED MISSILES AT THE US BASE IN ERBIL.",
]


def load(make_pack, lexicons, share: bool, monkeypatch):
    monkeypatch.setattr(compiler, "SHARE", share)
    root = make_pack({"rules.rulex": RULES, **lexicons},
                     "name: t\nversion: 1.0.0\nfiles: ['*.rulex']\nlexicons: ['lexicons/*.yaml']\n")
    return rulex.load(root, cache=False)


def test_generic_types_are_defined_once_per_regex_and_called(make_pack, lexicons, monkeypatch):
    pack = load(make_pack, lexicons, True, monkeypatch)
    phrase = generic_types()["Phrase"][1]
    for rule in pack.rules:
        assert phrase not in rule.source
        calls = rule.source.count(f"(?&{compiler.SHARED_PREFIX}Phrase)")
        assert calls >= 1 and rule.source.count(f"(?P<{compiler.SHARED_PREFIX}Phrase>") == 1, rule.id
        assert r"\L<stop>" in rule.source and rule.source.count(r"\L<stop>") == 1  # each list once
    inline = load(make_pack, lexicons, False, monkeypatch)
    for shared, written in zip(pack.rules, inline.rules):
        assert compiler.SHARED_PREFIX not in written.source
        if written.source.count(phrase) > 1:  # once, a Phrase is as long either way
            assert len(shared.source) < len(written.source) - 1000


def test_sharing_changes_no_match_argument_or_provenance(make_pack, lexicons, monkeypatch):
    shared = load(make_pack, lexicons, True, monkeypatch)
    written = load(make_pack, lexicons, False, monkeypatch)
    found = [[m.to_dict() for m in shared.extract(text)] for text in TEXTS]
    assert found == [[m.to_dict() for m in written.extract(text)] for text in TEXTS]
    assert sum(map(len, found)) >= 4  # the texts exercise the rules
    rules = {m["rule"] for matches in found for m in matches}
    assert {"t.launch", "t.split", "t.named", "t.cased"} <= rules


@pytest.mark.parametrize("source", [
    r"(?&_rx_Phrase)", r"x(?&_rx_Name)y", r"(?&_rx_l_stop)", r"(?&other)", "plain",
])
def test_with_definitions_defines_what_is_called_and_what_that_calls(source):
    out = compiler.with_definitions(source)
    assert out.startswith(source)
    called = set(compiler._CALL.findall(out))
    defined = {name for name in compiler.SHARED if f"(?P<{name}>" in out}
    assert called == defined
    assert out.count("(?(DEFINE)") == (1 if called else 0)
