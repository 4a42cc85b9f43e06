"""Check a rule's inline examples: positives must match with the expected arguments, counters must not."""
from __future__ import annotations

from dataclasses import dataclass

from . import ast
from .compiler import CompiledRule
from .document import Document
from .matcher import match_document
from .pack import Pack


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule: str
    example: ast.Example
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def check_examples(pack: Pack) -> list[ExampleResult]:
    """Run every inline example of every rule in the pack."""
    results = []
    for index, rule in enumerate(pack.program.rules):
        for example in rule.examples:
            results.append(check_example(pack, index, rule, example))
    return results


def check_example(pack: Pack, index: int, rule: CompiledRule, example: ast.Example) -> ExampleResult:
    matches = [m for m in match_document(pack.program, Document("example", example.text), rules={index}).matches if m.rule == rule.id]
    failures: list[str] = []
    if not example.positive:
        failures += [f"matched {m.text!r} but must not" for m in matches]
        return ExampleResult(rule.id, example, tuple(failures))
    if not matches:
        return ExampleResult(rule.id, example, ("no match",))
    best = min(matches, key=lambda m: len(_diff(m, example)))
    return ExampleResult(rule.id, example, tuple(_diff(best, example)))


def _diff(match, example: ast.Example) -> list[str]:
    out = []
    args = match.args
    for expected in example.expected:
        actual = args.get(expected.role)
        items = actual if isinstance(actual, list) else [actual] if actual else []
        hit = next((a for a in items if a.text == expected.text), None)
        if hit is None:
            got = ", ".join(repr(a.text) for a in items) or "nothing"
            out.append(f"{expected.role}: expected {expected.text!r}, got {got}")
        elif expected.has_value and not _value_matches(expected.value, hit.value):
            out.append(f"{expected.role}: expected value {expected.value!r}, got {hit.value!r}")
    return out


def _value_matches(expected, actual) -> bool:
    """Dict values match when every expected key agrees ({min: 13} matches {min: 13, approximate: false})."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and _value_matches(v, actual[k]) for k, v in expected.items())
    return expected == actual
