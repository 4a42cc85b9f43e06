"""`rulex test`: inline examples, annotated corpus files, coverage and --update, through the CLI."""
from __future__ import annotations

import shlex
import shutil
import textwrap

import pytest

from rulex.explain import with_article

from .conftest import MINI_PACK
from .test_cli import rulex


@pytest.fixture
def pack(tmp_path):
    copy = tmp_path / "mini"
    shutil.copytree(MINI_PACK, copy)
    return copy


def edit(pack, old: str, new: str, name: str = "attack.rulex") -> None:
    path = pack / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_clean_pack_passes_with_a_coverage_summary(pack):
    result = rulex("test", pack)
    assert result.returncode == 0, result.stdout
    assert "mini: 5 examples, 5 passed, 0 failed, 0 todo" in result.stdout
    assert "rules exercised by a passing example: 4 of 4" in result.stdout
    assert "lexicon places: 4 of 9 entries exercised" in result.stdout


@pytest.mark.parametrize("old, new", [
    ("<launch|fire> {count", "<shoot|fire> {count"),                  # a trigger word
    ("{count:Quantity}? of? {weapon:Weapon}", "{count:Quantity}? of? {weapon:Place}"),  # an argument type
])
def test_examples_have_teeth(pack, old, new):
    edit(pack, old, new)
    result = rulex("test", pack)
    assert result.returncode == 1
    assert "FAIL " in result.stdout and "attack.rulex:" in result.stdout and "1 failed" in result.stdout


def test_a_failure_shows_expected_against_actual(pack):
    edit(pack, 'target = "U.S. military and coalition forces"', 'target = "U.S. military"')
    edit(pack, 'count = "more than a dozen" -> {min: 13}', 'count = "more than a dozen" -> {min: 12}')
    out = rulex("test", pack).stdout
    assert "FAIL " in out and "mini.attack.launch example" in out
    assert "  role      expected                                   actual\n" in out
    assert '  count     "more than a dozen" -> {min: 12}           "more than a dozen" -> {min: 13}           ✗\n' in out
    assert '  target    "U.S. military"                            "U.S. military and coalition forces"       ✗\n' in out
    assert '  attacker  "Iran" -> Iran                             "Iran" -> Iran                             ✓\n' in out


def test_a_missing_match_shows_the_nearest_miss(pack):
    edit(pack, 'example: "Iran launched more than a dozen ballistic missiles against',
         'example: "Iran launched more than a dozen ballistic missiles toward')
    out = rulex("test", pack).stdout
    assert "no match" in out
    assert "nearest miss: got" in out and "failed at \"toward\"" in out
    assert f'see: rulex explain {pack} "Iran launched more than a dozen ballistic missiles toward' in out


def test_the_explain_line_of_a_failure_runs_as_printed(tmp_path, pack):
    """The `see:` line names the pack as typed (relative here) and quotes the sentence for a shell."""
    edit(pack, 'example: "Iran launched more than a dozen ballistic missiles against',
         'example: "Iran launched more than a dozen ballistic missiles toward')
    out = rulex("test", "mini", cwd=tmp_path).stdout
    command = next(line for line in out.splitlines() if line.startswith("  see: "))[len("  see: "):]
    words = shlex.split(command)
    assert words[:3] == ["rulex", "explain", "mini"]
    assert words[3].startswith("Iran launched more than") and words[4:] == ["--rule", "mini.attack.launch"]
    explained = rulex(*words[1:], cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert "mini.attack.launch" in explained.stdout and "failed at \"toward\"" in explained.stdout


def test_counter_examples_fail_when_they_match(pack):
    edit(pack, 'counter: "Iran launched a new satellite on Monday"', 'counter: "Iran launched missiles at Erbil"')
    out = rulex("test", pack).stdout
    assert "counter-example" in out and "matched 'Iran launched missiles at Erbil' but must not" in out


def test_annotated_corpus_files(pack):
    (pack / "tests").mkdir()
    (pack / "tests" / "news.txt").write_text(
        "# a corpus of real sentences\n"
        "# expect: attack.launch\n"
        "Iran launched missiles against the base in Iraq.\n\n"
        "# reject: mini.attack.launch\n"
        "Iran launched a satellite.\n"
        "# expect: attack.passive_launch\n"
        "Iran fired missiles at Erbil.\n"
        "# todo-expect: attack.launch\n"
        "Iran sent drones over Erbil.\n"
        "# todo-reject: attack.launch, attack.nothing\n"
        "Iran fired missiles at Erbil.\n")
    result = rulex("test", pack, "--no-coverage")
    out = result.stdout
    assert result.returncode == 1
    assert "FAIL " in out and "news.txt:8: mini.attack.passive_launch corpus line, expect" in out
    assert "not in the pack's output (the output has: mini.attack.launch)" in out
    assert "TODO " in out and "news.txt:10" in out and "news.txt:12" in out
    assert "no rule `attack.nothing` in the pack" in out     # a typo fails even on a todo line
    assert "mini: 11 examples, 7 passed, 2 failed, 2 todo" in out


def test_update_rewrites_expectations_and_shows_the_diff(pack):
    edit(pack, 'target = "U.S. military and coalition forces"\n', "")
    result = rulex("test", pack, "--update")
    assert result.returncode == 0
    assert '+    target = "U.S. military and coalition forces"' in result.stdout
    assert "rulex: updated" in result.stderr
    assert rulex("test", pack).returncode == 0
    text = (pack / "attack.rulex").read_text()
    assert 'target = "U.S. military and coalition forces"\n    place = "Iraq" -> Iraq\n' in text
    assert rulex("test", pack, "--update").stdout.count("+++") == 0   # nothing left to change


def test_the_expected_type_takes_the_right_article(pack):
    edit(pack, 'example: "Iran launched more than a dozen ballistic missiles against U.S. military and coalition forces',
         'example: "Hamas launched more than a dozen ballistic missiles against the base')
    out = rulex("test", pack).stdout
    assert '{attacker:Actor} failed at "Hamas"; expected an Actor from lexicon `actors`' in out
    assert "a Actor" not in out


@pytest.mark.parametrize("word, phrase", [
    ("Actor", "an Actor"), ("Weapon", "a Weapon"), ("Event", "an Event"), ("Unit", "a Unit"),
    ("hour", "an hour"), ("Europe", "a Europe"), ("NGO", "an NGO"), ("UN", "a UN"), ("Quantity", "a Quantity"),
])
def test_articles_follow_the_first_sound(word, phrase):
    assert with_article(word) == phrase


def write_pack(root, rules: str):
    root.mkdir()
    (root / "pack.yaml").write_text(f'name: {root.name}\nversion: 0.1.0\nfiles: ["*.rulex"]\n')
    (root / "rules.rulex").write_text(textwrap.dedent(rules))
    return root


def test_a_failure_names_the_built_in_that_swallowed_the_next_element(tmp_path):
    write_pack(tmp_path / "times", """\
        event: Attack

        rule: morning
          pattern: struck on {when:Time} morning
          example: "Rockets struck on Monday morning, killing two."
        """)
    out = rulex("test", "times", cwd=tmp_path).stdout
    assert ('nearest miss: got 3 of 4 elements ("struck on Monday morning"); morning failed at ","; '
            'expected the word(s) "morning"; {when:Time} took "Monday morning", swallowing "morning", '
            'which the next element (morning) wanted\n') in out


def test_a_failure_names_the_slot_that_ended_early(tmp_path):
    write_pack(tmp_path / "tennis", """\
        event: Win

        rule: beat
          pattern: {winner:Name} beat {loser:Name} {score:Number}
          example: "Jannik Sinner beat Botic van de Zanschulp 6 games to 3."
        """)
    out = rulex("test", "tennis", cwd=tmp_path).stdout
    assert ('{score:Number} failed at "van"; expected a Number: ') in out
    assert '; {loser:Name} ended at "Botic"; the text goes on with "van de Zanschulp" before {score:Number} matches\n' in out


def test_coverage_counts_entity_rules_and_names_those_without_examples(tmp_path):
    write_pack(tmp_path / "people", """\
        entity: Official

        rule: official.title
          pattern: (general|minister) {name:Name}
          example: "They met general Qasem Soleimani in Baghdad."

        entity: Group

        rule: group.militia
          pattern: {name:Name} militia

        event: Meeting

        rule: meeting.met
          pattern: {who:Official} met {whom:Name}
          example: "General Qasem Soleimani met Abu Mahdi al-Muhandis in Baghdad."
        """)
    out = rulex("test", "people", cwd=tmp_path).stdout
    assert "rules exercised by a passing example: 2 of 3 (entity rules 1 of 2; event rules 1 of 1)\n" in out
    assert "rules with no example: people.group.militia (entity)\n" in out


def test_a_value_that_differs_only_in_kind_says_how_to_write_it(make_pack):
    import rulex
    from rulex.testing import check_examples
    root = make_pack({"r.rulex": 'event: E\nrule: r\n  pattern: in {year:Time}\n  example: "It fell in 2020"\n'
                                 '    year = "2020" -> 2020\n'}, "name: t\nfiles: ['*.rulex']\n")
    [result] = check_examples(rulex.load(root, cache=False))
    assert result.failures == ('year: expected value 2020, got \'2020\' (the value is text: write -> "2020")',)


def test_a_test_file_line_can_name_the_arguments_its_match_must_have(make_pack, tmp_path):
    import rulex
    from rulex.testing import check_corpus, read_corpus
    root = make_pack({"r.rulex": "event: E\nrule: r\n  pattern: {who:Name} fired {n:Quantity} shots\n"},
                     "name: t\nfiles: ['*.rulex']\n")
    corpus = tmp_path / "lines.txt"
    corpus.write_text('# expect: r\n#   who = "Ann Lee"\n#   n = "two" -> {min: 2}\nAnn Lee fired two shots.\n\n'
                      '# expect: r\n#   n = "two" -> {min: 3}\nAnn Lee fired two shots.\n\n'
                      '# expect: r\n#   who = "Ann" ,\nAnn Lee fired two shots.\n', encoding="utf-8")
    cases = read_corpus(corpus)
    assert [(c.line, len(c.expected), len(c.problems)) for c in cases] == [(4, 2, 0), (8, 1, 0), (12, 0, 1)]
    results = check_corpus(rulex.load(root, cache=False), cases)
    assert [r.failures for r in results] == [
        (), ("n: expected value {'min': 3}, got {'min': 2, 'max': 2}",), ("line 11: unexpected `,`",)]
