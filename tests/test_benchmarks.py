"""Smoke test of the benchmark's pack generator and its two runners (no timing assertions).

The generated packs must load cleanly, and both rulex and the spaCy peer must find matches
in a little real news text, so that the throughput comparison in benchmarks/bench_rules.py
is not a comparison of two programs that find nothing.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import rulex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import rulegen  # noqa: E402

SAMPLE = """\
Iran launched more than a dozen ballistic missiles against U.S. military and coalition forces in Iraq.
Police arrested three men in Baghdad on Monday, officials said.
Guerrillas attacked an army patrol near San Salvador with rifles and grenades.
THE ARMY SHOT 65 MRTA MEMBERS IN LIMA. TROOPS FIRED THEIR WEAPONS.
URBAN COMMANDOS LAUNCHED TWO BOMBS AGAINST THE EMBASSY IN BOGOTA.
Protesters were arrested by police in Hong Kong.
"""


def _corpus_sample() -> list[str]:
    """A little real news text: the first documents of the shared corpus if it is there."""
    corpus = ROOT.parent / "shared" / "corpus" / "news"
    texts = []
    for path in sorted(corpus.glob("*.jsonl"))[:3]:
        import json
        with path.open(encoding="utf-8") as fh:
            for _, line in zip(range(15), fh):
                texts.append(json.loads(line).get("text") or "")
    return texts


@pytest.fixture(scope="module")
def small_pack(tmp_path_factory):
    rules = rulegen.generate_rules(10, seed=1)
    lexicons = rulegen.build_lexicons(300, seed=7)
    path = rulegen.write_pack(tmp_path_factory.mktemp("packs") / "small", "bench_small", rules, lexicons)
    return path, rules, lexicons


def test_generated_rules_have_distinct_triggers():
    rules = rulegen.generate_rules(60, seed=3)
    triggers = [t for r in rules for t in r.triggers]
    assert len(triggers) == len(set(triggers))
    assert len({r.id for r in rules}) == len(rules)
    assert {r.template for r in rules} >= {"active", "alternatives"}


def test_generated_packs_check_clean(small_pack, tmp_path):
    path, rules, lexicons = small_pack
    diagnostics, _ = rulex.check(path)
    assert [d.code for d in diagnostics if d.code != "RX604"] == []  # no error, no warning but "no example"
    pack = rulex.load(path, cache=False)
    assert len(pack.rules) == len(rules)
    assert rulegen.alias_count(lexicons) <= 300
    assert set(rulegen.used_lexicons(rules, lexicons)) <= set(rulegen.LEXICON_TYPES)
    # the no-hit pack and a larger lexicon load too
    nohit = rulegen.generate_rules(10, seed=1, no_hit=True)
    big = rulegen.build_lexicons(rulegen.real_alias_count() + 500, seed=7)
    assert rulegen.alias_count(big) == rulegen.real_alias_count() + 500
    other = rulegen.write_pack(tmp_path / "nohit", "bench_nohit", nohit, big)
    assert [d.code for d in rulex.check(other)[0] if d.code != "RX604"] == []
    assert len(rulex.load(other, cache=False).rules) == 10


def test_rulex_finds_matches(small_pack):
    path, _, _ = small_pack
    pack = rulex.load(path, cache=False)
    texts = [SAMPLE] + _corpus_sample()
    found = [m for i, t in enumerate(texts) for m in pack.process(rulex.Document(f"d{i}", t)).matches]
    assert found, "the generated rules found nothing in real news text"
    assert all(m.provenance.rule_file for m in found)


def test_spacy_peer_finds_matches(small_pack):
    spacy = pytest.importorskip("spacy")
    import bench_rules

    path, rules, lexicons = small_pack
    peer = bench_rules.SpacyPeer(spacy.blank("en"), bench_rules.PackSpec("small", rules, lexicons, path=path))
    assert peer.patterns >= len(rules)
    texts = [SAMPLE] + _corpus_sample()
    assert sum(peer.process(t) for t in texts) > 0, "the spaCy translation found nothing"
