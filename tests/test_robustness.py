"""No input makes rulex crash: mutated rule files give diagnostics, mutated documents give results."""
from __future__ import annotations

import random

import pytest

import rulex

from .conftest import MINI_PACK, ROOT

SOURCES = sorted((ROOT / "grammar" / "examples").glob("*.rulex")) + sorted(MINI_PACK.glob("*.rulex"))
PIECES = ["(", ")", "{", "}", "<", ">", "|", "?", "*", "+", "{1,", "_", "/", "\\", '"', "'", ":", "=", "->",
          "rule:", "pattern:", "example:", "define:", "event:", "\n", " ", "{x:", "Actor}", "#", "\x00", "é", "’"]


def _mutations(text: str, rng: random.Random, count: int):
    for _ in range(count):
        chars = list(text)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(chars) + 1)
            op = rng.random()
            if op < 0.4:
                chars.insert(at, rng.choice(PIECES))
            elif op < 0.7 and chars:
                del chars[min(at, len(chars) - 1)]
            else:
                cut = rng.randrange(len(chars) + 1)
                chars = chars[:cut]
        yield "".join(chars)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_mutated_rule_files_give_diagnostics_not_exceptions(path, tmp_path):
    rng = random.Random(path.name)
    lexicons = ROOT / "grammar" / "examples" / "lexicons"
    for i, text in enumerate(_mutations(path.read_text(), rng, 40)):
        pack = tmp_path / f"p{i}"
        (pack / "lexicons").mkdir(parents=True)
        for lexicon in lexicons.glob("*.yaml"):
            (pack / "lexicons" / lexicon.name).write_text(lexicon.read_text())
        (pack / "rules.rulex").write_text(text)
        diagnostics, _ = rulex.check(pack)  # must not raise
        for d in diagnostics:
            d.render()
        if not any(d.severity.value == "error" for d in diagnostics):
            rulex.load(pack, cache=False).extract("Iran launched missiles at Erbil on Tuesday.")


def test_odd_documents_never_raise():
    pack = rulex.load(MINI_PACK)
    rng = random.Random(7)
    alphabet = "Iran launched missiles against the base. \n\n\t\x00\x01\x03\ue000\uf000’“”-–.!?()[]0123456789"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        for match in pack.extract(text):
            assert text[match.start:match.end] == match.text
    assert pack.extract("") == [] and pack.extract(" \n ") == []
    text = "Iran launched missiles against the base.\ue000\x01\x03 Iran launched missiles against the base."
    assert [m.text for m in pack.extract(text)] == ["Iran launched missiles against the base"] * 2
