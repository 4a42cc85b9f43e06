"""`rulex test`: inline examples, annotated corpus files, coverage and --update, through the CLI."""
from __future__ import annotations

import shlex
import shutil

import pytest

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
