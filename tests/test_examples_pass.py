"""Every inline example of the language spec's example pack and of the shipped packs passes."""
from __future__ import annotations

import pytest

import rulex
from rulex.testing import check_examples

from .conftest import CONFLICT, ROOT

EXAMPLES = ROOT / "grammar" / "examples"


@pytest.mark.parametrize("pack_dir", [EXAMPLES, CONFLICT], ids=["grammar-examples", "conflict"])
def test_inline_examples_pass(pack_dir):
    results = check_examples(rulex.load(pack_dir))
    assert results
    failures = [(r.rule, r.example.text, r.failures) for r in results if not r.ok]
    assert failures == []


def test_every_spec_example_file_has_positive_and_counter_examples():
    pack = rulex.load(EXAMPLES)
    kinds: dict[str, set[bool]] = {}
    for rule in pack.rules:
        for example in rule.examples:
            kinds.setdefault(rule.file, set()).add(example.positive)
    files = sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.glob("[0-9]*") if p.name != "05_shared.rulex")
    assert len(files) == 12
    assert {f: kinds.get(f) for f in files} == {f: {True, False} for f in files}


@pytest.mark.parametrize("file,old,new,rule", [
    ("02_word_forms.rulex", "<strike|bomb>", "<hit|bomb>", "forms.strike"),           # a trigger word
    ("04_arguments.rulex", "{target:Place|Phrase}", "{target:Place}", "arguments.types"),  # an argument type
    ("01_literals.rulex", "=US forces", "US forces", "literal.case"),                  # a case flag
])
def test_examples_have_teeth(tmp_path, file, old, new, rule):
    """Changing a rule makes its examples fail: the examples test the rule, not themselves."""
    copy = tmp_path / "examples"
    for path in EXAMPLES.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(EXAMPLES)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text())
    edited = copy / file
    assert old in edited.read_text()
    edited.write_text(edited.read_text().replace(old, new))
    results = [r for r in check_examples(rulex.load(copy, cache=False)) if r.rule == f"examples.{rule}"]
    assert results and not all(r.ok for r in results)
