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
    # RX501 is a run-time problem, RX603 needs an error-free pack: both have tests of their own
    assert codes == set(CODES) - {"RX501", "RX603"}


def test_loading_a_broken_pack_raises_with_every_error():
    try:
        rulex.load(DATA / "broken_pack", cache=False)
    except rulex.RulexError as err:
        assert len([d for d in err.diagnostics if d.severity.value == "error"]) == 33
        assert "attack.rulex:31:29: error: unclosed `(` opened here  [RX101]" in str(err)
    else:
        raise AssertionError("a broken pack loaded")
