"""The grammar: tables of good patterns (with their canonical form) and of broken rule files."""
from __future__ import annotations

import dataclasses

import pytest

from rulex import ast
from rulex.diagnostics import DiagnosticBag
from rulex.parser import parse_file, parse_pattern
from rulex.printer import file_text, pattern_text
from rulex.source import SourceFile

from .conftest import CONFLICT, ROOT

GOOD = [
    # (pattern as written, canonical form)
    ("Iran launched missiles", "Iran launched missiles"),
    ("<launch|fire> {count:Quantity}? {weapon:Weapon}", "<launch|fire> {count:Quantity}? {weapon:Weapon}"),
    ("(against|on|at) {target:Phrase}", "(against | on | at) {target:Phrase}"),
    ("((in|at|near) {place:Place})?", "((in | at | near) {place:Place})?"),
    ("{Weapon} strike", "{Weapon} strike"),
    ("{target:Place|Phrase}", "{target:Place|Phrase}"),
    ("=US forces", "=US forces"),
    ('="U.S." "5:30 p.m."', '=U.S. "5:30 p.m."'),
    ("U.S. ground-to-ground", "U.S. ground-to-ground"),
    ("_{0,4} then", "_{0,4} then"),
    ("very{1,3} late{2}", "very{1,3} late{2}"),
    (r"/\d+(?:st|nd)/ floor", r"/\d+(?:st|nd)/ floor"),
    ("a b | c d", "a b | c d"),
    ("{np} and {target:np}", "{np} and {target:np}"),
    ("\"'s\" strike", "\"'s\" strike"),
    ("IRGC's strike", "IRGC's strike"),
    ("((in|during) | {by_phrase}) now", "((in | during) | {by_phrase}) now"),
]


def _pattern(text: str, bag: DiagnosticBag | None = None):
    bag = bag if bag is not None else DiagnosticBag()
    source = SourceFile("t.rulex", text)
    return parse_pattern(text, source.span, bag), bag


@pytest.mark.parametrize("text,canonical", GOOD)
def test_good_patterns_parse_to_their_canonical_form(text, canonical):
    node, bag = _pattern(text)
    assert not bag.items, [d.headline() for d in bag.items]
    assert pattern_text(node) == canonical
    again, _ = _pattern(canonical)
    assert _shape(again) == _shape(node)


def test_alternation_binds_looser_than_sequence():
    node, _ = _pattern("a b | c")
    assert isinstance(node, ast.Alternation)
    assert [type(o).__name__ for o in node.options] == ["Sequence", "Literal"]


def test_spans_point_at_the_element():
    text = "{attacker:Actor} <launch> {weapon:Weapon}"
    node, _ = _pattern(text)
    slot = node.items[2]
    assert text[slot.span.start:slot.span.end] == "{weapon:Weapon}"
    assert (slot.types[0].span.line, slot.types[0].span.col) == (1, 35)


BAD = [
    # (rule file, code, line, col, words in the message)
    ("event: A\nrule: r\n  pattern: a (b | c\n", "RX101", 3, 14, "unclosed `(`"),
    ("event: A\nrule: r\n  pattern: {x:Actor\n  priority: 2\n", "RX101", 3, 12, "unclosed `{`"),
    ("event: A\nrule: r\n  pattern: <launch\n", "RX101", 3, 12, "unclosed `<`"),
    ("event: A\nrule: r\n  patern: a b\n", "RX100", 3, 3, "unknown clause `patern:`"),
    ("event: A\nrule: r\n  pattern: a \"b\n", "RX100", 3, 14, "unclosed quoted phrase"),
    ("event: A\nrule: r\n  pattern: a \"b\\q\"\n", "RX102", 3, 16, "bad escape"),
    ("event: A\nrule: r\n  pattern: a /(b/\n", "RX103", 3, 17, "invalid regular expression"),
    ("event: A\nrule: r\n  pattern: a /(?P<x>b)/\n", "RX104", 3, 14, "group name"),
    ("event: A\nrule: r\n  pattern: a{3,1}\n", "RX403", 3, 13, "max below min"),
    ("event: A\nrule: r\n  pattern: a{}\n", "RX403", 3, 13, "empty repetition"),
    ("event: A\nrule: r\n  priority: 3\n", "RX306", 2, 1, "has no pattern"),
    ("event: A\nrule: r\n  pattern: a\n  pattern: b\n", "RX306", 4, 3, "more than one pattern"),
    ("rule: r\n  pattern: a\n", "RX306", 1, 1, "not under an `event:`"),
    ("event: A\nrule: r\n  pattern: a\n  overlap: widest\n", "RX308", 4, 12, "unknown overlap"),
    ("event: A\nrule: r\n  pattern: a ; b\n", "RX100", 3, 14, "unexpected character `;`"),
    ("event: A\nrule: r\n  template: \"X hit Y\" where X: Actor as a\n", "RX305", 3, 20, "`Y` is not declared"),
    ("event: A\nrule: r\n  pattern: a \"\"\n", "RX401", 3, 14, "empty quoted phrase"),
]


@pytest.mark.parametrize("text,code,line,col,words", BAD)
def test_broken_rule_files_give_a_coded_diagnostic_at_the_right_place(text, code, line, col, words):
    bag = DiagnosticBag()
    parse_file(SourceFile("bad.rulex", text), bag)
    found = [d for d in bag.items if d.code == code]
    assert found, [d.headline() for d in bag.items]
    assert (found[0].span.line, found[0].span.col) == (line, col), found[0].headline()
    assert words in found[0].message


def test_one_broken_rule_does_not_hide_the_others():
    text = ("event: A\nrule: one\n  pattern: (a\nrule: two\n  pattern: fine words\n"
            "rule: three\n  pattern: b{9,2}\nrule: four\n  pattern: also fine\n")
    bag = DiagnosticBag()
    parsed = parse_file(SourceFile("x.rulex", text), bag)
    assert [r.id for r in parsed.rules] == ["two", "three", "four"]
    assert [(d.code, d.span.line) for d in bag.items] == [("RX101", 3), ("RX403", 7)]


def test_examples_and_expected_values_are_stored():
    text = ('event: Attack\nrule: r\n  pattern: {attacker:Actor} fired\n'
            '  example: "Iran fired"\n    attacker = "Iran" -> Iran\n'
            '  example: "Two fired"\n    attacker = "Two" -> {min: 2, approximate: true}\n'
            '  counter: "nobody fired"\n')
    bag = DiagnosticBag()
    rule = parse_file(SourceFile("x.rulex", text), bag).rules[0]
    assert not bag.items
    assert [(e.text, e.positive) for e in rule.examples] == [("Iran fired", True), ("Two fired", True),
                                                            ("nobody fired", False)]
    assert rule.examples[0].expected[0].value == "Iran"
    assert rule.examples[1].expected[0].value == {"min": 2, "approximate": True}
    assert rule.examples[0].expected[0].span.line == 5


def test_template_compiles_to_word_forms_slots_and_optional_determiners():
    text = ('event: A\nrule: r\n  template: "X launched N? missiles against Y" '
            'where X: Actor as attacker, N: Quantity as count, Y: Phrase as target\n')
    bag = DiagnosticBag()
    rule = parse_file(SourceFile("x.rulex", text), bag).rules[0]
    assert not bag.items
    assert pattern_text(rule.pattern) == ("(the | a | an | its | their | his | her)? {attacker:Actor} <launched> "
                                          "((the | a | an | its | their | his | her)? {count:Quantity})? <missiles> "
                                          "against {target:Phrase}")
    assert rule.template.slots[0].role == "attacker"


@pytest.mark.parametrize("path", sorted((ROOT / "grammar" / "examples").glob("*.rulex")) + sorted(CONFLICT.glob("*.rulex")),
                         ids=lambda p: p.name)
def test_printing_a_file_and_parsing_it_again_gives_the_same_rules(path):
    bag = DiagnosticBag()
    first = parse_file(SourceFile.read(path), bag)
    assert not bag.errors
    printed = file_text(first)
    second = parse_file(SourceFile("printed.rulex", printed), bag)
    assert not bag.errors, [d.headline() for d in bag.items]
    assert [_shape(r) for r in second.rules] == [_shape(r) for r in first.rules]
    assert file_text(second) == printed


def _shape(node):
    """An AST node without spans and template sugar, for structural comparison."""
    if dataclasses.is_dataclass(node):
        return (type(node).__name__,) + tuple(
            _shape(getattr(node, f.name)) for f in dataclasses.fields(node)
            if f.name not in ("span", "pattern_span", "template"))
    if isinstance(node, tuple):
        flat = []
        for n in node:  # a sequence inside a sequence prints as one sequence
            flat.extend(_shape(n)[1] if isinstance(n, ast.Sequence) else [_shape(n)])
        return tuple(flat)
    return node
