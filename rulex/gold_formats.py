"""Gold from annotation tools: Label Studio and Prodigy exports and brat standoff, read as the
events-format records `rulex eval` scores (`rulex.evaluate`).

    gold = read_gold_file("export.json", GoldFormat.LABELSTUDIO)
    for problem in gold.problems:       # broken input, named by file:line; those texts are left out
        print(problem)
    result = evaluate(pack, list(gold.records), pack_mapping(pack, gold.records))

Each tool gives a text with labelled spans and labelled relations between them; the records
say the same thing in the events format: a span is a gold *mention* (an event or entity of the
category its label names; its span is the trigger) unless it is only the end of relations (then
it is an argument); each relation from a mention makes an argument of its role (the relation's
label) with the child's span. That is how `rulex run -f labelstudio|prodigy|brat` writes
matches, so a pack's own output reads back as gold it scores 1.0 against.

- **Label Studio**: the JSON export (a JSON array of tasks). A task's gold is its annotation
  marked `ground_truth`, else its last annotation not `was_cancelled`; tasks without one are
  left out (counted in `GoldFile.left_out`): predictions are never gold. `labels` results are
  spans (their first label), `relation` results relations (`direction: left` runs from `to_id`
  to `from_id`). The text is `data.text` (else the task's only string in `data`), the id
  `data.doc`, else `data.id`, else the task's `id`.
- **Prodigy**: JSONL (`prodigy db-out`); only `"answer": "accept"` tasks are gold, the others
  are left out, and of accepted tasks of the same `_input_hash` (one text annotated twice) all
  but the last. `spans` are spans; `relations` join the spans of their `head_span` and
  `child_span` (a relation without them: the spans holding its `head` and `child` tokens).
  The id is `meta.doc`, else `meta.id`, else `id`, else file:line.
- **brat**: a directory (every `.ann` below it with the `.txt` of the same name beside it) or
  one `.ann` file. `T` lines are spans (discontinuous ones from their first start to their
  last end), `E` lines events (the span of their trigger is a mention even when it is also an
  argument; `place2` is role `place`, `p1_` role `p1`, as `rulex run -f brat` writes them), `R`
  lines relations from `Arg1` to `Arg2`; other lines are ignored. The id is the file's name.

Broken input (invalid JSON or UTF-8, offsets outside the text or whose text is not the text
at those offsets, unknown region ids, a missing .txt) is a `GoldProblem` naming file:line; the
text it is in is left out and the rest is read. Reading a directory never leaves it: files
(or links) that resolve outside it are refused.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from .pack import Pack


class GoldFormat(str, Enum):
    LABELSTUDIO = "labelstudio"
    PRODIGY = "prodigy"
    BRAT = "brat"


@dataclass(frozen=True)
class GoldProblem:
    """Broken input: where (file:line) and what."""
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class GoldError(ValueError):
    """Input that cannot be read at all; its message names file:line."""


@dataclass(frozen=True)
class Span:
    """A labelled span; `key` is its id in the file; `event` marks a brat event's trigger."""
    key: str
    start: int
    end: int
    label: str
    event: bool = False


@dataclass(frozen=True)
class Relation:
    head: str
    child: str
    label: str


@dataclass(frozen=True)
class AnnotatedText:
    """One text as a tool annotated it; `where` is its file:line."""
    id: str
    text: str
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    where: str


@dataclass(frozen=True)
class GoldFile:
    """What a gold file gave: records of the events format, the problems, the texts left out
    on purpose (unannotated, rejected)."""
    records: tuple[dict, ...]
    problems: tuple[GoldProblem, ...] = ()
    left_out: int = 0


@dataclass
class _Reading:
    """Collects the texts and problems of one read."""
    texts: list[AnnotatedText] = field(default_factory=list)
    problems: list[GoldProblem] = field(default_factory=list)
    left_out: int = 0

    def result(self) -> GoldFile:
        return GoldFile(tuple(to_record(t) for t in self.texts), tuple(self.problems), self.left_out)


class _Broken(Exception):
    """A broken text: its message, and its line when the reader does not know it."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


# ---- the records -------------------------------------------------------------------------

def to_record(annotated: AnnotatedText) -> dict:
    """The events-format record of an annotated text (see the module docstring)."""
    heads = {r.head for r in annotated.relations}
    children = {r.child for r in annotated.relations}
    by_key = {s.key: s for s in annotated.spans}
    text = annotated.text
    events = []
    for span in annotated.spans:
        if not (span.event or span.key in heads or span.key not in children):
            continue
        args = [(r.label, by_key[r.child]) for r in annotated.relations if r.head == span.key]
        events.append({"category": span.label, "trigger": text[span.start:span.end],
                       "trigger_span": [span.start, span.end],
                       "arg_list": [{"role": role, "text": text[a.start:a.end], "span": [a.start, a.end]}
                                    for role, a in args]})
    return {"id": annotated.id, "text": text, "events": events}


def pack_mapping(pack: Pack, records: Sequence[dict]) -> dict:
    """The `--mapping` of gold labelled with the pack's own types and roles: every type the pack
    outputs is its own category, every role its own role; one score, `all`, over them and every
    category of the gold."""
    types = sorted({rule.type for rule in pack.rules if rule.standalone})
    roles = {g.role for rule in pack.rules for g in (*rule.groups, *(g for s in rule.searches for g in s.groups))
             if g.kind == "arg" and g.role}
    categories = set(types)
    for record in records:
        for event in record["events"]:
            categories.add(event["category"])
            roles.update(arg["role"] for arg in event["arg_list"])
    identity = {role: role for role in sorted(roles)}
    return {"types": {t: t for t in types}, "roles": {c: identity for c in sorted(categories)},
            "scores": {"all": sorted(categories)}, "values": {}}


# ---- telling the format ------------------------------------------------------------------

def detect(path: str | os.PathLike) -> GoldFormat | None:
    """The tool format of `path`, or None for rulex's own JSONL formats: a directory or a .ann
    file is brat, a JSON array Label Studio, JSONL whose first record has `spans` or an
    `answer` and no `events` Prodigy."""
    path = Path(path)
    if path.is_dir() or path.suffix == ".ann":
        return GoldFormat.BRAT
    with open(path, "rb") as fh:
        first = fh.readline()
        while first and not first.strip():
            first = fh.readline()
    head = first.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if head.startswith("["):
        return GoldFormat.LABELSTUDIO
    try:
        record = json.loads(head)
    except ValueError:
        return None
    if isinstance(record, dict) and ("spans" in record or "answer" in record) and "events" not in record:
        return GoldFormat.PRODIGY
    return None


def read_gold_file(path: str | os.PathLike, fmt: GoldFormat) -> GoldFile:
    """The gold of an annotation tool's file (or brat directory). GoldError when nothing can
    be read (not JSON at all, not a directory of .ann files...)."""
    reader = {GoldFormat.LABELSTUDIO: read_labelstudio, GoldFormat.PRODIGY: read_prodigy,
              GoldFormat.BRAT: read_brat}[GoldFormat(fmt)]
    return reader(Path(path))


# ---- shared checks -----------------------------------------------------------------------

def _read_text(path: Path) -> str:
    """A UTF-8 file's text; _Broken naming the line of the first bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _Broken(f"not UTF-8 (byte {err.start})", data.count(b"\n", 0, err.start) + 1) from None


def _whole_file(path: Path) -> str:
    """The text of a gold file that is read whole (one JSON array, JSONL); GoldError if not UTF-8."""
    try:
        return _read_text(path)
    except _Broken as err:
        raise GoldError(f"{path}:{err.line}: {err}") from None


def _offsets(text: str, start: Any, end: Any, said: Any = None) -> tuple[int, int]:
    """Checked offsets of a span; `said` is the span's text as the file gives it (if it does)."""
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        raise _Broken(f"offsets {start!r}, {end!r} are not whole numbers")
    if not 0 <= start <= end <= len(text):
        raise _Broken(f"offsets {start}-{end} are outside the text ({len(text)} characters)")
    if isinstance(said, str) and said != text[start:end]:
        raise _Broken(f"the text at {start}-{end} is {text[start:end]!r}, not {said!r}")
    return start, end


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Broken(f"{what} is {value!r}, not a label")
    return value


def _known(relations: list[Relation], spans: list[Span]) -> tuple[Relation, ...]:
    keys = {s.key for s in spans}
    for r in relations:
        for key in (r.head, r.child):
            if key not in keys:
                raise _Broken(f"relation {r.label!r} refers to {key!r}, which is no span of the text")
    return tuple(relations)


# ---- Label Studio --------------------------------------------------------------------------

def read_labelstudio(path: Path) -> GoldFile:
    """A Label Studio JSON export (see the module docstring)."""
    reading, source = _Reading(), _whole_file(path)
    for line, task in _array_items(source, path):
        where = f"{path}:{line}"
        try:
            annotated = _labelstudio_task(task, where)
        except _Broken as err:
            reading.problems.append(GoldProblem(where, str(err)))
            continue
        if annotated is None:
            reading.left_out += 1
        else:
            reading.texts.append(annotated)
    return reading.result()


def _array_items(source: str, path: Path) -> Iterator[tuple[int, Any]]:
    """The items of a JSON array, each with the line it starts on; GoldError when it is not one."""
    decoder = json.JSONDecoder()

    def fail(pos: int, message: str) -> GoldError:
        return GoldError(f"{path}:{source.count(chr(10), 0, pos) + 1}: {message}")

    pos = len(source) - len(source.lstrip("\ufeff \t\r\n"))
    if not source.startswith("[", pos):
        raise fail(pos, "not a JSON array of tasks (Label Studio's JSON export)")
    pos += 1
    while True:
        pos += len(source[pos:]) - len(source[pos:].lstrip(" \t\r\n"))
        if source.startswith("]", pos):
            return
        try:
            item, end = decoder.raw_decode(source, pos)
        except json.JSONDecodeError as err:
            raise fail(err.pos, f"not JSON: {err.msg}") from None
        yield source.count("\n", 0, pos) + 1, item
        pos = end + len(source[end:]) - len(source[end:].lstrip(" \t\r\n"))
        if source.startswith(",", pos):
            pos += 1
        elif not source.startswith("]", pos):
            raise fail(pos, "expected , or ] after a task")


def _labelstudio_task(task: Any, where: str) -> AnnotatedText | None:
    """One task's gold, or None when it has no annotation."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise _Broken("a task is an object with `data`")
    data = task["data"]
    strings = [v for v in data.values() if isinstance(v, str)]
    text = data.get("text", strings[0] if len(strings) == 1 else None)
    if not isinstance(text, str):
        raise _Broken("the task has no `data.text`")
    given = task.get("annotations") or []
    if not isinstance(given, list):
        raise _Broken("`annotations` is a list")
    annotations = [a for a in given if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        return None
    chosen = next((a for a in annotations if a.get("ground_truth")), annotations[-1])
    results = chosen.get("result") or []
    if not isinstance(results, list):
        raise _Broken("an annotation's `result` is a list")
    spans: list[Span] = []
    relations: list[Relation] = []
    for result in results:
        if not isinstance(result, dict):
            raise _Broken("a result is an object")
        if result.get("type") == "labels":
            value = result.get("value")
            if not isinstance(value, dict) or not isinstance(value.get("labels"), list) or not value["labels"]:
                raise _Broken(f"region {result.get('id')!r} has no `value.labels`")
            start, end = _offsets(text, value.get("start"), value.get("end"), value.get("text"))
            spans.append(Span(str(result.get("id")), start, end, _string(value["labels"][0], "a region's label")))
        elif result.get("type") == "relation":
            head, child = str(result.get("from_id")), str(result.get("to_id"))
            if result.get("direction") == "left":
                head, child = child, head
            labels = result.get("labels")
            if not isinstance(labels, list) or not labels:
                raise _Broken(f"the relation from {head!r} to {child!r} has no label (its role)")
            relations.append(Relation(head, child, _string(labels[0], "a relation's label")))
    doc = data.get("doc", data.get("id", task.get("id", where)))
    return AnnotatedText(str(doc), text, tuple(spans), _known(relations, spans), where)


# ---- Prodigy -------------------------------------------------------------------------------

def read_prodigy(path: Path) -> GoldFile:
    """A Prodigy JSONL export (see the module docstring)."""
    reading, source = _Reading(), _whole_file(path)
    by_input: dict[Any, int] = {}   # an `_input_hash` -> the index of its text in reading.texts
    for number, line in enumerate(source.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            try:
                task = json.loads(line)
            except ValueError as err:
                raise _Broken(f"not JSON: {err}") from None
            if not isinstance(task, dict):
                raise _Broken("a task is a JSON object")
            if task.get("answer") != "accept":
                reading.left_out += 1
                continue
            annotated = _prodigy_task(task, where)
        except _Broken as err:
            reading.problems.append(GoldProblem(where, str(err)))
            continue
        seen = task.get("_input_hash")
        if isinstance(seen, int) and seen in by_input:   # the same text accepted again: the last answer counts
            reading.texts[by_input[seen]] = annotated
            reading.left_out += 1
        else:
            by_input[seen] = len(reading.texts)
            reading.texts.append(annotated)
    return reading.result()


def _prodigy_task(task: dict, where: str) -> AnnotatedText:
    text = task.get("text")
    if not isinstance(text, str):
        raise _Broken("the task has no `text`")
    spans: list[Span] = []
    tokens: dict[str, range] = {}   # a span's key -> its tokens, when the task gives them
    for item in _list(task, "spans"):
        start, end = _offsets(text, item.get("start"), item.get("end"), item.get("text"))
        span = Span(f"{start}-{end}-{item.get('label')}", start, end, _string(item.get("label"), "a span's label"))
        spans.append(span)
        first, last = item.get("token_start"), item.get("token_end")
        if isinstance(first, int) and isinstance(last, int):
            tokens[span.key] = range(first, last + 1)
    relations = []
    for item in _list(task, "relations"):
        head, child = (_relation_end(text, item, end, spans, tokens) for end in ("head", "child"))
        relations.append(Relation(head.key, child.key, _string(item.get("label"), "a relation's label")))
    meta = task["meta"] if isinstance(task.get("meta"), dict) else {}
    doc = meta.get("doc", meta.get("id", task.get("id", where)))
    return AnnotatedText(str(doc), text, tuple(spans), _known(relations, spans), where)


def _list(task: dict, key: str) -> list[dict]:
    items = task.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _Broken(f"`{key}` is a list of objects")
    return items


def _relation_end(text: str, relation: dict, end: str, spans: list[Span], tokens: dict[str, range]) -> Span:
    """The span at one end of a Prodigy relation: its `head_span` / `child_span` (added when it
    is no span of the task), else the span holding its `head` / `child` token."""
    given = relation.get(f"{end}_span")
    if isinstance(given, dict):
        start, stop = _offsets(text, given.get("start"), given.get("end"))
        label = given.get("label")
        found = next((s for s in spans if (s.start, s.end) == (start, stop) and label in (None, s.label)), None)
        if found is None:
            found = Span(f"{start}-{stop}-{label}", start, stop, _string(label, f"the label of a relation's {end}_span"))
            spans.append(found)
        return found
    token = relation.get(end)
    found = next((s for s in spans if s.key in tokens and token in tokens[s.key]), None)
    if found is None:
        raise _Broken(f"a relation's {end} ({token!r}) is in no span of the task")
    return found


# ---- brat ----------------------------------------------------------------------------------

def read_brat(path: Path) -> GoldFile:
    """brat standoff: a directory of .ann files with their .txt, or one .ann (see the module docstring)."""
    if path.is_dir():
        root = path.resolve()
        anns = sorted(Path(folder, name) for folder, _, names in os.walk(path) for name in names if name.endswith(".ann"))
    elif path.suffix == ".ann":
        root, anns = path.parent.resolve(), [path]
    else:
        raise GoldError(f"{path}: brat gold is a directory or a .ann file")
    reading = _Reading()
    for ann in anns:
        try:
            text = _brat_files(ann, root, path)
            reading.texts.append(_brat_text(ann, text))
        except _Broken as err:
            reading.problems.append(GoldProblem(f"{ann}:{err.line or 1}", str(err)))
    return reading.result()


def _brat_files(ann: Path, root: Path, named: Path) -> str:
    """The text of the .txt beside `ann`, both checked to be files inside `root`."""
    txt = ann.with_suffix(".txt")
    for file in (ann, txt):
        if not file.is_file():
            raise _Broken(f"no {file.name} beside it" if file is txt else "not a file")
        if not file.resolve().is_relative_to(root):
            raise _Broken(f"{file.name} leads out of {named}; refused")
    return _read_text(txt)


def _brat_text(ann: Path, text: str) -> AnnotatedText:
    """One .ann file's spans (T), events (E) and relations (R)."""
    try:
        lines = _read_text(ann).splitlines()
    except _Broken as err:
        raise _Broken(f"{ann.name}: {err}", err.line) from None
    spans: dict[str, Span] = {}
    events: dict[str, tuple[int, str, list[tuple[str, str]]]] = {}   # E id -> (line, "Type:T1", [(role, id)])
    relations: list[tuple[int, Relation]] = []
    for number, line in enumerate(lines, 1):
        key, _, rest = line.partition("\t")
        try:
            if key.startswith("T"):
                spans[key] = _brat_span(key, rest, text)
            elif key.startswith("E"):
                words = rest.split()
                if not words or not all(":" in word for word in words):
                    raise _Broken(f"an event is TYPE:TRIGGER ROLE:ID..., not {rest!r}")
                pairs = [word.split(":", 1) for word in words]
                events[key] = (number, words[0], [(role, target) for role, target in pairs[1:]])
            elif key.startswith("R"):
                words = rest.split()
                ends = dict(word.split(":", 1) for word in words[1:] if ":" in word)
                if not words or "Arg1" not in ends or "Arg2" not in ends:
                    raise _Broken(f"a relation is LABEL Arg1:ID Arg2:ID, not {rest!r}")
                relations.append((number, Relation(ends["Arg1"], ends["Arg2"], words[0])))
        except _Broken as err:
            raise _Broken(str(err), number) from None
    return _brat_annotations(ann, text, spans, events, relations)


def _brat_span(key: str, rest: str, text: str) -> Span:
    """A T line after its id: `LABEL START END[;START END...]\tTEXT`."""
    spec, _, said = rest.partition("\t")
    label, _, offsets = spec.partition(" ")
    pieces = []
    for fragment in offsets.split(";"):
        numbers = fragment.split()
        if len(numbers) != 2 or not all(n.isascii() and n.isdigit() for n in numbers):
            raise _Broken(f"a text-bound annotation is LABEL START END, not {spec!r}")
        pieces.append(_offsets(text, int(numbers[0]), int(numbers[1])))
    if "\t" in rest and said != " ".join(text[a:b] for a, b in pieces):
        raise _Broken(f"the text at {offsets} is {' '.join(text[a:b] for a, b in pieces)!r}, not {said!r}")
    return Span(key, pieces[0][0], pieces[-1][1], _string(label, "a text-bound annotation's type"))


def _brat_annotations(ann: Path, text: str, spans: dict[str, Span], events: dict, relations: list) -> AnnotatedText:
    """Events become spans of their trigger marked `event`, with a relation to each argument;
    the T lines of their triggers are no mentions of their own."""
    triggers = set()
    event_spans: dict[str, Span] = {}
    links: list[Relation] = []
    for key, (number, trigger, args) in events.items():
        label, _, tid = trigger.partition(":")
        if tid not in spans:
            raise _Broken(f"event {key}'s trigger {tid!r} is no T line", number)
        triggers.add(tid)
        event_spans[key] = Span(key, spans[tid].start, spans[tid].end, _string(label, "an event's type"), event=True)
        for role, target in args:
            if target not in spans and target not in events:
                raise _Broken(f"event {key}'s argument {role}:{target} is no T or E line", number)
            links.append(Relation(key, target, _brat_role(role)))
    for number, relation in relations:
        for target in (relation.head, relation.child):
            if target not in spans and target not in events:
                raise _Broken(f"relation {relation.label}'s argument {target!r} is no T or E line", number)
        links.append(relation)
    kept = [*event_spans.values(), *(s for key, s in spans.items() if key not in triggers)]
    # an argument that is an event's trigger T stands for its event
    by_trigger = {events[key][1].partition(":")[2]: key for key in events}
    links = [Relation(by_trigger.get(r.head, r.head), by_trigger.get(r.child, r.child), r.label) for r in links]
    return AnnotatedText(ann.stem, text, tuple(kept), tuple(links), f"{ann}:1")


def _brat_role(role: str) -> str:
    """An event argument's role: `place2` -> `place`; `p1_` (a role ending in a digit, as
    `rulex run -f brat` protects it) -> `p1`."""
    stripped = role.rstrip("0123456789") or role
    if stripped.endswith("_") and stripped[:-1][-1:].isdigit():
        stripped = stripped[:-1]
    return stripped
