"""The pytest plugin: opt-in, one item per example, failures reported at the rule file's line."""
from __future__ import annotations

import shutil

from .conftest import MINI_PACK

pytest_plugins = ["pytester"]


def copy_pack(pytester):
    shutil.copytree(MINI_PACK, pytester.path / "mini")
    return pytester.path / "mini"


def test_off_unless_asked(pytester):
    copy_pack(pytester)
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1)


def test_the_ini_option_collects_one_item_per_example(pytester):
    copy_pack(pytester)
    pytester.makeini("[pytest]\nrulex_packs = mini\n")
    result = pytester.runpytest_inprocess("-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*collected 5 items", "mini::attack*launch*example1* PASSED*",
                                 "*attack*launch*counter2* PASSED*"])


def test_a_failing_example_is_reported_at_its_rule_line(pytester):
    pack = copy_pack(pytester)
    rules = pack / "attack.rulex"
    rules.write_text(rules.read_text().replace('place = "Iraq" -> Iraq', 'place = "Iraq" -> Syria'))
    result = pytester.runpytest_inprocess("--rulex", str(pack))
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*FAIL *attack.rulex:11: mini.attack.launch example",
                                 '*place*"Iraq" -> Syria*"Iraq" -> Iraq*✗'])


def test_corpus_lines_are_items_and_todo_lines_xfail(pytester):
    pack = copy_pack(pytester)
    (pack / "tests").mkdir()
    (pack / "tests" / "news.txt").write_text("# expect: attack.launch\nIran fired missiles at Erbil.\n"
                                              "# todo-expect: attack.launch\nIran sent drones.\n")
    result = pytester.runpytest_inprocess("--rulex", str(pack))
    result.assert_outcomes(passed=6, xfailed=1)


def test_a_pack_that_does_not_compile_is_a_collection_error(pytester):
    pack = copy_pack(pytester)
    (pack / "broken.rulex").write_text("event: Attack\nrule: x\n  pattern: {a:Nope}\n")
    result = pytester.runpytest_inprocess("--rulex", str(pack))
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*does not compile*", "*broken.rulex:3:15: error: unknown type `Nope`*"])


def test_the_ini_option_takes_several_packs_on_a_line_or_one_per_line(pytester):
    pack = copy_pack(pytester)
    shutil.copytree(pack, pytester.path / "other mini")
    pytester.makeini('[pytest]\nrulex_packs = mini "other mini"\n')
    result = pytester.runpytest_inprocess("-v")
    result.assert_outcomes(passed=10)
    result.stdout.fnmatch_lines(["mini::attack*launch*example1* PASSED*", "other mini::attack*launch*example1* PASSED*"])
    pytester.makeini("[pytest]\nrulex_packs =\n    mini\n    other\\ mini\n")
    pytester.runpytest_inprocess().assert_outcomes(passed=10)
