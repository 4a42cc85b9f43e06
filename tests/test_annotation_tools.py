"""The annotation loop (issue 21): `rulex run -f labelstudio|prodigy|brat` pre-annotates, the
tool's export comes back as gold for `rulex eval --gold-format labelstudio|prodigy|brat`.

Real runs through the CLI on real files: the conflict pack over the sample articles and gold
sentences, exported, accepted as a reviewer accepts predictions, and scored 1.0; native gold and
its rendering in each tool give the same figures; files written in each tool's documented
format (tests/data/annotation_tools/) read as they say; broken input is named by file:line;
and no input, however broken, makes a reader raise anything but its own clear error.
"""
from __future__ import annotations

import json
import os
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulex import load as load_pack
from rulex.cli import cli
from rulex.document import Document
from rulex.evaluate import DEFAULT_MAPPING
from rulex.gold_formats import GoldError, GoldFile, GoldFormat, detect, read_gold_file
from rulex.match import Argument, Match, Provenance
from rulex.outputs import open_writer

from .conftest import CONFLICT, ROOT, SAMPLES, SHARED

DATA = ROOT / "tests" / "data" / "annotation_tools"
GOLD_SENTENCES = SHARED / "gold" / "wikievents_sentences.dev.jsonl"
TOOLS = ("labelstudio", "prodigy", "brat")
needs_shared = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared is not beside the project")


def rulex(*args: str) -> tuple[int, str, str]:
    """Run the CLI: exit code, stdout, stderr."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def export(fmt: str, inputs: list[Path], out: Path) -> Path:
    """`rulex run` of the conflict pack in a tool's format; the path to give `rulex eval`."""
    target = out / ("brat" if fmt == "brat" else f"tasks.{'json' if fmt == 'labelstudio' else 'jsonl'}")
    code, _, err = rulex("run", CONFLICT, *inputs, "-f", fmt, "-o", target, "-q")
    assert code == 0, err
    return target


def accept(fmt: str, path: Path) -> Path:
    """The export a reviewer gets after accepting every prediction unchanged: in Label Studio
    each prediction becomes the task's annotation, in Prodigy each task gets `answer: accept`;
    brat files are the annotations themselves."""
    if fmt == "labelstudio":
        tasks = json.loads(path.read_text(encoding="utf-8"))
        for number, task in enumerate(tasks, 1):
            task["id"] = number
            task["annotations"] = [{"id": number, "completed_by": 1, "was_cancelled": False, "ground_truth": False,
                                    "result": task["predictions"][0]["result"]}]
        path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    elif fmt == "prodigy":
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        path.write_text("".join(json.dumps({**task, "answer": "accept"}) + "\n" for task in lines), encoding="utf-8")
    return path


def figures(*args) -> dict:
    code, out, err = rulex("eval", *args, "-f", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def gold_sentences(tmp_path_factory) -> Path:
    """60 gold sentences with attack or death events, as a JSONL input of `rulex run`."""
    path = tmp_path_factory.mktemp("sentences") / "sentences.jsonl"
    records = [json.loads(line) for line in GOLD_SENTENCES.read_text(encoding="utf-8").splitlines()]
    chosen = [r for r in records if any(e["category"] in ("attack", "death") for e in r["events"])][:60]
    path.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in chosen), encoding="utf-8")
    return path


# ---- round trips -------------------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize("fmt", TOOLS)
def test_the_packs_own_output_accepted_in_each_tool_scores_one(fmt, tmp_path, gold_sentences):
    gold = accept(fmt, export(fmt, [SAMPLES, gold_sentences], tmp_path))
    result = figures(CONFLICT, gold)   # told from the file, labels read as the pack's own types
    assert result["records"] == 62
    for part in ("mentions", "arguments"):
        tally = result["scores"]["all"][part]
        assert tally["gold"] > 20 and (tally["p"], tally["r"], tally["f1"]) == (1.0, 1.0, 1.0), (part, tally)
    assert {"Attack", "Kill"} <= set(result["types"])
    assert all(t["f1"] == 1.0 for t in result["types"].values())
    assert all(r["precision"] == 1.0 for r in result["rules"].values())
    assert figures(CONFLICT, gold, "--gold-format", fmt) == result


def gold_as_matches(record: dict) -> list[Match]:
    """The events of a native gold record as matches (type = category, arguments by role), to
    render them with the writers."""
    text = record["text"]
    provenance = Provenance("gold", "1", "gold", 1, (0, len(text)))
    matches = []
    for event in record["events"]:
        if not event.get("trigger_span"):
            continue
        start, end = event["trigger_span"]
        args = tuple(Argument(a["role"], text[a["span"][0]:a["span"][1]], *a["span"], "Arg")
                     for a in event.get("arg_list", []) if a.get("span"))
        matches.append(Match(record["id"], event["category"], "gold", text[start:end], start, end, args, provenance))
    return matches


@needs_shared
def test_native_gold_and_its_rendering_in_each_tool_give_the_same_figures(tmp_path):
    records = [json.loads(line) for line in GOLD_SENTENCES.read_text(encoding="utf-8").splitlines()][:120]
    native = tmp_path / "native.jsonl"
    native.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(DEFAULT_MAPPING), encoding="utf-8")
    expected = figures(CONFLICT, native, "--mapping", mapping)
    assert expected["scores"]["attack"]["mentions"]["gold"] > 10
    for fmt in TOOLS:
        target = tmp_path / ("brat" if fmt == "brat" else f"gold.{fmt}")
        with open_writer(fmt, str(target)) as writer:
            for record in records:
                writer.write(Document(record["id"], record["text"]), gold_as_matches(record))
        assert figures(CONFLICT, accept(fmt, target), "--mapping", mapping) == expected, fmt


@needs_shared
@pytest.mark.parametrize("fmt", TOOLS)
def test_a_tool_export_and_its_conversion_to_native_gold_give_the_same_figures(fmt, tmp_path, gold_sentences):
    gold = accept(fmt, export(fmt, [gold_sentences], tmp_path))
    read = read_gold_file(gold, GoldFormat(fmt))
    native = tmp_path / "converted.jsonl"
    native.write_text("".join(json.dumps(r) + "\n" for r in read.records), encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(DEFAULT_MAPPING), encoding="utf-8")
    assert figures(CONFLICT, gold, "--mapping", mapping) == figures(CONFLICT, native, "--mapping", mapping)


# ---- what the writers write ------------------------------------------------------------------

# Label Studio's documented task format for text spans and relations (labelstud.io, "Label
# Studio JSON format of annotated tasks" and "Import pre-annotated data"), written as a schema.
REGION = {"type": "object", "required": ["id", "from_name", "to_name", "type", "value"],
          "properties": {"type": {"const": "labels"}, "id": {"type": "string"},
                         "value": {"type": "object", "required": ["start", "end", "labels"],
                                   "properties": {"start": {"type": "integer"}, "end": {"type": "integer"},
                                                  "text": {"type": "string"},
                                                  "labels": {"type": "array", "items": {"type": "string"}}}}}}
RELATION = {"type": "object", "required": ["from_id", "to_id", "type"],
            "properties": {"type": {"const": "relation"}, "direction": {"enum": ["right", "left", "bi"]},
                           "labels": {"type": "array", "items": {"type": "string"}}}}
LABEL_STUDIO_TASKS = {
    "type": "array",
    "items": {"type": "object", "required": ["data"],
              "properties": {"data": {"type": "object", "required": ["text"]},
                             "predictions": {"type": "array", "items": {
                                 "type": "object", "required": ["result"],
                                 "properties": {"model_version": {"type": "string"},
                                                "result": {"type": "array", "items": {"oneOf": [REGION, RELATION]}}}}}}}}
# Prodigy's documented task format (prodi.gy/docs/api-interfaces: ner_manual, relations).
SPAN = {"type": "object", "required": ["start", "end", "label"],
        "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}, "label": {"type": "string"},
                       "token_start": {"type": "integer"}, "token_end": {"type": "integer"}}}
PRODIGY_TASK = {
    "type": "object", "required": ["text", "tokens", "spans", "relations"],
    "properties": {
        "text": {"type": "string"},
        "tokens": {"type": "array", "items": {"type": "object", "required": ["text", "start", "end", "id", "ws"],
                                              "properties": {"ws": {"type": "boolean"}, "id": {"type": "integer"}}}},
        "spans": {"type": "array", "items": SPAN},
        "relations": {"type": "array", "items": {"type": "object", "required": ["head", "child", "label"],
                                                 "properties": {"head": {"type": "integer"}, "child": {"type": "integer"},
                                                                "label": {"type": "string"},
                                                                "head_span": SPAN, "child_span": SPAN}}},
        "meta": {"type": "object"}}}


@needs_shared
def test_label_studio_tasks_follow_its_documented_format_and_config(tmp_path):
    path = export("labelstudio", [SAMPLES], tmp_path)
    tasks = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(tasks, LABEL_STUDIO_TASKS)
    assert [t["data"]["doc"] for t in tasks] == sorted(p.stem for p in SAMPLES.glob("*.txt"))
    config = ET.fromstring((tmp_path / "tasks.labelconfig.xml").read_text(encoding="utf-8"))
    labels = {e.get("value") for e in config.iter("Label")}
    roles = {e.get("value") for e in config.iter("Relation")}
    for task in tasks:
        prediction, = task["predictions"]
        assert prediction["model_version"] == f"conflict@0.2.0+{load_pack(CONFLICT).digest[:12]}"
        ids = [r["id"] for t in tasks for r in t["predictions"][0]["result"] if r["type"] == "labels"]
        assert len(ids) == len(set(ids))
        for result in prediction["result"]:
            if result["type"] == "labels":
                value = result["value"]
                assert task["data"]["text"][value["start"]:value["end"]] == value["text"]
                assert set(value["labels"]) <= labels
            else:
                assert set(result["labels"]) <= roles
    assert {"Attack", "Actor"} <= labels and "attacker" in roles
    assert config.find("Text").get("value") == "$text" and config.find("Labels").get("toName") == "text"


@needs_shared
def test_label_studio_tasks_pass_the_official_sdk_validator(tmp_path):
    """label-studio-sdk (heavy: pandas, numpy, opencv, nltk) is not a dev dependency; with it
    installed, its LabelInterface validates the config and every prediction."""
    interface = pytest.importorskip("label_studio_sdk.label_interface")
    path = export("labelstudio", [SAMPLES], tmp_path)
    checker = interface.LabelInterface((tmp_path / "tasks.labelconfig.xml").read_text(encoding="utf-8"))
    checker.validate()
    for task in json.loads(path.read_text(encoding="utf-8")):
        assert checker.validate_prediction(task["predictions"][0], return_errors=True) == []


@needs_shared
def test_prodigy_tasks_follow_its_documented_format(tmp_path):
    path = export("prodigy", [SAMPLES], tmp_path)
    for line in path.read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        jsonschema.validate(task, PRODIGY_TASK)
        tokens, text = task["tokens"], task["text"]
        assert all(text[t["start"]:t["end"]] == t["text"] for t in tokens)
        for span in task["spans"]:   # spans fall on token boundaries
            assert tokens[span["token_start"]]["start"] == span["start"] and tokens[span["token_end"]]["end"] == span["end"]
        for relation in task["relations"]:
            assert relation["head"] == relation["head_span"]["token_end"] and relation["head_span"] in task["spans"]
        assert task["meta"]["pack"] == f"conflict@0.2.0+{load_pack(CONFLICT).digest[:12]}"


def test_label_studio_output_is_one_json_array_written_as_it_goes(tmp_path):
    path = tmp_path / "out.json"
    writer = open_writer("labelstudio", str(path), {"model_version": "p@1"})
    writer.write(Document("a", "nothing here"), [])
    assert path.read_text(encoding="utf-8").startswith('[\n{"data": {"text": "nothing here", "doc": "a"}')
    writer.close()
    assert json.loads(path.read_text(encoding="utf-8")) == [
        {"data": {"text": "nothing here", "doc": "a"}, "predictions": [{"model_version": "p@1", "result": []}]}]
    with pytest.raises(ValueError, match="appended"):
        open_writer("labelstudio", str(path), {"append": True})


# ---- files in each tool's documented format ------------------------------------------------

def test_a_label_studio_export_reads_its_annotations_not_its_predictions():
    gold = read_gold_file(DATA / "labelstudio_export.json", GoldFormat.LABELSTUDIO)
    assert gold.problems == () and gold.left_out == 1   # the task with predictions only
    record, = gold.records
    assert record["id"] == "kabul-1"
    attack, = record["events"]
    assert (attack["category"], attack["trigger"]) == ("Attack", "fired rockets at the airport")
    assert [(a["role"], a["text"]) for a in attack["arg_list"]] == [
        ("attacker", "Militants"), ("target", "the airport"), ("place", "Kabul")]


def test_a_prodigy_export_reads_only_accepted_tasks():
    gold = read_gold_file(DATA / "prodigy_relations.jsonl", GoldFormat.PRODIGY)
    assert gold.problems == () and gold.left_out == 2   # one rejected, one ignored
    record, = gold.records
    assert record["id"] == "mosul-7"
    kill, = [e for e in record["events"] if e["category"] == "Kill"]
    assert [(a["role"], a["text"]) for a in kill["arg_list"]] == [("victim", "two soldiers"), ("place", "Mosul")]
    assert [e["category"] for e in record["events"]] == ["Kill", "Person"]   # a span without relations is a mention


def test_a_text_accepted_twice_in_prodigy_counts_once_its_last_answer(tmp_path):
    first = json.loads((DATA / "prodigy_relations.jsonl").read_text(encoding="utf-8").splitlines()[0])
    second = {**first, "spans": [s for s in first["spans"] if s["label"] != "Person"], "_session_id": "b"}
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
    gold = read_gold_file(path, GoldFormat.PRODIGY)
    assert gold.left_out == 1 and [e["category"] for e in gold.records[0]["events"]] == ["Kill"]


def test_brat_standoff_reads_events_relations_and_discontinuous_spans():
    gold = read_gold_file(DATA / "brat", GoldFormat.BRAT)
    assert gold.problems == ()
    record, = gold.records
    assert record["id"] == "aden"
    attack, die, org = record["events"]   # E lines, then T lines that are neither triggers nor only arguments
    assert (attack["category"], attack["trigger"]) == ("Attack", "shelled")
    assert [(a["role"], a["text"]) for a in attack["arg_list"]] == [
        ("attacker", "Rebels"), ("target", "the port"), ("place", "Aden"), ("place", "Lahij")]
    assert (die["category"], die["arg_list"]) == ("Die", [{"role": "victim", "text": "three\nworkers", "span": [53, 66]}])
    assert (org["category"], org["trigger"], org["arg_list"]) == ("Organization", "Rebels", [
        {"role": "Based-in", "text": "Aden", "span": [97, 101]}])
    assert read_gold_file(DATA / "brat" / "aden.ann", GoldFormat.BRAT) == gold


def test_eval_tells_each_documented_format_and_scores_it(tmp_path):
    for name, fmt in (("labelstudio_export.json", "labelstudio"), ("prodigy_relations.jsonl", "prodigy"), ("brat", "brat")):
        assert detect(DATA / name) == GoldFormat(fmt)
        code, out, err = rulex("eval", CONFLICT, DATA / name)
        assert code == 0, err
        assert "1 gold records" in out and "per rule" in out
    native = tmp_path / "native.jsonl"
    native.write_text('{"id": "a", "text": "t", "events": []}\n', encoding="utf-8")
    assert detect(native) is None
    long = tmp_path / "long.jsonl"   # a long document's task: told by its whole first line
    long.write_text("\n" + json.dumps({"text": "x" * 100_000, "tokens": [], "spans": []}) + "\n", encoding="utf-8")
    assert detect(long) == GoldFormat.PRODIGY


# ---- broken input ----------------------------------------------------------------------------

def test_broken_texts_are_named_by_file_and_line_and_the_rest_is_scored(tmp_path):
    tasks = json.loads((DATA / "labelstudio_export.json").read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(tasks[0]))
    broken["annotations"][0]["result"][0]["value"]["end"] = 10_000
    path = tmp_path / "export.json"
    path.write_text("[\n" + ",\n".join(json.dumps(t) for t in [broken, *tasks]) + "\n]\n", encoding="utf-8")
    code, out, err = rulex("eval", CONFLICT, path)
    assert code == 1 and f"{path}:2: offsets" in err and "outside the text" in err
    assert "1 gold records" in out

    prodigy = tmp_path / "p.jsonl"
    prodigy.write_text('{"text": "a", "answer": "accept"}\n{"text": \n', encoding="utf-8")
    code, out, err = rulex("eval", CONFLICT, prodigy, "--gold-format", "prodigy")
    assert code == 1 and f"{prodigy}:2: not JSON" in err and "1 gold records" in out

    code, _, err = rulex("eval", CONFLICT, tmp_path / "p.jsonl", "--gold-format", "labelstudio")
    assert code == 2 and f"{prodigy}:1: not a JSON array" in err and "Traceback" not in err


def test_brat_problems_missing_text_bad_utf8_and_wrong_offsets(tmp_path):
    (tmp_path / "a.ann").write_text("T1\tActor 0 4\tIran\n", encoding="utf-8")          # no a.txt
    (tmp_path / "b.ann").write_text("T1\tActor 0 4\tIran\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"Iran\n\xff")
    (tmp_path / "c.ann").write_text("T1\tActor 0 4\tIran\nT2\tPlace 5 9\tIraq\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Iran hit Erbil", encoding="utf-8")
    (tmp_path / "d.ann").write_text("T1\tActor 0 4\tIran\nE1\tAttack:T9 attacker:T1\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text("Iran hit Erbil", encoding="utf-8")
    (tmp_path / "e.ann").write_text("T1\tActor 0 4\tIran\n", encoding="utf-8")
    (tmp_path / "e.txt").write_text("Iran", encoding="utf-8")
    gold = read_gold_file(tmp_path, GoldFormat.BRAT)
    assert [str(p) for p in gold.problems] == [
        f"{tmp_path / 'a.ann'}:1: no a.txt beside it",
        f"{tmp_path / 'b.ann'}:2: not UTF-8 (byte 5)",
        f"{tmp_path / 'c.ann'}:2: the text at 5 9 is 'hit ', not 'Iraq'",
        f"{tmp_path / 'd.ann'}:2: event E1's trigger 'T9' is no T line"]
    assert [r["id"] for r in gold.records] == ["e"]


def test_clear_messages_for_broken_lines(tmp_path):
    (tmp_path / "doc.txt").write_text("Iran hit Erbil", encoding="utf-8")
    for line, message in (("E1\t", "an event is TYPE:TRIGGER ROLE:ID..., not ''"),
                          ("R1\tRel Arg1:T1", "a relation is LABEL Arg1:ID Arg2:ID, not 'Rel Arg1:T1'"),
                          ("T1\tActor 0 ²\tIran", "a text-bound annotation is LABEL START END, not 'Actor 0 ²'")):
        (tmp_path / "doc.ann").write_text(line + "\n", encoding="utf-8")
        assert [str(p) for p in read_gold_file(tmp_path, GoldFormat.BRAT).problems] == [f"{tmp_path / 'doc.ann'}:1: {message}"]
    task = {"data": {"text": "Iran hit Erbil"}, "annotations": [{"result": [
        {"id": "a", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["Actor"]}},
        {"from_id": "a", "to_id": "a", "type": "relation", "labels": []}]}]}
    (tmp_path / "ls.json").write_text(json.dumps([task, {**task, "annotations": 3}]), encoding="utf-8")
    assert [p.message for p in read_gold_file(tmp_path / "ls.json", GoldFormat.LABELSTUDIO).problems] == [
        "the relation from 'a' to 'a' has no label (its role)", "`annotations` is a list"]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_reading_a_brat_directory_never_leaves_it(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret", encoding="utf-8")
    (outside / "x.ann").write_text("T1\tActor 0 3\ttop\n", encoding="utf-8")
    (outside / "x.txt").write_text("top", encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "s.ann").write_text("T1\tActor 0 3\ttop\n", encoding="utf-8")
    (gold / "s.txt").symlink_to(outside / "secret.txt")
    (gold / "linked").symlink_to(outside, target_is_directory=True)   # not walked into
    read = read_gold_file(gold, GoldFormat.BRAT)
    assert read.records == () and [str(p) for p in read.problems] == [f"{gold / 's.ann'}:1: s.txt leads out of {gold}; refused"]


# ---- any input: only the module's own errors ----------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.text(string.ascii_letters + " ", max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["data", "text", "annotations", "result", "type", "value", "start", "end", "labels", "id",
                         "from_id", "to_id", "direction", "answer", "spans", "relations", "label", "head", "child",
                         "head_span", "child_span", "token_start", "token_end", "meta", "ground_truth"]),
        inner, max_size=6),
    max_leaves=30)
OFFSET = st.integers(-1, 22)
IDS = st.sampled_from(["a", "b", "c"])
LS_RESULT = st.fixed_dictionaries(
    {"id": IDS, "type": st.just("labels"),
     "value": st.fixed_dictionaries({"start": OFFSET, "end": OFFSET, "labels": st.lists(st.sampled_from(["Attack", ""]))},
                                    optional={"text": st.text(max_size=3)})}) | st.fixed_dictionaries(
    {"from_id": IDS, "to_id": IDS, "type": st.just("relation"), "labels": st.lists(st.sampled_from(["attacker", ""])),
     "direction": st.sampled_from(["right", "left", "bi"])})
TASK_VALUES = st.fixed_dictionaries({
    "data": st.fixed_dictionaries({"text": st.text(max_size=20)}),
    "annotations": st.lists(st.fixed_dictionaries({"result": st.lists(LS_RESULT | JSON_VALUES, max_size=5)}), max_size=2)})
PRODIGY_SPAN = st.fixed_dictionaries({"start": OFFSET, "end": OFFSET, "label": st.sampled_from(["Attack", "Actor"])},
                                     optional={"token_start": OFFSET, "token_end": OFFSET})
PRODIGY_RELATION = st.fixed_dictionaries({"label": st.sampled_from(["attacker", ""])},
                                         optional={"head": OFFSET, "child": OFFSET, "head_span": PRODIGY_SPAN,
                                                   "child_span": PRODIGY_SPAN})
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def read_or_own_error(path: Path, fmt: GoldFormat) -> None:
    try:
        gold = read_gold_file(path, fmt)
    except GoldError as err:
        assert str(err).startswith(f"{path}:")
        return
    assert isinstance(gold, GoldFile)
    for problem in gold.problems:
        assert problem.where.startswith(str(path)) and problem.message
    for record in gold.records:
        for event in record["events"]:
            start, end = event["trigger_span"]
            assert record["text"][start:end] == event["trigger"]


@PROPERTY
@given(st.lists(TASK_VALUES | JSON_VALUES, max_size=4), st.binary(max_size=20))
def test_any_label_studio_export_reads_or_fails_clearly(tmp_path, tasks, noise):
    path = tmp_path / "ls.json"
    path.write_bytes(json.dumps(tasks).encode() + noise)
    read_or_own_error(path, GoldFormat.LABELSTUDIO)


@PROPERTY
@given(st.lists(st.fixed_dictionaries({"text": st.text(max_size=20), "answer": st.just("accept")},
                                      optional={"spans": st.lists(PRODIGY_SPAN, max_size=3) | JSON_VALUES,
                                                "relations": st.lists(PRODIGY_RELATION, max_size=3) | JSON_VALUES})
                | JSON_VALUES, max_size=4), st.binary(max_size=20))
def test_any_prodigy_export_reads_or_fails_clearly(tmp_path, tasks, noise):
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"".join(json.dumps(t).encode() + b"\n" for t in tasks) + noise)
    read_or_own_error(path, GoldFormat.PRODIGY)


BRAT_LINE = st.one_of(
    st.builds(lambda k, label, a, b, t: f"T{k}\t{label} {a} {b}\t{t}", st.integers(1, 4), st.sampled_from(["Actor", "", "A B"]),
              st.integers(-1, 12), st.integers(-1, 12), st.text(max_size=5)),
    st.builds(lambda k, t, args: f"E{k}\tAttack:T{t} " + " ".join(args), st.integers(1, 3), st.integers(1, 5),
              st.lists(st.sampled_from(["attacker:T1", "place2:T2", "x:E1", "bad", "p1_:T3"]), max_size=3)),
    st.builds(lambda k, a, b: f"R{k}\tRel Arg1:{a} Arg2:{b}", st.integers(1, 3), st.sampled_from(["T1", "E1", "Z"]),
              st.sampled_from(["T2", "T9"])),
    st.text(max_size=15))


@PROPERTY
@given(st.lists(BRAT_LINE, max_size=8), st.text(max_size=12), st.binary(max_size=6))
def test_any_brat_file_reads_or_fails_clearly(tmp_path, lines, text, noise):
    (tmp_path / "doc.ann").write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + noise)
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8", errors="surrogatepass", newline="")
    read_or_own_error(tmp_path / "doc.ann", GoldFormat.BRAT)


def test_the_model_version_names_the_packs_files_a_copy_keeps_it_and_an_edit_changes_it(tmp_path):
    """Label Studio tells predictions apart by model_version: `name@version+digest`, the digest
    of the pack's files (rulex.program.pack_digest), not of where they are."""
    import shutil
    source = ROOT / "docs" / "examples" / "annotation" / "before"
    copy = shutil.copytree(source, tmp_path / "elsewhere")
    original, copied = load_pack(source, cache=False), load_pack(copy, cache=False)
    assert original.digest == copied.digest and len(original.digest) == 64
    rule_file = next(copy.glob("*.rulex"))
    rule_file.write_text(rule_file.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    assert load_pack(copy, cache=False).digest != original.digest
    articles = ROOT / "docs" / "examples" / "annotation" / "articles"
    done = CliRunner().invoke(cli, ["run", str(copy), str(articles), "-f", "labelstudio"])
    task = json.loads(done.output.splitlines()[1].rstrip(","))
    version = load_pack(copy).version
    assert task["predictions"][0]["model_version"] == f"shelling@{version}+{load_pack(copy).digest[:12]}"
