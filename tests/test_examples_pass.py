"""Every inline example of the language spec's example pack and of the shipped packs passes."""
from __future__ import annotations

import re
from pathlib import Path

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


def _spec_sections() -> dict[int, list[str]]:
    """The numbered sections of SPEC.md (`## 12. Title — [12_x.rulex](examples/12_x.rulex)`) and their files."""
    text = (ROOT / "grammar" / "SPEC.md").read_text(encoding="utf-8")
    return {int(m.group(1)): re.findall(r"\]\(examples/([^)\s]+)\)", m.group(2))
            for m in re.finditer(r"^## (\d+)\. (.*)$", text, re.M)}


def test_every_spec_example_file_has_positive_and_counter_examples():
    sections = _spec_sections()
    assert sorted(sections) == list(range(len(sections)))  # numbered 0, 1, 2 ... with none skipped
    linked = [name for names in sections.values() for name in names]
    on_disk = sorted(p.name for p in EXAMPLES.glob("[0-9]*"))
    assert sorted(linked) == on_disk  # every example file is named by its section, every name is a file
    for number, names in sections.items():
        assert names and all(name.startswith(f"{number:02d}_") for name in names), (number, names)
    pack = rulex.load(EXAMPLES)
    kinds: dict[str, set[bool]] = {}
    for rule in pack.rules:
        kinds.setdefault(Path(rule.file).name, set()).update(example.positive for example in rule.examples)
    # a file of rules has both kinds; a file without rules (05_shared: defines only) shares its section
    assert {name: kinds[name] for name in on_disk if name in kinds} == \
        {name: {True, False} for name in on_disk if name in kinds}
    assert [n for n, names in sections.items() if not any(name in kinds for name in names)] == []


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
