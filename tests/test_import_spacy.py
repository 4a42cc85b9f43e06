"""`rulex import spacy` (rulex/importers/spacy_patterns.py): spaCy EntityRuler / SpanRuler patterns
as a rulex pack that `rulex check` accepts and `rulex test` runs, refusals with file:line, and the
same spans as spaCy's own EntityRuler on the patterns rulex can say."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import rulex
from rulex.cli import cli
from rulex.importers import spacy_patterns
from rulex.importers.spacy_patterns import parse_patterns, read_patterns, write_pack

from .conftest import ROOT

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PATTERNS = ROOT / "tests" / "data" / "spacy_patterns" / "entity_ruler.jsonl"
LEMMA_LINE = 14   # LEMMA and OP "*": a blank pipeline has no lemmas, and rulex bounds the gap
SENTENCES = [
    "Apple Inc. is opening an office in San Francisco.",
    "Microsoft and Apple met in New York City on Monday.",
    "He flew from Paris to berlin, then to Rome and New York.",
    "The iPhone 12 cost $799 in San Fran last year, Apple said.",
    "Prices start at $ 5 for an iphone at Microsoft.",
    "The Mona Lisa hangs in Paris, not in new york.",
]


def run_cli(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def imported_pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("imported") / "entities"
    result = run_cli("import", "spacy", PATTERNS, "-o", out)
    assert result.exit_code == 1, result.output          # some lines were refused
    return out, result.output


def test_the_import_reads_phrases_and_token_patterns_and_refuses_with_line_and_reason():
    imported = read_patterns(PATTERNS)
    assert imported.patterns == 15
    assert [p.line for p in imported.phrases] == [1, 2, 3, 15]
    assert [(p.text, p.entry) for p in imported.phrases[:3]] == [("Apple", "apple"), ("Apple Inc.", "apple"),
                                                                ("Microsoft", "Microsoft")]
    rules = {r.line: r for r in imported.rules}
    assert sorted(rules) == [4, 5, 6, 7, 8, 9, 14]
    assert rules[4].pattern == '"san" "francisco"' and rules[4].id == "san-francisco"
    assert rules[6].pattern == '="New" ="York" "city"?' and rules[6].example == "New York"
    assert rules[7].pattern == '("berlin" | "paris" | "rome")'
    assert rules[8].pattern == '="$" {Number}'
    assert rules[9].pattern == '"iphone" /\\d+/?'
    assert rules[14].pattern == '<launch> _{0,8} "rocket"' and rules[14].approximations
    reasons = {r.line: r.reason for r in imported.refused}
    assert sorted(reasons) == [10, 11, 12, 13]
    assert "POS" in reasons[10] and "tagger" in reasons[10]
    assert "SHAPE" in reasons[11]
    assert "REGEX" in reasons[12]
    assert "ENT_TYPE" in reasons[13]


def test_the_written_pack_passes_check_and_test(imported_pack):
    out, output = imported_pack
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "IMPORT.txt", "imported.rulex", "lexicons/org_phrases.yaml", "lexicons/work_of_art_phrases.yaml", "pack.yaml"]
    assert f"{PATTERNS}:10: not imported: token 1: POS" in output
    assert f"{PATTERNS}:14: approximated:" in output
    assert "label 'work-of-art' is the rulex type Work_of_art" in output
    assert (out / "IMPORT.txt").read_text(encoding="utf-8").count("not imported:") == 4
    check = run_cli("check", out)
    assert check.exit_code == 0, check.output
    assert "0 error(s)" in check.output
    test = run_cli("test", out)
    assert test.exit_code == 0, test.output
    assert "10 examples, 10 passed, 0 failed" in test.output
    pack = rulex.load(out)
    assert {(m.type, m.text, m.value) for m in pack.extract("Apple Inc. moved to San Francisco.")} == {
        ("ORG", "Apple Inc.", "apple"), ("GPE", "San Francisco", "san-francisco")}


def test_an_existing_pack_is_kept_unless_forced(tmp_path):
    out = tmp_path / "pack"
    assert run_cli("import", "spacy", PATTERNS, "-o", out).exit_code == 1
    result = run_cli("import", "spacy", PATTERNS, "-o", out)
    assert result.exit_code == 2 and "--force" in result.output
    assert run_cli("import", "spacy", PATTERNS, "-o", out, "--force", "--name", "ents").exit_code == 1
    assert "name: ents" in (out / "pack.yaml").read_text(encoding="utf-8")
    smaller = tmp_path / "smaller.jsonl"
    smaller.write_text('{"label": "GPE", "pattern": "Paris"}\n', encoding="utf-8")
    assert run_cli("import", "spacy", smaller, "-o", out, "--force").exit_code == 0
    assert sorted(p.name for p in (out / "lexicons").iterdir()) == ["gpe_phrases.yaml"]   # none of the earlier import's
    assert run_cli("test", out).exit_code == 0


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run_cli("import", "spacy", PATTERNS, "-o", tmp_path / "file" / "out")
    assert result.exit_code == 2 and "cannot write it" in result.output and "Traceback" not in result.output


def test_bad_lines_are_reported_with_their_line_and_the_rest_goes_on(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"label": "ORG", "pattern": "Apple"}\n'
                     b'{"label": "ORG", "pattern": \n'
                     b'{"label": "ORG", "pattern": "Caf\xe9"}\n'
                     b'\n'
                     b'{"label": "GPE", "pattern": [{"COLOUR": "red"}]}\n'
                     b'["not", "an", "object"]\n'
                     b'{"label": "ORG", "pattern": "apple", "id": "other"}\n'
                     b'{"label": "GPE", "pattern": [{"LOWER": "San"}]}\n'
                     b'{"label": "GPE", "pattern": [{"LOWER": "x", "OP": "*"}]}\n'
                     b'{"label": "GPE", "pattern": [{"LOWER": "rome"}]}\n'
                     b'{"label": "GPE", "pattern": [{"LOWER": ["rome", "paris"]}]}\n')
    result = run_cli("import", "spacy", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for line, words in [(2, "not JSON"), (3, "not valid UTF-8 (byte 0xe9"), (5, "unknown token attribute 'COLOUR'"),
                        (6, "JSON object"), (7, "already an alias of 'Apple' (line 1)"), (8, "has capitals"),
                        (9, "can match nothing"), (11, 'a list of words is written {"IN": [...]}')]:
        assert f"{path}:{line}: not imported: " in result.output and words in result.output, (line, result.output)
    assert "10 patterns: 1 phrases, 1 token patterns imported, 8 not imported" in result.output
    assert run_cli("check", tmp_path / "out").exit_code == 0


def test_an_imported_pattern_whose_example_rulex_does_not_match_is_reported(tmp_path):
    path = tmp_path / "hyphen.jsonl"
    path.write_text('{"label": "X", "pattern": [{"LOWER": "u.s."}, {"ORTH": "-"}, {"LOWER": "based"}]}\n'
                    '{"label": "X", "pattern": [{"LOWER": "end"}, {"ORTH": "."}, {"LOWER": "next"}]}\n', encoding="utf-8")
    result = run_cli("import", "spacy", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    line = f"{path}:1: imported, but rulex does not match its example 'u.s. - based' (rule out.X.line1;"
    assert line in result.output and f"{path}:2:" not in result.output
    assert line in (tmp_path / "out" / "IMPORT.txt").read_text(encoding="utf-8")


def test_a_file_that_cannot_be_read_is_a_usage_error(tmp_path):
    result = run_cli("import", "spacy", tmp_path / "missing.jsonl", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


# ---- the same spans as spaCy's EntityRuler --------------------------------------------------

def expressible_patterns(imported) -> list[dict]:
    """The pattern lines that were imported as they are (not approximated), as spaCy reads them."""
    lines = PATTERNS.read_text(encoding="utf-8").splitlines()
    kept = {p.line for p in imported.phrases} | set(imported.repeats)
    kept |= {r.line for r in imported.rules if not r.approximations}
    return [json.loads(lines[n - 1]) for n in sorted(kept - {LEMMA_LINE})]


def ruler_spans(nlp, ruler: str, sentence: str) -> list:
    """What spaCy's ruler finds: doc.ents of an EntityRuler, the spans of a SpanRuler."""
    doc = nlp(sentence)
    return list(doc.ents) if ruler == "entity_ruler" else list(doc.spans["ruler"])


@pytest.mark.parametrize("ruler", ["entity_ruler", "span_ruler"])
def test_spacys_rulers_and_the_imported_pack_find_the_same_spans(imported_pack, ruler):
    spacy = pytest.importorskip("spacy")
    out, _ = imported_pack
    imported = read_patterns(PATTERNS)
    types = spacy_patterns.type_names([p.label for p in imported.phrases] + [r.label for r in imported.rules])
    ruler_nlp = spacy.blank("en")
    # the SpanRuler keeps overlapping spans unless told to keep the longest, as rulex does (overlap: longest)
    config = {"spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}} if ruler == "span_ruler" else {}
    ruler_nlp.add_pipe(ruler, config=config).add_patterns(expressible_patterns(imported))
    rulex_nlp = spacy.blank("en")
    rulex_nlp.add_pipe("rulex", config={"pack": str(out)})
    found = 0
    for sentence in SENTENCES:
        expected = sorted((e.start_char, e.end_char, types[e.label_], e.id_) for e in ruler_spans(ruler_nlp, ruler, sentence))
        doc = rulex_nlp(sentence)
        got = sorted((s.start_char, s.end_char, s.label_, s.kb_id_) for t in set(types.values())
                     for s in doc.spans[f"rulex_{t}"])
        # spaCy's ent_id_ is the pattern's id; rulex's value is the id, or the phrase without one
        got = [(start, end, label, kb if kb in {"apple", "san-francisco"} else "") for start, end, label, kb in got]
        assert got == expected, sentence
        found += len(expected)
    assert found >= 15


def test_phrases_ignore_case_in_rulex_as_the_import_report_says(imported_pack):
    spacy = pytest.importorskip("spacy")
    out, output = imported_pack
    assert "match whatever their case" in output
    ruler_nlp = spacy.blank("en")
    ruler_nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Microsoft"}])
    assert not ruler_nlp("microsoft").ents
    assert [m.text for m in rulex.load(out).extract("microsoft")] == ["microsoft"]


# ---- properties -------------------------------------------------------------------------------

JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                           max_leaves=12)
ATTRIBUTES = st.sampled_from(["LOWER", "ORTH", "TEXT", "NORM", "LEMMA", "IS_DIGIT", "LIKE_NUM", "POS", "OP", "REGEX",
                              "IN", "SHAPE", "_", "lower", "ENT_TYPE"])
TOKENS = st.dictionaries(ATTRIBUTES, JSON_VALUES | st.sampled_from(["?", "*", "+", "!", "{2}", "{1,3}", "{,2}", "{2,}"])
                         | st.fixed_dictionaries({"IN": st.lists(st.text(max_size=6), max_size=3)}), max_size=3)
PATTERN_LINES = st.fixed_dictionaries(
    {"label": st.text(max_size=8) | JSON_VALUES, "pattern": st.text(max_size=20) | st.lists(TOKENS, max_size=4) | JSON_VALUES},
    optional={"id": st.text(max_size=6) | JSON_VALUES})
LINES = st.lists(st.one_of(PATTERN_LINES.map(lambda d: json.dumps(d).encode()), JSON_VALUES.map(lambda v: json.dumps(v).encode()),
                           st.binary(max_size=30).filter(lambda b: b"\n" not in b)), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_random_pattern_lines_are_each_imported_or_refused_with_their_line(lines):
    imported = parse_patterns(b"\n".join(lines), "random.jsonl")
    numbered = {n for n, line in enumerate(lines, 1) if line.strip()}
    accepted = [p.line for p in imported.phrases] + [r.line for r in imported.rules] + list(imported.repeats)
    refused = [r.line for r in imported.refused]
    assert sorted(accepted + refused) == sorted(numbered)           # each line once, none lost
    assert imported.patterns == len(numbered)
    assert all(r.reason for r in imported.refused)


WORDS = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S"]), min_size=1, max_size=8)
GOOD_TOKENS = st.one_of(
    st.builds(lambda a, w: {a: w.lower() if a in ("LOWER", "NORM") else w}, st.sampled_from(["LOWER", "ORTH", "TEXT", "NORM"]),
              WORDS),
    st.builds(lambda ws: {"LOWER": {"IN": [w.lower() for w in ws]}}, st.lists(WORDS, min_size=1, max_size=3)),
    st.just({"LIKE_NUM": True}), st.just({"IS_DIGIT": True}), st.just({}))
GOOD_PATTERNS = st.lists(st.builds(lambda t, op: {**t, **({"OP": op} if op else {})}, GOOD_TOKENS,
                                   st.sampled_from([None, None, "?", "+", "*", "{2}", "{1,2}"])), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(GOOD_PATTERNS.map(lambda p: {"label": "THING", "pattern": p}),
                          WORDS.map(lambda w: {"label": "Name of it", "pattern": w, "id": w[:3]})), min_size=1, max_size=6))
def test_imported_patterns_always_make_a_pack_without_errors(tmp_path_factory, items):
    data = "\n".join(json.dumps(item) for item in items).encode()
    imported = parse_patterns(data, "gen.jsonl")
    if not imported.phrases and not imported.rules:
        return
    folder = write_pack(imported, tmp_path_factory.mktemp("gen") / "pack", "gen").folder
    diagnostics, sources = rulex.check(folder, cache=False)
    errors = [d for d in diagnostics if d.severity.value == "error"]
    assert not errors, "\n".join(d.render(sources) for d in errors) + "\n" + (folder / "imported.rulex").read_text()
    lines = {p.line for p in imported.phrases} | {r.line for r in imported.rules}
    assert {u.line for u in spacy_patterns.unmatched_examples(imported, write_pack(imported, folder, "gen"))} <= lines


def test_type_names_are_rulex_type_names_and_unique():
    names = spacy_patterns.type_names(["ORG", "org", "work-of-art", "3d", "Org", "", "ORG", "Time", "Phrase", "TIME"])
    assert names == {"ORG": "ORG", "org": "Org", "work-of-art": "Work_of_art", "3d": "L3d", "Org": "Org_2", "": "Label",
                     "Time": "Time_2", "Phrase": "Phrase_2", "TIME": "TIME"}


def test_a_label_named_like_a_lexicon_type_or_a_built_in_type_keeps_its_own_results(tmp_path):
    path = tmp_path / "clash.jsonl"
    path.write_text('{"label": "Number", "pattern": "noon"}\n{"label": "ORG_phrase", "pattern": "Acme"}\n'
                    '{"label": "ORG", "pattern": "Globex"}\n{"label": "QTY", "pattern": [{"LIKE_NUM": true}]}\n',
                    encoding="utf-8")
    assert run_cli("import", "spacy", path, "-o", tmp_path / "out").exit_code == 0
    assert run_cli("test", tmp_path / "out").exit_code == 0
    found = {(m.type, m.text) for m in rulex.load(tmp_path / "out").extract("Acme met Globex at noon, 3 times.")}
    assert found == {("ORG_phrase", "Acme"), ("ORG", "Globex"), ("Number_2", "noon"), ("QTY", "3")}


def test_quoted_phrases_escape_quotes_and_backslashes(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"label": "Q", "pattern": [{"ORTH": 'say"'}, {"ORTH": "a\\b"}]}) + "\n", encoding="utf-8")
    imported = read_patterns(path)
    assert imported.rules[0].pattern == '="say\\"" ="a\\\\b"'
    assert Path(write_pack(imported, tmp_path / "p", "q").folder).is_dir()
    assert run_cli("check", tmp_path / "p").exit_code == 0
