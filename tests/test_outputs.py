"""The output formats of `rulex run` (rulex/outputs/): JSONL, CSV, brat standoff, the HTML report
and plain text.

Every check runs on real output of real runs: the conflict pack over the sample articles,
and a small pack written here for the edge cases (a line break inside a match, overlapping
and nested matches, a role filled twice, entities, text and values that are dangerous in
HTML, document ids that are not file names). The HTML report is also opened in headless
Chromium (Debian's, which `make setup` installs when it can); without it that test skips.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml

import rulex
from rulex.outputs import FORMATS, Writer, open_writer
from rulex.outputs.brat import LINE_BREAKS, safe_name
from rulex.outputs.csv import ARGUMENT_COLUMNS, EVENT_COLUMNS
from rulex.outputs.html import TYPE_FILLS

from .conftest import CONFLICT, SAMPLES, SHARED

SCHEMA_FILE = SHARED / "design" / "match.schema.json"
needs_shared = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared is not beside the project")

EDGE_RULES = """
define: payload = /<script>[^<]*<\\/script>/

event: Attack
rule: launch
  pattern: {attacker:Actor} launched {what:Phrase} (at {place:Place} (and {place:Place})?)?

event: Strike
rule: strike
  pattern: {what:Phrase} at {place:Place}

event: Inject
rule: inject
  pattern: {attacker:Actor} launched {what:payload} "&" /"[^"]*"/ at {place:Place}

event: Meet
rule: meet
  pattern: {who:Group} met {place:Place}
"""
GROUPS = """
type: Group
entries:
  - id: "Tom&Jerry<b>\\"q\\"</b>"
    aliases: [Tom and Jerry]
"""
EDGE_DOCS = [
    ("a/b:c", "Iran launched\nmissiles at Erbil and Baghdad."),           # line break inside; overlaps
    ("x", 'Iran launched <script>alert(1)</script> & "x" at Erbil.'),  # HTML in the text
    ("X", "Tom and Jerry met Baghdad.\r\nIran launched rockets\u2028 at Irbil."),  # value with HTML; CRLF; U+2028
    ("a/b:c", "Nothing happened near <b>Erbil</b> & co."),              # the same id again
    ("empty", "No match <i>here</i>."),
]


# ------------------------------------------------------------------------------------------
# runs

@dataclasses.dataclass
class Run:
    docs: list          # [(Document, [Match])]

    @property
    def matches(self):
        return [m for _, ms in self.docs for m in ms]

    def write(self, fmt: str, target, options=None) -> None:
        writer = open_writer(fmt, str(target) if target is not None else None, options)
        for doc, matches in self.docs:
            writer.write(doc, matches)
        writer.close()


@pytest.fixture(scope="module")
def conflict_run() -> Run:
    if not SAMPLES.exists():
        pytest.skip("../shared is not beside the project")
    expected = yaml.safe_load((SAMPLES / "expected.yaml").read_text())["documents"]
    pack = rulex.load(CONFLICT)
    docs = []
    for path in sorted(SAMPLES.glob("*.txt")):
        date = rulex.document.parse_date(str(expected.get(path.stem, {}).get("date") or "") or None)
        doc = rulex.Document(path.stem, path.read_text(encoding="utf-8"), date)
        docs.append((doc, list(pack.process(doc).matches)))
    assert sum(len(ms) for _, ms in docs), "the conflict pack found nothing in the samples"
    return Run(docs)


@pytest.fixture
def edge_run(make_pack, lexicons) -> Run:
    root = make_pack({"edge.rulex": EDGE_RULES, "lexicons/groups.yaml": GROUPS, **lexicons},
                     "name: edge\nlexicons: ['lexicons/*.yaml']\noutput: [Place]\noverlap: all\n")
    pack = rulex.load(root, cache=False)
    docs = []
    for doc_id, text in EDGE_DOCS:
        doc = rulex.Document(doc_id, text)
        docs.append((doc, list(pack.process(doc).matches)))
    # attributes are set by the attribute issue's cue words; give some matches attributes here
    first_doc, first_matches = docs[0]
    first_matches[0] = dataclasses.replace(first_matches[0], attrs={"negated": True, "hedged": False,
                                                                    "country": "Iraq", "note": "two words"})
    ms = [m for _, ms in docs for m in ms]
    # the edge cases this file is about really happen
    assert any("\n" in m.text for m in ms) and any("\u2028" in m.text for m in ms)
    assert any("<script>" in a.text for m in ms for a in m.arguments)
    assert any(a.has_value and "<b>" in a.value for m in ms for a in m.arguments)
    assert any(isinstance(v, list) for m in ms for v in m.args.values())
    assert any(m.kind == "entity" for m in ms)
    a_matches = docs[0][1]
    assert any(m1.start < m2.end and m2.start < m1.end and m1 is not m2 for m1 in a_matches for m2 in a_matches)
    return Run(docs)


@pytest.fixture(params=["conflict", "edge"])
def run(request) -> Run:
    return request.getfixturevalue(f"{request.param}_run")


# ------------------------------------------------------------------------------------------
# the API

def test_formats_and_open_writer(tmp_path):
    assert set(FORMATS) == {"jsonl", "csv", "brat", "html", "text", "labelstudio", "prodigy"}
    assert all(issubclass(cls, Writer) for cls in FORMATS.values())
    with pytest.raises(ValueError, match="unknown output format"):
        open_writer("xml", None)
    with pytest.raises(ValueError, match="directory"):
        open_writer("brat", None)
    with pytest.raises(ValueError, match="csv_rows"):
        open_writer("csv", str(tmp_path / "bad.csv"), {"csv_rows": "cell"})
    assert not (tmp_path / "bad.csv").exists()


def test_output_is_deterministic(edge_run, tmp_path):
    for fmt in ("jsonl", "csv", "html", "text", "labelstudio", "prodigy"):
        edge_run.write(fmt, tmp_path / f"1.{fmt}")
        edge_run.write(fmt, tmp_path / f"2.{fmt}")
        assert (tmp_path / f"1.{fmt}").read_bytes() == (tmp_path / f"2.{fmt}").read_bytes(), fmt
    edge_run.write("brat", tmp_path / "b1")
    edge_run.write("brat", tmp_path / "b2")
    assert {p.name: p.read_bytes() for p in (tmp_path / "b1").iterdir()} == \
           {p.name: p.read_bytes() for p in (tmp_path / "b2").iterdir()}


def test_writers_stream_each_document_when_it_is_written(edge_run, tmp_path):
    (doc, matches), *_ = edge_run.docs
    for fmt in ("jsonl", "csv", "html", "labelstudio", "prodigy"):
        path = tmp_path / f"s.{fmt}"
        writer = open_writer(fmt, str(path), {"pack": "edge"})
        writer.write(doc, matches)
        written = path.read_text(encoding="utf-8")  # before close: already on disk
        assert "Erbil" in written, fmt
        writer.close()
        writer.close()  # idempotent
        assert path.read_text(encoding="utf-8").startswith(written)
    writer = open_writer("brat", str(tmp_path / "brat"))
    writer.write(doc, matches)
    assert (tmp_path / "brat" / f"{safe_name(doc.id)}.ann").read_text(encoding="utf-8").startswith("T1\t")
    assert "Attack" in (tmp_path / "brat" / "annotation.conf").read_text()
    writer.close()


def test_stdout_is_the_default_target(edge_run, capsys):
    edge_run.write("jsonl", None)
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(edge_run.matches)


# ------------------------------------------------------------------------------------------
# plain text

def test_text_shows_every_match_with_its_rule_arguments_and_values(run, tmp_path):
    from rulex.outputs.text import shorten
    run.write("text", tmp_path / "out.txt")
    blocks = (tmp_path / "out.txt").read_text(encoding="utf-8").split("\n\n")
    assert blocks[-1] == "" and len(blocks) - 1 == len(run.docs)
    for block, (doc, matches) in zip(blocks, run.docs):
        lines = block.splitlines()
        assert lines[0] == f"== {doc.id}: {len(matches)} match" + ("" if len(matches) == 1 else "es")
        heads = [i for i, line in enumerate(lines) if not line.startswith(("==", "    "))]
        assert len(heads) == len(matches)
        for i, match in zip(heads, matches):
            record = match.to_dict()
            assert lines[i] == f'{record["type"]}  "{shorten(record["text"])}"  {record["start"]}-{record["end"]}'
            assert "\n" not in shorten(record["text"]) and "\u2028" not in shorten(record["text"])
            where = f"{record['provenance']['rule_file']}:{record['provenance']['rule_line']}"
            assert lines[i + 1].split() == [record["rule"], where]
            body = lines[i + 2:next((h for h in heads if h > i), len(lines))]
            args = [(role, a) for role, v in record["args"].items() for a in (v if isinstance(v, list) else [v])]
            assert len([line for line in body if not line.startswith("    attrs:")]) == len(args)
            for line, (role, arg) in zip(body, args):
                assert line.split()[0] == role and f'"{shorten(arg["text"], 60)}"' in line
                if "value" in arg:
                    shown = arg["value"] if isinstance(arg["value"], str) else json.dumps(arg["value"], ensure_ascii=False)
                    assert line.endswith(f"-> {shown}")
                else:
                    assert "->" not in line.split('"')[-1]
            flags = [k for k, v in record["attrs"].items() if v is True]
            assert (f"    attrs: {', '.join(flags)}" in body) == bool(flags)
    if run.docs[0][0].id == "a/b:c":   # the edge run, whose first match was made negated
        assert "\n    attrs: negated\n" in blocks[0]


def test_text_cuts_long_match_texts_in_the_middle():
    from rulex.outputs.text import shorten
    assert shorten("Iran  launched\nmissiles") == "Iran launched missiles"
    long = " ".join(f"w{i}" for i in range(60))
    cut = shorten(long, 40)
    assert len(cut) <= 40 and cut.startswith("w0 w1") and cut.endswith("w58 w59") and " ... " in cut


# ------------------------------------------------------------------------------------------
# JSONL

def test_jsonl_lines_are_the_contract(run, tmp_path):
    schema = json.loads(SCHEMA_FILE.read_text()) if SCHEMA_FILE.exists() else None
    run.write("jsonl", tmp_path / "out.jsonl")
    raw = (tmp_path / "out.jsonl").read_bytes().decode("utf-8")
    assert raw.endswith("\n") and "\r" not in raw.replace("\\r", "")
    records = [json.loads(line) for line in raw.split("\n")[:-1]]
    assert records == [m.to_dict() for m in run.matches]
    for record, doc in zip(records, (d for d, ms in run.docs for _ in ms)):
        if schema:
            jsonschema.validate(record, schema)
        assert doc.text[record["start"]:record["end"]] == record["text"]
        for arg in record["args"].values():
            for a in arg if isinstance(arg, list) else [arg]:
                assert doc.text[a["start"]:a["end"]] == a["text"]


# ------------------------------------------------------------------------------------------
# CSV

def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_csv_argument_rows_round_trip(run, tmp_path):
    run.write("csv", tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes().count(b"\r\n") >= 1 + len(run.matches)  # RFC 4180 line ends
    header, *rows = read_csv(tmp_path / "out.csv")
    assert tuple(header) == ARGUMENT_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    want = []
    for doc, matches in run.docs:
        for m in matches:
            want += [(doc, m, a) for a in m.arguments] or [(doc, m, None)]
    assert len(rows) == len(want)            # one row per argument, one for a match without any
    for row, (doc, m, arg) in zip(rows, want):
        assert len(row) == len(header)
        start, end = int(row[col["match_start"]]), int(row[col["match_end"]])
        assert row[col["match_text"]] == m.text == doc.text[start:end]   # newlines, quotes, <, & survive
        assert (row[col["doc"]], row[col["rule"]], row[col["type"]]) == (doc.id, m.rule, m.type)
        assert (row[col["rule_file"]], int(row[col["rule_line"]])) == (m.provenance.rule_file, m.provenance.rule_line)
        assert json.loads(row[col["attrs"]]) == m.attrs
        if arg is None:
            assert [row[col[c]] for c in ("role", "arg_text", "arg_start", "arg_end", "arg_type")] == [""] * 5
            value, has = m.value, m.has_value
        else:
            a_start, a_end = int(row[col["arg_start"]]), int(row[col["arg_end"]])
            assert row[col["arg_text"]] == arg.text == doc.text[a_start:a_end]
            assert (row[col["role"]], row[col["arg_type"]]) == (arg.role, arg.type)
            value, has = arg.value, arg.has_value
        cell = row[col["value"]]
        if not has:
            assert cell == ""
        elif isinstance(value, str):
            assert cell == value
        else:
            assert json.loads(cell) == value


def test_csv_event_rows_round_trip(run, tmp_path):
    run.write("csv", tmp_path / "out.csv", {"csv_rows": "event"})
    header, *rows = read_csv(tmp_path / "out.csv")
    assert tuple(header) == EVENT_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    assert len(rows) == len(run.matches)     # one row per match
    for row, m in zip(rows, run.matches):
        d = m.to_dict()
        assert (row[col["doc"]], row[col["rule"]], row[col["type"]], row[col["text"]]) == (m.doc, m.rule, m.type, m.text)
        assert (int(row[col["start"]]), int(row[col["end"]])) == (m.start, m.end)
        assert json.loads(row[col["args"]]) == d["args"]
        assert json.loads(row[col["attrs"]]) == m.attrs
        assert row[col["value"]] == ("" if not m.has_value else m.value if isinstance(m.value, str) else json.dumps(m.value))


def test_csv_quotes_and_newlines_in_text_round_trip(edge_run):
    buffer = io.StringIO(newline="")
    writer = open_writer("csv", buffer, {"csv_rows": "event"})   # an open text stream works as a target too
    for doc, matches in edge_run.docs:
        writer.write(doc, matches)
    writer.close()
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    texts = [r[5] for r in rows]
    assert 'Iran launched <script>alert(1)</script> & "x" at Erbil' in texts
    assert "Iran launched\nmissiles at Erbil and Baghdad" in texts
    assert "Iran launched rockets\u2028 at Irbil" in texts


# ------------------------------------------------------------------------------------------
# brat

def parse_ann(text: str) -> dict:
    """A small brat .ann reader: {"T": {id: (type, [(s, e)], text)}, "E": {id: (type, trigger, [(role, id)])},
    "A": {id: (name, target, value)}, "#": {id: (kind, target, note)}}."""
    out: dict = {"T": {}, "E": {}, "A": {}, "#": {}}
    assert text == "" or text.endswith("\n")
    for line in text[:-1].split("\n") if text else []:
        assert not any(c in line for c in LINE_BREAKS), repr(line)
        ann_id, rest = line.split("\t", 1)
        kind = ann_id[0]
        assert re.fullmatch(r"[TEA#][0-9]+", ann_id) and ann_id not in out[kind], line
        if kind == "T":
            head, span_text = rest.split("\t", 1)
            type_, spans = head.split(" ", 1)
            frags = [tuple(int(x) for x in part.split(" ")) for part in spans.split(";")]
            out["T"][ann_id] = (type_, frags, span_text)
        elif kind == "E":
            assert "\t" not in rest
            head, *args = rest.split(" ")
            type_, trigger = head.split(":")
            out["E"][ann_id] = (type_, trigger, [tuple(a.split(":")) for a in args])
        elif kind == "A":
            name, target, *value = rest.split(" ")
            out["A"][ann_id] = (name, target, value[0] if value else True)
        else:
            head, note = rest.split("\t", 1)
            note_kind, target = head.split(" ")
            out["#"][ann_id] = (note_kind, target, note)
    return out


def parse_conf(text: str) -> dict:
    """A small brat annotation.conf reader: {"entities": {type}, "events": {type: {role: (types, mult)}},
    "attributes": {name: {key: [values]}}, "relations": [lines]}."""
    out: dict = {"entities": set(), "events": {}, "attributes": {}, "relations": []}
    section = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if m := re.fullmatch(r"\[(\w+)\]", line.strip()):
            section = m.group(1)
            assert section in out, section
            continue
        name, _, args = line.partition("\t")
        assert re.fullmatch(r"[A-Za-z0-9_-]+|<OVERLAP>", name), name
        if section == "entities":
            out["entities"].add(name)
        elif section == "relations":
            out["relations"].append(line)
        elif section == "events":
            roles = {}
            for arg in filter(None, (a.strip() for a in args.split(","))):
                role, types = arg.split(":")
                mult = role[-1] if role[-1] in "?*+" else ""
                roles[role.rstrip("?*+")] = (set(types.split("|")), mult)
            out["events"][name] = roles
        else:
            out["attributes"][name] = {k: v.split("|") for k, v in (a.strip().split(":") for a in args.split(","))}
    return out


def brat_files(directory: Path, docs) -> list[tuple]:
    """(document, matches, .txt text, parsed .ann) per document, following the writer's naming."""
    names, out = set(), []
    for doc, matches in docs:
        stem = name = safe_name(doc.id)
        n = 1
        while name.casefold() in names:
            n += 1
            name = f"{stem}-{n}"
        names.add(name.casefold())
        txt = (directory / f"{name}.txt").read_bytes().decode("utf-8")
        out.append((doc, matches, txt, parse_ann((directory / f"{name}.ann").read_bytes().decode("utf-8"))))
    assert len(list(directory.glob("*.txt"))) == len(docs) == len(list(directory.glob("*.ann")))
    return out


def role_base(role: str) -> str:
    return re.sub(r"(?<=.)[0-9]+$", "", role)


def test_brat_standoff_is_consistent_with_its_text_and_config(run, tmp_path):
    run.write("brat", tmp_path / "brat")
    conf = parse_conf((tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8"))
    visual = (tmp_path / "brat" / "visual.conf").read_text(encoding="utf-8")
    assert "[labels]" in visual and "[drawing]" in visual
    for doc, matches, txt, ann in brat_files(tmp_path / "brat", run.docs):
        assert txt == doc.text                                   # the text exactly, line ends included
        for tid, (type_, frags, span_text) in ann["T"].items():
            # every T's offsets slice the .txt to the text written (fragments joined by one space)
            assert span_text == " ".join(txt[s:e] for s, e in frags), tid
            assert all(s <= e for s, e in frags) and all(a[1] < b[0] for a, b in zip(frags, frags[1:]))
            assert type_ in conf["entities"] or type_ in conf["events"], type_
            assert type_ in visual
        triggers = set()
        for eid, (type_, trigger, args) in ann["E"].items():
            assert trigger in ann["T"] and ann["T"][trigger][0] == type_
            triggers.add(trigger)
            declared = conf["events"][type_]
            counts = Counter(role_base(role) for role, _ in args)
            for role, tid in args:
                assert tid in ann["T"], (eid, tid)
                types, mult = declared[role_base(role)]
                assert ann["T"][tid][0] in types, (eid, role)
                assert counts[role_base(role)] == 1 or mult in "*+"
        for name, target, value in ann["A"].values():
            assert target in ann["E"] or (target in ann["T"] and target not in triggers)
            assert name in conf["attributes"]
            if value is not True:
                assert value in conf["attributes"][name]["Value"]
        for kind, target, _note in ann["#"].values():
            assert kind == "AnnotatorNotes"
            assert target in ann["E"] or (target in ann["T"] and target not in triggers)  # brat refuses notes on triggers
        # each match is there: its span (less line breaks), its type, its arguments by role
        t_lines = list(ann["T"].values())
        events = list(ann["E"].values())
        for m in matches:
            bare = "".join(c for c in m.text if c not in LINE_BREAKS)
            assert any(t == m.type and frags[0][0] == m.start and frags[-1][1] == m.end
                       and "".join(txt[s:e] for s, e in frags) == bare for t, frags, _ in t_lines), m.text
            if m.kind == "event":
                assert any(t == m.type and ann["T"][trig][1][0][0] == m.start and ann["T"][trig][1][-1][1] == m.end
                           and sorted(role_base(r) for r, _ in args) == sorted(a.role for a in m.arguments)
                           for t, trig, args in events), m.text
        assert len(ann["E"]) == sum(m.kind == "event" for m in matches)
        assert len(ann["T"]) == sum(1 + len(m.arguments) for m in matches)


def test_brat_edge_cases(edge_run, tmp_path):
    edge_run.write("brat", tmp_path / "brat")
    files = sorted(p.name for p in (tmp_path / "brat").iterdir())
    # ids with / and : become safe, unique names; a repeated id and a case-only difference get their own
    assert "x.txt" in files and "annotation.conf" in files and "visual.conf" in files
    stem = safe_name("a/b:c")
    assert re.fullmatch(r"a_b_c-[0-9a-f]{10}", stem)
    assert {f"{stem}.txt", f"{stem}-2.txt", "X-2.txt"} <= set(files)
    assert safe_name("a:b") != safe_name("a/b") and safe_name("000_e87") == "000_e87"
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", f) for f in files)
    ann = (tmp_path / "brat" / f"{stem}.ann").read_text(encoding="utf-8")
    # a span over a line break is two fragments; a role filled twice is place, place2
    assert "\tAttack 0 13;14 43\tIran launched missiles at Erbil and Baghdad\n" in ann
    assert re.search(r"^E1\tAttack:T1 attacker:T\d+ what:T\d+ place:T\d+ place2:T\d+$", ann, re.M)
    # attributes: true booleans, and simple values; false and other values left out
    assert re.search(r"^A1\tnegated E1$", ann, re.M) and re.search(r"^A2\tcountry E1 Iraq$", ann, re.M)
    assert not re.search(r"^A\d+\t(hedged|note) ", ann, re.M)
    assert re.search(r"^#\d+\tAnnotatorNotes E1\t.*rule=edge\.launch \(.*edge\.rulex:\d+\)", ann, re.M)
    assert re.search(r"^#\d+\tAnnotatorNotes T\d+\tvalue=Erbil; role=place; found by lexicon places entry Erbil",
                     ann, re.M)
    x2 = (tmp_path / "brat" / "X-2.ann").read_text(encoding="utf-8")
    assert 'value=Tom&Jerry<b>"q"</b>' in x2
    assert "\tAttack 28 49;50 59\tIran launched rockets  at Irbil" in x2     # U+2028 is a line break for brat
    conf = parse_conf((tmp_path / "brat" / "annotation.conf").read_text())
    assert conf["events"]["Attack"]["place"] == ({"Place"}, "*")
    assert conf["attributes"] == {"negated": {"Arg": ["<EVENT>"]}, "country": {"Arg": ["<EVENT>"], "Value": ["Iraq"]}}
    assert "Place" in conf["entities"] and "payload" in conf["entities"]


# ------------------------------------------------------------------------------------------
# HTML

VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class Report(HTMLParser):
    """Parses the report strictly (every element closed in order) and collects each document's
    text and its highlighted segments."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.sections: list[dict] = []
        self.errors: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append({"n": attrs["data-n"], "id": None, "text": "", "marks": [], "items": [],
                                  "empty": "rx-empty" in attrs["class"]})
        if tag == "mark":
            assert self.in_class("rx-text"), "a mark outside a document text"
            self.sections[-1]["marks"].append({**attrs, "text": "", "labels": []})
        if tag == "span" and "rx-chip" in attrs.get("class", "").split() and self.stack[-1][0] == "mark":
            self.sections[-1]["marks"][-1]["labels"].append(attrs["data-name"])
        if tag == "li" and "rx-item" in attrs.get("class", ""):
            self.sections[-1]["items"].append(attrs["id"])
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.errors.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def in_class(self, name: str) -> bool:
        return any(name in a.get("class", "").split() for _, a in self.stack)

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "script":
            self.scripts.append(data)
        if self.in_class("rx-text"):
            self.sections[-1]["text"] += data
            if self.stack[-1][0] == "mark":
                self.sections[-1]["marks"][-1]["text"] += data
        if self.stack and self.stack[-1][1].get("class") == "rx-docid":
            self.sections[-1]["id"] = data


def parse_report(path: Path) -> Report:
    report = Report()
    with path.open(encoding="utf-8", newline="") as fh:   # keep "\r\n" as written
        report.feed(fh.read())
    report.close()
    assert not report.errors, report.errors[:5]
    assert not report.stack, report.stack
    return report


def test_html_report_highlights_every_match(run, tmp_path):
    run.write("html", tmp_path / "report.html", {"pack": "conflict"})
    raw = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert raw.startswith("<!DOCTYPE html>") and raw.endswith("</html>\n")
    assert "<title>rulex report: conflict</title>" in raw
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(|https?://", raw)   # self-contained
    report = parse_report(tmp_path / "report.html")
    assert len(report.scripts) == 1 and "alert" not in report.scripts[0]
    assert [s["id"] for s in report.sections] == [doc.id for doc, _ in run.docs]
    legend = raw[raw.index('id="rx-legend"'):]
    for section, (doc, matches) in zip(report.sections, run.docs):
        assert section["empty"] == (not matches)
        if not matches:
            continue
        assert section["text"] == doc.text                        # escaped and given back exactly
        assert section["items"] == [f"rx-d{section['n']}-m{i}" for i in range(len(matches))]
        pos = 0
        for mark in section["marks"]:                             # segments do not overlap, in order
            start = doc.text.index(mark["text"], pos)
            pos = start + len(mark["text"])
            assert mark["class"].startswith("rx-seg") and "--" in mark["style"] and mark["title"]
        for i, m in enumerate(matches):
            segments = [mk for mk in section["marks"] if str(i) in mk["data-m"].split()]
            assert "".join(mk["text"] for mk in segments) == m.text          # every match highlighted
            assert m.type in segments[0]["labels"] and m.rule in segments[0]["title"]
            assert f"{m.provenance.rule_file}:{m.provenance.rule_line}" in segments[0]["title"]
            assert f">{m.type} <small>" in legend
            for j, a in enumerate(m.arguments):
                segs = [mk for mk in section["marks"] if f"{i}.{j}" in mk.get("data-a", "").split()]
                assert "".join(mk["text"] for mk in segs) == a.text
                assert a.role in segs[0]["labels"] and "rx-arg" in segs[0]["class"]


def test_html_escapes_everything(edge_run, tmp_path):
    edge_run.write("html", tmp_path / "report.html", {"pack": "<img src=x onerror=alert(1)>"})
    raw = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<img" not in raw and "<b>Erbil" not in raw and "<i>here" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; at" in raw
    assert "Tom&amp;Jerry&lt;b&gt;&quot;q&quot;&lt;/b&gt;" in raw        # a lexicon value
    assert "pack <b>&lt;img src=x onerror=alert(1)&gt;</b>" in raw
    assert raw.count("<script>") == 1
    report = parse_report(tmp_path / "report.html")
    assert report.sections[1]["text"] == EDGE_DOCS[1][1]
    # nested and overlapping matches: Attack 0-43 holds Strike 0-31 holds the entity Erbil 26-31
    marks = report.sections[0]["marks"]
    assert [mk["text"] for mk in marks] == ["Iran", " launched\n", "missiles", " at ", "Erbil", " and ", "Baghdad"]
    assert [mk["data-m"] for mk in marks] == ["0 1", "0 1", "0 1", "0 1", "0 1 2", "0", "0 3"]
    assert all("rx-multi" in mk["class"] for mk in marks if " " in mk["data-m"])
    assert report.sections[-1]["empty"]


def test_html_documents_without_matches_can_be_left_out(edge_run, tmp_path):
    edge_run.write("html", tmp_path / "report.html", {"skip_empty": True})
    report = parse_report(tmp_path / "report.html")
    assert [s["id"] for s in report.sections] == [d.id for d, ms in edge_run.docs if ms]


def test_html_of_no_documents_is_a_whole_page(tmp_path):
    open_writer("html", str(tmp_path / "r.html")).close()
    parse_report(tmp_path / "r.html")
    assert "0 documents, 0 matches" in (tmp_path / "r.html").read_text()


# ------------------------------------------------------------------------------------------
# the report in a real browser

CHROMIUM = shutil.which("chromium")


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--user-data-dir={cwd / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """A minimal PNG reader (8-bit RGB or RGBA, not interlaced): width, height, rows of RGB(A)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            idat += body
    bpp = 3 if colour_type == 2 else 4
    raw, stride, rows, prev, i = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`make setup` installs Debian's chromium "
                                             "when apt-get is usable): the HTML report was not opened in a browser")
def test_html_report_renders_in_headless_chromium(edge_run, tmp_path):
    report = tmp_path / "report.html"
    edge_run.write("html", report, {"pack": "edge"})
    page = report.read_text(encoding="utf-8")
    marks = page.count("<mark class=\"rx-seg rx-m")

    # after its script ran: counts in the header, the legend copied there, every highlight in the
    # DOM; and a click on a highlight (injected here) opens the panel with that match's provenance
    clicked = tmp_path / "clicked.html"
    clicked.write_text(page.replace("</body>", "<script>document.querySelector('mark.rx-m').click();</script>"
                                               "</body>"), encoding="utf-8")
    result = chromium("--dump-dom", clicked.as_uri(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert f'data-rx-ready="{marks}"' in dom and marks >= 10
    assert re.search(rf'<p id="rx-summary">{len(edge_run.docs)} documents, {len(edge_run.matches)} matches \(', dom)
    slot = dom[dom.index('id="rx-legend-slot"'):dom.index("</header>")]
    assert "rx-swatch" in slot and "Attack" in slot
    assert "<script>alert" not in dom and "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    panel = dom[dom.index('<aside id="rx-panel"'):dom.index("</aside>")]
    assert "hidden" not in panel.split(">")[0]
    assert "rx-item" in panel and "edge.launch" in panel and "edge.rulex" in panel
    assert "rx-selected" in dom

    # the screenshot shows the highlight colours (legend and match lists hidden, so only highlights count)
    shot_page = tmp_path / "shot.html"
    shot_page.write_text(page.replace("</head>", "<style>.rx-legend,.rx-list{display:none}</style></head>"),
                         encoding="utf-8")
    png = tmp_path / "shot.png"
    result = chromium(f"--screenshot={png}", "--window-size=1000,900", shot_page.as_uri(), cwd=tmp_path)
    assert png.exists(), result.stderr[-2000:]
    width, bpp, rows = read_png(png)
    pixels = Counter(row[x:x + 3] for row in rows for x in range(0, width * bpp, bpp))
    # match types take the fills in order of first appearance
    order = list(dict.fromkeys(m.type for m in edge_run.matches))
    for name in ("Attack", "Place", "Strike"):
        fill = TYPE_FILLS[order.index(name)]
        rgb = bytes.fromhex(fill[1:])
        assert pixels[rgb] > 300, f"{name} highlight ({fill}) not rendered: {pixels[rgb]} pixels"
