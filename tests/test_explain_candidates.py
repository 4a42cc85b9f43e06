"""`rulex explain` reports every place a rule was tried and failed, next to its matches, and names
the slot that ended too early or took the words the next element wanted."""
from __future__ import annotations

import json
import textwrap

import pytest

from .conftest import MINI_PACK
from .test_cli import rulex

TENNIS = """\
    event: Win

    rule: beat
      pattern: {winner:Name} beat {loser:Name} {score:Number}
    """

MORNING = """\
    event: Attack

    rule: morning
      pattern: struck on {when:Time} morning
    """


def write_pack(root, name: str, rules: str):
    pack = root / name
    pack.mkdir()
    (pack / "pack.yaml").write_text(f'name: {name}\nversion: 0.1.0\nfiles: ["*.rulex"]\n')
    (pack / "rules.rulex").write_text(textwrap.dedent(rules))
    return pack


def explained(pack, sentence: str, *options) -> str:
    result = rulex("explain", pack, sentence, "--no-color", *options)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def tennis(tmp_path):
    return write_pack(tmp_path, "tennis", TENNIS)


def test_a_failed_attempt_is_reported_next_to_a_match_of_the_same_rule(tennis):
    sentence = "Sinner beat Alcaraz 6 times. Then Jannik Sinner beat Botic van de Zanschulp 6 games to 3."
    out = explained(tennis, sentence)
    assert '  ✓ matched "Sinner beat Alcaraz 6" (0-21)' in out
    assert '  ✗ tried at "beat" (char 48): got 3 of 4 elements ("Then Jannik Sinner beat Botic")' in out
    assert '      then {score:Number} failed at "van" (char 59)' in out
    [report] = json.loads(explained(tennis, sentence, "--format", "json"))["rules"]
    assert report["status"] == "matched"
    [attempt] = report["attempts"]          # the matched "beat" (char 7) is not a failed attempt
    assert attempt["anchor"] == {"start": 48, "end": 52, "text": "beat"}
    assert attempt["failed_element"] == "{score:Number}" and attempt["failed_at"]["text"] == "van"


def test_each_occurrence_of_the_anchor_that_failed_is_reported(tennis):
    out = explained(tennis, "Sinner beat Alcaraz 6 times, and Ruud beat Fritz in five sets, and Zverev beat him.")
    assert out.count("✓ matched") == 1
    assert '✗ tried at "beat" (char 38): got 3 of 4 elements ("and Ruud beat Fritz")' not in out  # Name starts at Ruud
    assert '✗ tried at "beat" (char 38): got 3 of 4 elements ("Ruud beat Fritz")' in out
    assert '      then {score:Number} failed at "in" (char 49)' in out
    assert '✗ tried at "beat" (char 74): got 2 of 4 elements ("Zverev beat")' in out
    assert '      then {loser:Name} failed at "him" (char 79)' in out


def test_a_slot_that_stopped_short_is_named_as_the_one_that_ended_early(tennis):
    out = explained(tennis, "Jannik Sinner beat Botic van de Zanschulp 6 games to 3.")
    assert '    then {score:Number} failed at "van" (char 25)' in out
    assert ('    {loser:Name} ended at "Botic"; the text goes on with "van de Zanschulp" '
            'before {score:Number} matches') in out


def test_the_slot_that_ended_early_is_in_the_json(tennis):
    data = json.loads(explained(tennis, "Jannik Sinner beat Botic van de Zanschulp 6 games to 3.", "--format", "json"))
    edge = data["rules"][0]["nearest_miss"]["slot_edge"]
    assert edge == {"element": "{loser:Name}", "took": {"start": 19, "end": 24, "text": "Botic"},
                    "ended": "early", "rest": {"start": 25, "end": 41, "text": "van de Zanschulp"}}


def test_no_slot_is_blamed_when_the_failed_element_is_nowhere_further_on(tennis):
    out = explained(tennis, "Jannik Sinner beat Botic van de Zanschulp easily.")
    assert '    then {score:Number} failed at "van" (char 25)' in out
    assert "ended at" not in out and "took" not in out


def test_a_built_in_that_swallowed_the_next_element_is_named(tmp_path):
    pack = write_pack(tmp_path, "times", MORNING)
    out = explained(pack, "Rockets struck on Monday morning, killing two.")
    assert '    then morning failed at "," (char 32)' in out
    assert ('    {when:Time} took "Monday morning", swallowing "morning", which the next element (morning) wanted'
            in out)


def test_an_element_that_failed_before_the_anchor_is_reported_there():
    out = explained(MINI_PACK, "Iran launched a barrage of missiles at Erbil. The US fired missiles at Baghdad.")
    passive = out[out.index("mini.attack.passive_launch"):]
    assert '  ✗ tried at "launched" (char 5): got 1 of 6 elements ("launched")' in passive
    assert '      then were | was failed at "Iran" (char 0), before the part that matched' in passive
    launch = out[out.index("mini.attack.launch"):out.index("mini.attack.passive_launch")]
    assert '  ✓ matched "US fired missiles at Baghdad" (50-78)' in launch
    assert '  ✗ tried at "launched" (char 5): got 4 of 8 elements ("Iran launched")' in launch
    assert '      then {weapon:Weapon} failed at "a" (char 14)' in launch


def test_explain_names_the_context_condition_that_did_not_hold(tmp_path):
    pack = write_pack(tmp_path, "arrests", """\
        event: Arrest

        rule: by_police
          pattern: arrested {suspect:Name}
          preceded by: police
          not followed by: in error
        """)
    out = explained(pack, "Protesters arrested John Smith on Monday.")
    assert "its context does not hold: `not followed by:` or `preceded by:`" in out
