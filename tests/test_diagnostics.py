"""Diagnostics snapshot: a pack broken in every way gives exactly the expected report."""
from __future__ import annotations

import os
from pathlib import Path

import rulex
from rulex.diagnostics import CODES

DATA = Path(__file__).parent / "data"


def _report(pack: Path) -> tuple[str, set[str]]:
    cwd = os.getcwd()
    os.chdir(DATA)  # file names in the report relative to tests/data
    try:
        diagnostics, sources = rulex.check(pack.name)
    finally:
        os.chdir(cwd)
    return "\n\n".join(d.render(sources) for d in diagnostics) + "\n", {d.code for d in diagnostics}


def test_broken_pack_report_matches_the_snapshot():
    report, _ = _report(DATA / "broken_pack")
    snapshot = DATA / "broken_pack.expected"
    if os.environ.get("RULEX_UPDATE_SNAPSHOTS"):
        snapshot.write_text(report, encoding="utf-8")
    assert report == snapshot.read_text(encoding="utf-8")


def test_every_compile_time_code_is_exercised_by_the_snapshot():
    _, codes = _report(DATA / "broken_pack")
    # RX501 is a run-time problem, RX603 needs an error-free pack, RX606 (aliases) is tested in
    # test_values.py, RX607 (a quoted dash) below: each has tests of its own
    assert codes == set(CODES) - {"RX501", "RX603", "RX606", "RX607"}


def test_loading_a_broken_pack_raises_with_every_error():
    try:
        rulex.load(DATA / "broken_pack", cache=False)
    except rulex.RulexError as err:
        assert len([d for d in err.diagnostics if d.severity.value == "error"]) == 33
        assert "attack.rulex:31:29: error: unclosed `(` opened here  [RX101]" in str(err)
    else:
        raise AssertionError("a broken pack loaded")


def _check(tmp_path, files: dict[str, str]) -> list:
    for name, text in {"pack.yaml": "name: t\nfiles: ['*.rulex', '*.yaml']\nlexicons: ['lexicons/*.yaml']\n",
                       "lexicons/actors.yaml": "type: Actor\nentries:\n  - id: Iran\n    aliases: [Iran]\n",
                       "lexicons/weapons.yaml": "type: Weapon\nentries:\n  - id: gun\n    aliases: [gun]\n",
                       **files}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    diagnostics, _ = rulex.check(tmp_path)
    return diagnostics


def test_punctuation_in_a_pattern_is_hinted_to_be_quoted(tmp_path):
    [error] = [d for d in _check(tmp_path, {"a.rulex": "event: Attack\nrule: r\n  pattern: {attacker:Actor} , said\n"})
               if d.code == "RX100"]
    assert (error.span.line, error.span.col, error.message) == (3, 29, "unexpected `,`")
    assert error.hint == 'punctuation in a pattern is written in quotes: `","`'


def test_an_unquoted_yaml_pattern_is_hinted_to_be_quoted(tmp_path):
    found = _check(tmp_path, {"k.yaml": "event: Kill\nrules:\n  - id: k\n    pattern: {n:Quantity} killed\n",
                              "m.yaml": "event: Kill\nrules:\n  - id: m\n    pattern: {n:Quantity}\n"})
    hints = {(d.span.file.rsplit("/", 1)[-1], d.code): d.hint for d in found if d.code in ("RX201", "RX203")}
    assert hints == {
        ("k.yaml", "RX201"): 'in YAML a value that starts with `{` is read as a mapping: quote it: '
                             'pattern: "{n:Quantity} killed"',
        ("m.yaml", "RX203"): 'in YAML a value that starts with `{` is read as a mapping: quote it: "{n:Quantity}"'}


def test_a_lexicon_a_broken_rule_names_is_not_reported_unused(tmp_path):
    found = _check(tmp_path, {"a.rulex": "event: Attack\nrule: r\n  pattern: {attacker:Actor} fired , said\n"
                                         "  example: \"Iran fired\"\n"})
    unused = [d.message.split("`")[1] for d in found if d.code == "RX602"]
    assert unused == ["weapons"]  # `actors` is used by the rule that could not be read; `weapons` by none
    found = _check(tmp_path, {"a.rulex": "event: Attack\nrule: r\n  pattern: {attacker:Actor} fired\n"
                                         "  example: \"Iran fired\"\n",
                              "b.yaml": "event: Kill\nrules:\n  - id: k\n    pattern: \"{weapon:Weapon} (\"\n"})
    assert [d.message.split("`")[1] for d in found if d.code == "RX602"] == []


def test_a_quoted_dash_is_a_warning_at_its_place_and_the_rule_still_runs(tmp_path):
    """A dash counts as a space between words (forms.literal_words), so `"-"` in a pattern stands
    for nothing: a warning at the quoted word, not an error (the pack compiles)."""
    import rulex
    (tmp_path / "r.rulex").write_text('event: Attack\nrule: a\n  pattern: Rebels ("-" | "\u2013" | "--")? attacked '
                                      '{target:Phrase}\n  example: "Rebels attacked the town"\n')
    found = [d for d in rulex.check(tmp_path / "r.rulex", cache=False)[0] if d.code == "RX607"]
    assert [(d.span.line, d.span.col, d.message.split(" can")[0]) for d in found] == [
        (3, 20, "`-`"), (3, 26, "`\u2013`"), (3, 32, "`--`")]
    assert [m.text for m in rulex.load(tmp_path / "r.rulex", cache=False).extract("Rebels attacked the town.")] == [
        "Rebels attacked the town"]
