"""Property-based tests (Hypothesis) of everything that takes outside input.

- any text given as a rule file yields a pack or a `RulexError` whose every diagnostic has a
  location, never another exception;
- any document text yields matches whose offsets are exact (`text == document[start:end]`,
  for the match and each argument);
- printing a parsed rule file and parsing it again gives the same file (print-then-parse is
  the identity on what the printer writes);
- a long document's windows are the same whether cut in its text or in its normalised view.

`make test` runs the "ci" profile (a few hundred examples each); a soak run takes the "soak"
profile: `HYPOTHESIS_PROFILE=soak .venv/bin/pytest tests/test_properties.py`.
"""
from __future__ import annotations

import os
import textwrap

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import rulex  # noqa: E402
from rulex.diagnostics import DiagnosticBag  # noqa: E402
from rulex.parser import parse_file  # noqa: E402
from rulex.printer import file_text  # noqa: E402
from rulex.segment import normalise, paragraphs, windows  # noqa: E402
from rulex.source import SourceFile  # noqa: E402

from .conftest import ROOT  # noqa: E402

settings.register_profile("ci", max_examples=200, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("soak", max_examples=5000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# ---- rule files -------------------------------------------------------------------------

KEYWORDS = ["event: Attack\n", "entity: Weapon\n", "rule: r1\n", "rule: r2\n", "  pattern: ", "  template: ",
            "  example: ", "  counter: ", "  set: ", "  find: ", "  find after in clause: ", "define: d = ",
            "link: l\n", "  events: Attack, Kill\n", "  share: ", "  joined by: ", "import: ",
            "  not followed by: ", "  not preceded by: ", "  followed by: ", "  preceded by: ", "  priority: ",
            "  overlap: ", "  case: "]
PIECES = ["{attacker:Actor}", "{Phrase}", "{victim:Phrase with casualties:Quantity}", "{d}", "<launch>", "(",
          ")", "|", "?", "{1,3}", "{0,4294967296}", "_", "_{0,4}", "\"quoted phrase\"", "'x'", "/[a-z]+/", "/(/",
          "=US", "with", "fired", "missiles", ",", ".", ":", "\n", "    role = \"Iran\"\n", "-> {min: 13}",
          "true", "injury = true", "attacker = killer", "\\", "\"", "{", "}", "<", ">", "ü", "\u200b", "#x\n"]


@st.composite
def rule_files(draw) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(KEYWORDS), st.sampled_from(PIECES),
                                    st.text(max_size=8)), max_size=40))
    return "".join(parts)


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzzpack")


@given(rule_files())
def test_any_rule_file_gives_a_pack_or_located_diagnostics(pack_dir, text):
    path = pack_dir / "rules.rulex"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    diagnostics, _ = rulex.check(pack_dir)
    for diagnostic in diagnostics:
        assert diagnostic.span.line >= 1 and diagnostic.span.col >= 1, diagnostic
        assert diagnostic.span.file
    try:
        pack = rulex.load(pack_dir, cache=False)
    except rulex.RulexError as err:
        assert err.diagnostics and all(d.span.line >= 1 for d in err.diagnostics)
    else:
        for match in pack.extract("Iran fired missiles at Erbil, killing 12 soldiers."):
            assert match.to_dict()


# ---- documents ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def conflict_pack():
    return rulex.load(ROOT / "rules" / "conflict")


WORDS = ["Iran", "fired", "missiles", "at", "Erbil", "killing", "12", "soldiers", "were", "killed", "wounded",
         "the", "bomb", "exploded", "in", "Kabul", "on", "Monday", ",", ".", ";", "-", "—", "\n", "\n\n", "“",
         "”", "'s", "at least", "more than a dozen", "U.S.", "airstrikes", "IS", "US", "Jan. 8, 2020", "5:30 p.m."]


@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=60).map(" ".join))
def test_any_document_gives_matches_with_exact_offsets(conflict_pack, text):
    for match in conflict_pack.extract(text):
        assert text[match.start:match.end] == match.text
        s, e = match.provenance.sentence
        assert 0 <= s <= match.start < match.end <= e <= len(text)
        for arg in match.arguments:
            assert text[arg.start:arg.end] == arg.text
            assert s <= arg.start < arg.end <= e


# ---- print, then parse ------------------------------------------------------------------

ATOMS = ["launched", "fired", "\"at least\"", "<launch|fire>", "{attacker:Actor}", "{Phrase}", "{weapon:Weapon}",
         "{victim:Phrase with casualties:Quantity}", "_", "=US", "/[0-9]+/"]


def patterns():
    atom = st.sampled_from(ATOMS)
    return st.recursive(atom, lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=4).map(lambda xs: "(" + " ".join(xs) + ")"),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + " | ".join(xs) + ")"),
        inner.map(lambda x: f"({x})?"),
        inner.map(lambda x: f"({x}){{1,3}}")), max_leaves=8)


@given(patterns(), st.sampled_from(["", "  set: injury = true, kind = \"x\"\n"]),
       st.sampled_from(["", "  find before in sentence: on {time:Time}\n", "  find: in {place:Place}\n"]),
       st.sampled_from(["", "  preceded by: officials said\n", "  followed by: at (a|the)? base\n",
                        "  not preceded by: denied\n  followed by: today\n"]))
def test_printing_then_parsing_is_the_identity(pattern, sets, find, context):
    text = textwrap.dedent(f"""\
        event: Attack
        rule: r
          pattern: {pattern}
        """) + sets + find + context + "  example: \"Iran fired missiles\"\n" + \
        "link: l\n  events: Attack, Kill\n  joined by: \",\" | which\n  share: attacker = killer, place\n"
    first = parse_file(SourceFile("a.rulex", text), DiagnosticBag())
    printed = file_text(first)
    second = parse_file(SourceFile("b.rulex", printed), DiagnosticBag())
    assert file_text(second) == printed
    assert len(second.rules) == len(first.rules) == 1 and len(second.links) == 1


# ---- windows of a long document ----------------------------------------------------------

# Characters that `normalise` maps to a space, a quote or a dash, next to those `paragraphs` cuts at.
WINDOW_CHARS = st.sampled_from(list("ab .!?:\"')]\n\t\r-") + ["\n\n", "\u00a0", "\u2003", "\u201d", "\u2019",
                                                              "\x0b", "\x0c", "\x85", "\u2028", "\ue000",
                                                              "\U000f0001", "\x00", "\u2014"])


@given(st.lists(WINDOW_CHARS, max_size=300).map("".join), st.integers(min_value=1, max_value=40))
def test_windows_of_a_text_are_those_of_its_normalised_view(text, size):
    spans = windows(text, size)
    assert spans == windows(normalise(text), size)
    starts = {start for start, _ in paragraphs(normalise(text))}
    assert all(lo in starts for lo, _ in spans[1:])
