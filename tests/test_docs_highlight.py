"""The Pygments lexer of the rule language (rulex/highlight.py), which highlights every
```rulex block of the docs: registered as a plugin, no Error token in any example file,
and the right token types where they matter."""
from __future__ import annotations

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String, Text

from rulex.highlight import RulexLexer

from .conftest import ROOT

EXAMPLES = sorted((ROOT / "grammar" / "examples").glob("*.rulex"))
# the rule files of the conflict pack and of the example packs of the docs
PACK_FILES = sorted((ROOT / "rules" / "conflict").glob("*.rulex")) + sorted((ROOT / "docs" / "examples").rglob("*.rulex"))


def tokens(text: str) -> list[tuple[object, str]]:
    return [(token, value) for token, value in RulexLexer().get_tokens(text) if value.strip()]


def kind(text: str, value: str):
    """The token type of the first token whose text is `value`."""
    for token, piece in tokens(text):
        if piece == value:
            return token
    raise AssertionError(f"no token {value!r} in {[v for _, v in tokens(text)]}")


def test_the_lexer_is_registered_for_the_alias_and_the_file_suffix():
    assert isinstance(get_lexer_by_name("rulex"), RulexLexer)
    assert isinstance(get_lexer_for_filename("attack.rulex"), RulexLexer)


@pytest.mark.parametrize("path", EXAMPLES + PACK_FILES, ids=[p.relative_to(ROOT).as_posix() for p in EXAMPLES + PACK_FILES])
def test_every_example_file_lexes_without_error_tokens(path):
    text = path.read_text(encoding="utf-8")
    assert "".join(value for _, value in RulexLexer().get_tokens(text)) == text + ("" if text.endswith("\n") else "\n")
    errors = [value for token, value in RulexLexer().get_tokens(text) if token in Error]
    assert not errors, errors


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_file_has_keywords_and_names(path):
    found = {token for token, _ in tokens(path.read_text(encoding="utf-8"))}
    assert any(token in Keyword for token in found)
    assert any(token in Name for token in found)


RULE = '''# Attacks
import: "shared.rulex"
define: fired = <fire> | <launch>
event: Attack

rule: attack.launch
  pattern: {attacker:Actor} {fired} {count:Quantity}? of? {weapon:Weapon} _{0,4}
           (against | at) {target:Place|Phrase} =US "'s" /\\d+N/
  priority: 5
  overlap: longest
  not preceded by: denied that
  example: "Iran launched missiles at Erbil"
    attacker = "Iran" -> Iran
    count = "13" -> {min: 13, max: 13}
  counter: "Iran sold missiles"

rule: attack.template
  template: "X fired W" where X: Actor as attacker, W: weapons as weapon
'''


def test_keywords():
    for keyword in ("import:", "define:", "event:", "rule:", "pattern:", "priority:", "overlap:",
                    "not preceded by:", "example:", "counter:", "template:", "where", "as"):
        assert kind(RULE, keyword) in Keyword, keyword


def test_names():
    assert kind(RULE, "Attack") is Name.Class
    assert kind(RULE, "attack.launch") is Name.Function
    assert kind(RULE, "fired") is Name.Function                # the define's name
    assert kind(RULE, "attacker") is Name.Variable              # a role
    assert kind(RULE, "Actor") is Name.Class                    # a slot's type
    assert kind(RULE, "Phrase") is Name.Class
    assert kind(RULE, "weapons") is Name.Class                  # a lexicon name in a template declaration
    assert kind(RULE, "X") is Name.Variable                     # a template placeholder
    assert kind(RULE, "fire") is Name.Tag                       # a word form
    assert kind(RULE, "Iran") is Name.Constant                  # an expected value
    assert kind(RULE, "min") is Name.Attribute
    assert kind(RULE, "longest") is Name.Constant


def test_strings_numbers_operators_comments():
    assert kind(RULE, '"shared.rulex"') in String
    assert kind(RULE, '"Iran launched missiles at Erbil"') in String
    assert kind(RULE, '"\'s"') in String
    assert kind(RULE, "/\\d+N/") is String.Regex
    assert kind(RULE, "{0,4}") in Number
    assert kind(RULE, "5") in Number
    assert kind(RULE, "_") is Keyword.Pseudo
    assert kind(RULE, "->") is Operator
    assert kind(RULE, "|") is Operator
    assert kind(RULE, "=") is Operator
    assert kind(RULE, "# Attacks") in Comment
    assert kind(RULE, "against") is Text                         # plain words stay plain


def test_a_misspelt_clause_is_an_error_token():
    assert kind("event: Attack\nrule: a\n  patern: {x:Actor} fired\n", "patern:") in Error


NEW = '''event: Kill

rule: kill.wounding
  pattern: wounding {victim:Phrase with casualties:Quantity}
  find after in clause: (in | near) {place:Place}
  find: {time:Time}
  set: injury = true, kind = "wounding", level = 2
  example: "A rocket exploded, wounding 13 people"
    victim = "13 people"

link: attack_kill
  events: Attack, Kill
  joined by: "," | which
  share: attacker = killer, place
  example: "A rocket exploded in Kabul, killing 12"
    Kill.place = "Kabul" -> Kabul
  counter: "A rocket exploded. Gunmen killed 12"
'''


def test_the_clauses_of_searches_attributes_and_links():
    assert not [value for token, value in RulexLexer().get_tokens(NEW) if token in Error]
    for keyword in ("find after in clause:", "find:", "set:", "link:", "events:", "joined by:", "share:", "with"):
        assert kind(NEW, keyword) in Keyword, keyword
    assert kind(NEW, "attack_kill") is Name.Function              # a link's id, as a rule's
    assert kind(NEW, "Attack") is Name.Class                      # events: Attack, Kill
    assert kind(NEW, "casualties") is Name.Variable               # the role of a nested capture
    assert kind(NEW, "Quantity") is Name.Class
    assert kind(NEW, "injury") is Name.Attribute                  # set: injury = true
    assert kind(NEW, "true") is Name.Constant
    assert kind(NEW, '"wounding"') in String
    assert kind(NEW, "2") in Number
    assert kind(NEW, "killer") is Name.Variable                   # share: attacker = killer
    assert kind(NEW, "place") is Name.Variable
    assert [token for token, value in tokens(NEW) if value == "Kill"][1:] == [Name.Class, Name.Class]  # Kill.place
    assert kind(NEW, "Kabul") is Name.Constant
    assert kind(NEW, "which") is Text                             # joined by: is a pattern


def errors(text: str) -> str:
    return "".join(value for token, value in RulexLexer().get_tokens(text) if token in Error)


def test_a_malformed_set_share_or_find_clause_is_an_error_token():
    assert errors("link: a\n  events: Attack, Kill\n  share: attacker = \"x\"\n") == '=""'
    assert errors("rule: a\n  pattern: x\n  set: injury\n") == "injury"
    assert errors("rule: a\n  pattern: x\n  find aside: {place:Place}\n") == "aside:"
