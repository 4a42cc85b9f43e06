"""The conflict pack (rules/conflict/): its inline examples, its lexicons and its manifest."""
from __future__ import annotations

import pytest
import yaml

import rulex
from rulex.testing import check_examples

from .conftest import CONFLICT, SAMPLES

EVENT_FILES = ["attack.rulex", "kill.rulex", "transport.rulex", "claim_threat.rulex"]


@pytest.fixture(scope="module")
def pack():
    return rulex.load(CONFLICT)


def test_every_inline_example_of_the_pack_passes(pack):
    results = check_examples(pack)
    failures = [(r.rule, r.example.text, r.failures) for r in results if not r.ok]
    assert failures == []


def test_every_event_rule_has_a_positive_and_a_counter_example(pack):
    kinds: dict[str, set[bool]] = {}
    for rule in pack.rules:
        kinds.setdefault(rule.id, set())
        for example in rule.examples:
            kinds[rule.id].add(example.positive)
    missing = {rule: sorted(k) for rule, k in kinds.items() if k != {True, False}}
    assert missing == {}


def test_the_pack_is_split_by_event_type():
    for name in EVENT_FILES:
        assert (CONFLICT / name).exists(), name


def test_every_lexicon_records_its_source_and_licence():
    for path in sorted((CONFLICT / "lexicons").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data.get("source"), path.name
        assert data.get("licence"), path.name


@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared is not beside the project")
def test_every_spelling_of_the_sample_entities_resolves(pack):
    expected = yaml.safe_load((SAMPLES / "expected.yaml").read_text())
    ids: dict[str, set[str]] = {}
    for path in (CONFLICT / "lexicons").glob("*.yaml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            for alias in entry.get("aliases", []):
                ids.setdefault(" ".join(alias.lower().replace("-", " ").split()), set()).add(entry["id"])
    for entity, spellings in expected["entities"].items():
        for spelling in spellings:
            key = " ".join(spelling.lower().replace("-", " ").split())
            key = key.removeprefix("the ") if key not in ids else key
            assert entity in ids.get(key, set()), (entity, spelling)


@pytest.mark.parametrize("word", ["Of", "Split", "Mobile", "Reading", "Nice"])
def test_common_english_words_are_not_places(word):
    text = (CONFLICT / "lexicons" / "places.yaml").read_text(encoding="utf-8")
    assert f"[{word}," not in text and f" {word}," not in text and f" {word}]" not in text and f"[{word}]" not in text


def test_attributes_mark_negated_and_future_events(pack):
    if not pack.program.manifest.attributes:
        pytest.skip("the engine does not read `attributes:` yet")
    [claim] = [m for m in pack.extract("He said no group had yet claimed responsibility for the explosion.") if m.type == "Claim"]
    assert claim.attrs["negated"] is True
    [threat] = [m for m in pack.extract("al-Qaida warned it would mount new attacks") if m.type == "Threat"]
    assert threat.attrs["future"] is True


def test_real_sentences_give_the_expected_event_types(pack):
    cases = {
        "Taliban gunmen stormed a military-run school in the northwestern Pakistani city of Peshawar on Tuesday.": "Attack",
        "Twenty insurgents were killed.": "Kill",
        "Taliban insurgents claimed responsibility for the attack.": "Claim",
    }
    for text, kind in cases.items():
        assert kind in {m.type for m in pack.extract(text)}, text


def test_a_compound_attack_noun_is_one_event(pack):
    text = "Israeli police officers inspect the scene of a stabbing attack in Beit Shemesh, central Israel."
    attacks = [m for m in pack.extract(text) if m.type == "Attack"]
    assert [m.text for m in attacks] == ["a stabbing attack in Beit Shemesh, central Israel"]


def test_a_place_before_the_verb_is_not_the_killer(pack):
    [kill] = [m for m in pack.extract("The bombing attack in Kabul killed 5.") if m.type == "Kill"]
    assert kill.text == "killed 5" and "killer" not in kill.args
    [kill] = [m for m in pack.extract("Taliban fighters killed three policemen.") if m.type == "Kill"]
    assert kill.args["killer"].text == "Taliban fighters"


def test_the_lexicon_builder_is_shipped():
    script = CONFLICT / "tools" / "build_lexicons.py"
    assert script.exists()
    header = (CONFLICT / "lexicons" / "places.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert "build_lexicons.py" in header
