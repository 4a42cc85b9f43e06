"""The spaCy pipeline component (rulex/spacy_component.py) in real spaCy pipelines: spans and
matches agree with `rulex.load(...).extract(...)` on the sample articles, dates, misaligned
spans, `nlp.pipe(n_process=2)`, pickling, and `nlp.to_disk` / `spacy.load` round trips."""
from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys

import pytest

import rulex

from .conftest import CONFLICT, MINI_PACK, ROOT, SAMPLES, SHARED

spacy = pytest.importorskip("spacy")
from spacy.tokens import Doc, DocBin  # noqa: E402

from rulex.spacy_component import RulexComponent  # noqa: E402

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared is not beside the project")
SENTENCE = "Iran launched missiles at Erbil on Wednesday."


def sample_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]


def rulex_nlp(pack=CONFLICT, **config):
    nlp = spacy.blank("en")
    nlp.add_pipe("rulex", config={"pack": str(pack), **config})
    return nlp


def as_json(value):
    """A value as JSON reads it back: msgpack (DocBin, n_process) gives lists back as tuples."""
    return json.loads(json.dumps(value))


def span_view(doc: Doc) -> dict[str, list[tuple]]:
    """Every rulex span group as comparable tuples."""
    return {key: [(s.start_char, s.end_char, s.label_, s.kb_id_, s.id_) for s in group]
            for key, group in sorted(doc.spans.items())}


@pytest.fixture(scope="module")
def conflict_nlp():
    return rulex_nlp()


def test_the_factory_is_found_through_the_entry_point():
    from importlib.metadata import entry_points
    (point,) = [p for p in entry_points(group="spacy_factories") if p.name == "rulex"]
    assert point.value == "rulex.spacy_component:make_rulex_component"
    nlp = rulex_nlp(MINI_PACK)
    assert nlp.pipe_names == ["rulex"]
    assert isinstance(nlp.get_pipe("rulex"), RulexComponent)


def test_the_component_works_beside_other_components_and_leaves_their_annotations():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Erbil"}])
    nlp.add_pipe("span_ruler", config={"spans_key": "mine"}).add_patterns([{"label": "X", "pattern": "missiles"}])
    nlp.add_pipe("rulex", config={"pack": str(CONFLICT)})
    doc = nlp(SENTENCE + " Nothing else happened.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Erbil", "GPE")]
    assert [s.text for s in doc.spans["mine"]] == ["missiles"]
    assert len(list(doc.sents)) == 2
    assert [s.text for s in doc.spans["rulex_Attack"]] == ["Iran launched missiles at Erbil on Wednesday"]


@needs_samples
def test_spans_agree_with_extract_on_the_sample_articles(conflict_nlp):
    pack = rulex.load(CONFLICT)
    texts = sample_texts()
    assert texts
    total = 0
    for text in texts:
        doc = conflict_nlp(text)
        matches = pack.extract(text)
        assert doc._.rulex_matches == [m.to_dict() for m in matches]
        expected: dict[str, list[tuple]] = {}
        for m in matches:
            expected.setdefault(f"rulex_{m.type}", []).append((m.start, m.end, m.type))
            for a in m.arguments:
                expected.setdefault(f"rulex_{m.type}_args", []).append((a.start, a.end, a.role))
        misaligned = {(x["start"], x["end"], x["label"]) for x in doc._.rulex_misaligned}
        for key, wanted in expected.items():
            got = [(s.start_char, s.end_char, s.label_) for s in doc.spans[key]]
            # a span that does not fall on spaCy's tokens is expanded to them, and recorded
            aligned = [w for w in wanted if w not in misaligned]
            assert [g for g in got if g in aligned] == aligned, key
            assert len(got) == len(wanted), key
            total += len(wanted)
        for x in doc._.rulex_misaligned:
            assert x["span"] is not None and x["span"][0] <= x["start"] and x["end"] <= x["span"][1]
        assert doc._.rulex_problems == []
    assert total >= 20


@needs_samples
def test_every_type_of_the_pack_has_its_span_groups_even_when_empty(conflict_nlp):
    doc = conflict_nlp("Nothing happened here.")
    assert {"rulex_Attack", "rulex_Attack_args", "rulex_Kill", "rulex_Kill_args"} <= set(doc.spans)
    assert all(len(group) == 0 for group in doc.spans.values())
    assert doc._.rulex_matches == []


def test_spans_carry_label_value_and_rule(conflict_nlp):
    doc = conflict_nlp(SENTENCE)
    (event,) = doc.spans["rulex_Attack"]
    assert (event.label_, event.id_) == ("Attack", doc._.rulex_matches[0]["rule"])
    args = {s.label_: (s.text, s.kb_id_) for s in doc.spans["rulex_Attack_args"]}
    assert args["attacker"] == ("Iran", "Iran")
    assert args["weapon"] == ("missiles", "missile")
    assert args["time"] == ("Wednesday", "")      # a value that is no string is not a kb_id
    assert doc._.rulex_misaligned == []


def test_matches_are_output_contract_objects(conflict_nlp):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SHARED / "design" / "match.schema.json").read_text(encoding="utf-8"))
    doc = conflict_nlp(SENTENCE)
    assert doc._.rulex_matches
    for match in doc._.rulex_matches:
        jsonschema.validate(match, schema)
        assert doc.text[match["start"]:match["end"]] == match["text"]


def test_keys_are_configurable():
    nlp = rulex_nlp(CONFLICT, spans_key_prefix="rx:", spans_keys={"Attack": "attacks"})
    doc = nlp(SENTENCE)
    assert [s.text for s in doc.spans["attacks_args"] if s.label_ == "target"] == ["Erbil"]
    assert len(doc.spans["attacks"]) == 1 and "rx:Kill" in doc.spans and "rulex_Attack" not in doc.spans


def time_value(doc: Doc):
    (match,) = doc._.rulex_matches
    return match["args"]["time"].get("value")


def test_the_document_date_comes_from_the_doc_extension_or_the_config():
    undated, dated = rulex_nlp(), rulex_nlp(date="2020-01-08")
    assert time_value(undated(SENTENCE)) is None
    assert time_value(dated(SENTENCE)) == "2020-01-08"
    doc = dated.make_doc(SENTENCE)
    doc._.rulex_date = "2021-03-03"                  # the document's own date wins over the config's
    assert time_value(dated(doc)) == "2021-03-03"
    import datetime as dt
    doc = undated.make_doc(SENTENCE)
    doc._.rulex_date = dt.date(2020, 1, 8)
    assert time_value(undated(doc)) == "2020-01-08"
    with pytest.raises(ValueError, match="not a YYYY-MM-DD date"):
        rulex_nlp(date="8 January")
    for wrong in ("yesterday", 20200108):
        doc = undated.make_doc(SENTENCE)
        doc._.rulex_date = wrong
        with pytest.raises(ValueError, match="rulex_date"):
            undated(doc)


def test_the_document_id_comes_from_the_doc_extension():
    nlp = rulex_nlp()
    assert {m["doc"] for m in nlp(SENTENCE)._.rulex_matches} == {"doc"}
    doc = nlp.make_doc(SENTENCE)
    doc._.rulex_doc_id = "a1"
    assert {m["doc"] for m in nlp(doc)._.rulex_matches} == {"a1"}


def test_each_resolved_date_says_where_the_document_date_came_from():
    doc = rulex_nlp(date="2020-01-08")(SENTENCE)
    assert '"from": "option"' in json.dumps(doc._.rulex_matches)
    nlp = rulex_nlp()
    doc = nlp.make_doc(SENTENCE)
    doc._.rulex_date = "2020-01-08"
    assert '"from": "document"' in json.dumps(nlp(doc)._.rulex_matches)


# ---- spans that do not fall on token boundaries ------------------------------------------------

def glued_doc(nlp) -> Doc:
    """"Erbil." as one token: rulex's argument "Erbil" ends inside it."""
    words = ["Iran", "launched", "missiles", "at", "Erbil."]
    return Doc(nlp.vocab, words=words, spaces=[True, True, True, True, False])


@pytest.mark.parametrize("mode, kept", [("expand", (26, 32)), ("contract", None), ("strict", None)])
def test_a_misaligned_span_is_expanded_or_dropped_and_always_recorded(mode, kept):
    nlp = rulex_nlp(CONFLICT, alignment_mode=mode)
    doc = nlp.get_pipe("rulex")(glued_doc(nlp))
    assert doc.text == "Iran launched missiles at Erbil."
    (event,) = doc._.rulex_matches
    assert event["args"]["target"]["end"] == 31
    (record,) = [x for x in doc._.rulex_misaligned if x["label"] == "target"]
    assert record == {"kind": "argument", "label": "target", "rule": event["rule"], "start": 26, "end": 31,
                      "text": "Erbil", "alignment_mode": mode, "span": list(kept) if kept else None}
    targets = [(s.start_char, s.end_char) for s in doc.spans["rulex_Attack_args"] if s.label_ == "target"]
    assert targets == ([kept] if kept else [])
    assert [s.label_ for s in doc.spans["rulex_Attack_args"] if s.label_ != "target"] == ["attacker", "weapon"]


def test_an_unknown_alignment_mode_or_a_missing_pack_is_a_clear_error():
    with pytest.raises(ValueError, match="alignment_mode"):
        rulex_nlp(CONFLICT, alignment_mode="nearest")
    nlp = spacy.blank("en")
    nlp.add_pipe("rulex")
    with pytest.raises(ValueError, match="no pack"):
        nlp("text")
    nlp = rulex_nlp(ROOT / "tests" / "data" / "broken_pack")
    with pytest.raises(rulex.RulexError):
        nlp("text")


# ---- processes, pickling, saving --------------------------------------------------------------

@needs_samples
def test_nlp_pipe_with_two_processes_gives_what_one_gives(conflict_nlp):
    texts = [p for text in sample_texts() for p in text.split("\n\n") if p.strip()]
    assert len(texts) >= 4
    one = [span_view(doc) for doc in conflict_nlp.pipe(texts)]
    two_docs = list(conflict_nlp.pipe(texts, n_process=2, batch_size=2))
    assert [span_view(doc) for doc in two_docs] == one
    assert as_json([doc._.rulex_matches for doc in two_docs]) == [doc._.rulex_matches for doc in conflict_nlp.pipe(texts)]
    assert sum(len(doc._.rulex_matches) for doc in two_docs) >= 10


SPAWNED = """
import multiprocessing, sys
import spacy

if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")      # as on macOS and Windows: the pipeline is pickled
    nlp = spacy.blank("en")
    nlp.add_pipe("rulex", config={"pack": sys.argv[1]})
    texts = ["Iran launched missiles at Erbil.", "Nothing.", "Iran fired missiles at U.S. forces in Iraq."] * 2
    print([len(d._.rulex_matches) for d in nlp.pipe(texts, n_process=2, batch_size=1)])
    print(nlp.get_pipe("rulex")._pack is None)     # each process loaded the pack, this one never did
"""


def test_processes_started_by_spawn_load_the_pack_themselves(tmp_path):
    script = tmp_path / "spawned.py"
    script.write_text(SPAWNED, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(MINI_PACK)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[1,", "0,", "1,", "1,", "0,", "1]", "True"]


def test_the_component_pickles_without_its_compiled_pack(conflict_nlp):
    component = conflict_nlp.get_pipe("rulex")
    conflict_nlp(SENTENCE)                      # the pack is loaded
    data = pickle.dumps(component)
    assert len(data) < 2000                     # the path, not the program
    copy = pickle.loads(data)
    assert copy._pack is None
    doc = spacy.blank("en").make_doc(SENTENCE)
    assert copy(doc)._.rulex_matches == conflict_nlp(SENTENCE)._.rulex_matches


def test_docs_keep_spans_and_matches_through_docbin(conflict_nlp):
    doc = conflict_nlp(SENTENCE)
    restored = list(DocBin(docs=[doc], store_user_data=True).get_docs(conflict_nlp.vocab))[0]
    assert span_view(restored) == span_view(doc)
    assert as_json(restored._.rulex_matches) == doc._.rulex_matches


@needs_samples
def test_to_disk_and_spacy_load_need_no_original_pack(tmp_path):
    pack = shutil.copytree(CONFLICT, tmp_path / "conflict", ignore=shutil.ignore_patterns("tools"))
    nlp = rulex_nlp(pack, alignment_mode="strict", date="2020-01-08")
    texts = [SENTENCE] + sample_texts()
    before = [(span_view(d), d._.rulex_matches) for d in nlp.pipe(texts)]
    nlp.to_disk(tmp_path / "pipeline")
    shutil.rmtree(pack)                                          # the pipeline carries its own copy
    saved = sorted(p.relative_to(tmp_path / "pipeline" / "rulex").as_posix()
                   for p in (tmp_path / "pipeline" / "rulex").rglob("*") if p.is_file())
    assert "pack/pack.yaml" in saved and "pack/attack.rulex" in saved and "pack/lexicons/weapons.yaml" in saved
    assert not [name for name in saved if name.endswith((".py", ".pickle", ".pkl"))]
    loaded = spacy.load(tmp_path / "pipeline")
    component = loaded.get_pipe("rulex")
    assert (component.alignment_mode, str(component.date)) == ("strict", "2020-01-08")
    after = [(span_view(d), d._.rulex_matches) for d in loaded.pipe(texts)]
    assert [spans for spans, _ in after] == [spans for spans, _ in before]
    # the same matches, but their provenance names the saved copy of each rule and lexicon file
    saved_pack = str((tmp_path / "pipeline" / "rulex" / "pack").resolve())
    assert json.dumps([m for _, m in after]) == json.dumps([m for _, m in before]).replace(str(pack.resolve()), saved_pack)
    assert saved_pack in json.dumps(after)


def test_to_bytes_and_from_bytes_round_trip():
    nlp = rulex_nlp(MINI_PACK)
    text = "Iran launched more than a dozen ballistic missiles against U.S. military and coalition forces in Iraq."
    before = span_view(nlp(text))
    assert before["rulex_Attack"]
    other = rulex_nlp(CONFLICT)
    other.from_bytes(nlp.to_bytes())
    assert span_view(other(text)) == before


def test_a_saved_pack_is_read_only_from_its_own_folder(tmp_path):
    nlp = rulex_nlp(MINI_PACK)
    nlp.to_disk(tmp_path / "pipeline")
    folder = tmp_path / "pipeline" / "rulex" / "pack"
    (folder / "extra.rulex").symlink_to(MINI_PACK / "attack.rulex")
    with pytest.raises(ValueError, match="symbolic link"):
        spacy.load(tmp_path / "pipeline")
    (folder / "extra.rulex").unlink()
    manifest = folder / "pack.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + 'dependencies: [".."]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="dependencies"):
        spacy.load(tmp_path / "pipeline")
    component = nlp.get_pipe("rulex")
    import srsly
    for name in ("../evil.rulex", "/etc/passwd.yaml", "run.py", "a/./b.yaml"):
        with pytest.raises(ValueError, match="no file of a saved pack"):
            component.from_bytes(srsly.msgpack_dumps({"files": {name: b"event: X\n"}}))


def test_a_pack_with_dependencies_outside_its_folder_is_not_saved(tmp_path):
    shared = tmp_path / "shared-lexicons"
    shutil.copytree(MINI_PACK / "lexicons", shared)
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    shutil.rmtree(pack / "lexicons")
    manifest = (pack / "pack.yaml").read_text(encoding="utf-8")
    (pack / "pack.yaml").write_text(manifest.replace("lexicons/", "../shared-lexicons/") +
                                    'dependencies: ["../shared-lexicons"]\n', encoding="utf-8")
    nlp = rulex_nlp(pack)
    assert nlp("Iran launched missiles at the base.")._.rulex_matches is not None
    with pytest.raises(ValueError, match="outside the pack folder"):
        nlp.to_disk(tmp_path / "pipeline")


def test_the_rulex_core_never_imports_spacy():
    code = ("import sys, rulex, rulex.cli, rulex.pack, rulex.importers.spacy_patterns; "
            "rulex.load(sys.argv[1]).extract('Iran launched missiles at Erbil.'); "
            "print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(MINI_PACK)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
