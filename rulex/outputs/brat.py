"""brat standoff (https://brat.nlplab.org/standoff.html): a directory brat can open as a collection.

The target is a directory (created if missing). For each document the writer writes

- `<name>.txt`: the document text exactly as given (UTF-8, line ends untouched);
- `<name>.ann`: its annotations, with offsets in characters of the .txt:

      T1	Attack 317 418	Iran launched more than a dozen ballistic missiles against ...
      T2	Actor 317 321	Iran
      T3	Quantity 331 348	more than a dozen
      #1	AnnotatorNotes T3	value={"min": 13}; role=count; found by built-in Quantity, normaliser quantity: ...
      E1	Attack:T1 attacker:T2 count:T3 place:T5 place2:T6
      A1	negated E1
      #2	AnnotatorNotes E1	rule=conflict.attack.launch (rules/conflict/attack.rulex:8); sentence=269-441

  * every match is a text-bound annotation (T) of its type; an event match is also an event
    (E) whose trigger is that T (the whole match span) and whose arguments are the T's of
    its arguments, labelled by role; a role filled several times is written `place`,
    `place2`, `place3`... (brat's convention; brat strips the digits again, so a role whose
    own name ends in a digit is written with a `_` after it);
  * a span holding a line break (which an .ann line cannot) is written as discontinuous
    fragments around the line breaks, `T3	Place 10 15;16 20	Erbil Iraq`, with the
    fragments' texts joined by one space, as brat expects; a span of nothing but line breaks
    becomes an empty fragment at its start;
  * attributes: `A1	negated E1` for each attribute whose value is `true`; an attribute with
    a short word or number as value is written `A2	country E1 Iraq`; false, empty and other
    values are left out (they are in the JSONL output);
  * notes (`#`, AnnotatorNotes, shown by brat on hover): on each argument, its normalised
    value and how it was found; on each event (or entity match), the rule id and its
    file:line, the alternative that fired, the sentence span and the value of an entity.
    Notes and attributes of an event point at its E, never at its trigger (brat refuses that).

and, for the whole collection, `annotation.conf` (every entity type, event type with its
roles and their types, and attribute seen so far; rewritten when a new one appears) and
`visual.conf` (a colour per type, the same order of colours as the HTML report).

File names: a document id made only of letters, digits, `.`, `_` and `-` (up to 100
characters, not starting with `.` or `-`, not a Windows device name like `con`, not ending in
`-` and 10 hex digits) is used as it is; any other id (`/`, `:`, spaces,
non-ASCII...) is turned into those characters and given `-` and 10 hex digits of the id's
SHA-1, so different ids never share a name. An id seen twice, or differing only in case
from an earlier one, gets `-2`, `-3`... Existing files of the same names are overwritten.
Type, role and attribute names are written with characters other than ASCII letters,
digits, `_` and `-` replaced by `_` (what brat accepts as a stored name).

brat itself reads the .txt with universal newlines, so for a text with "\\r\\n" line ends
brat's offsets and these differ; the .ann is right for the .txt as written.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..document import Document
from ..match import Argument, Match
from . import Writer, colour, describe_derivation, rule_location, to_json, value_text

# the characters str.splitlines() breaks at: brat reads .ann files line by line the same way
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")
_SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
_HASHED = re.compile(r"-[0-9a-f]{10}$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_SIMPLE_VALUE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class BratWriter(Writer):
    name = "brat"

    def __init__(self, target, options=None):
        if target is None or str(target) in ("", "-") or hasattr(target, "write"):
            raise ValueError("brat output is a directory: give one (-o DIR)")
        if (options or {}).get("append"):
            raise ValueError("brat output cannot be appended to")
        super().__init__(target, options)
        self.directory = Path(target)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._names: set[str] = set()               # file names used, case-folded
        self._entities: dict[str, None] = {}          # text-bound types, in order of first use
        self._events: dict[str, dict[str, list]] = {}  # event -> role -> [types..., multiple?]
        self._attributes: dict[str, dict] = {}        # name -> {"on": {kinds}, "values": [..]}
        self._types: dict[str, None] = {}             # every type, for colours
        self._conf_written = None
        self._write_configs()

    # -- documents ------------------------------------------------------------------------

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        self._check_open()
        self.documents += 1
        self.matches += len(matches)
        name = self._file_name(doc.id)
        with open(self.directory / f"{name}.txt", "w", encoding="utf-8", newline="") as fh:
            fh.write(doc.text)
        lines = self._annotations(doc.text, matches)
        with open(self.directory / f"{name}.ann", "w", encoding="utf-8", newline="") as fh:
            fh.write("".join(line + "\n" for line in lines))
        self._write_configs()

    def close(self) -> None:
        if not self.closed:
            self._write_configs()
        self.closed = True

    def _annotations(self, text: str, matches: Sequence[Match]) -> list[str]:
        lines: list[str] = []
        ids = {"T": 0, "E": 0, "A": 0, "#": 0}

        def new(prefix: str) -> str:
            ids[prefix] += 1
            return f"{prefix}{ids[prefix]}"

        def note(target: str, parts: list[str]) -> None:
            lines.append(f"{new('#')}\tAnnotatorNotes {target}\t{_one_line('; '.join(parts))}")

        for match in matches:
            mtype = label(match.type)
            self._types.setdefault(mtype)
            trigger = new("T")
            lines.append(text_bound(trigger, mtype, match.start, match.end, text))
            is_event = match.kind == "event"
            if not is_event:
                self._entities.setdefault(mtype)
            roles = self._events.setdefault(mtype, {}) if is_event else None
            refs: list = []
            seen: dict = {}
            for arg in match.arguments:
                atype = label(arg.type or "Span")
                self._entities.setdefault(atype)
                self._types.setdefault(atype)
                tid = new("T")
                lines.append(text_bound(tid, atype, arg.start, arg.end, text))
                note(tid, _argument_note(arg))
                if roles is not None:
                    role = role_label(arg.role)
                    seen[role] = seen.get(role, 0) + 1
                    refs.append(f"{role}{seen[role] if seen[role] > 1 else ''}:{tid}")
                    decl = roles.setdefault(role, [False])
                    if atype not in decl[1:]:
                        decl.append(atype)
                    if seen[role] > 1:
                        decl[0] = True
            if is_event:
                target = new("E")
                lines.append(f"{target}\t{mtype}:{trigger}" + "".join(" " + r for r in refs))
            else:
                target = trigger
            for key, value in match.attrs.items():
                if value is True:
                    attr = self._attribute(key, is_event, None)
                    lines.append(f"{new('A')}\t{attr} {target}")
                elif not isinstance(value, bool) and isinstance(value, (str, int, float)) \
                        and _SIMPLE_VALUE.fullmatch(str(value)):
                    attr = self._attribute(key, is_event, str(value))
                    lines.append(f"{new('A')}\t{attr} {target} {value}")
            note(target, _match_note(match))
        return lines

    def _attribute(self, key: str, is_event: bool, value: str | None) -> str:
        name = label(key)
        info = self._attributes.setdefault(name, {"on": set(), "values": []})
        info["on"].add("<EVENT>" if is_event else "<ENTITY>")
        if value is not None and value not in info["values"]:
            info["values"].append(value)
        return name

    def _file_name(self, doc_id: str) -> str:
        stem = safe_name(doc_id)
        name, n = stem, 1
        while name.casefold() in self._names:
            n += 1
            name = f"{stem}-{n}"
        self._names.add(name.casefold())
        return name

    # -- configuration --------------------------------------------------------------------

    def _write_configs(self) -> None:
        annotation, visual = annotation_conf(self._entities, self._events, self._attributes), \
            visual_conf(self._types)
        if self._conf_written == (annotation, visual):
            return
        for file_name, content in (("annotation.conf", annotation), ("visual.conf", visual)):
            path = self.directory / file_name
            tmp = path.with_name(f".{file_name}.{os.getpid()}.tmp")
            tmp.write_text(content, encoding="utf-8", newline="")
            tmp.replace(path)
        self._conf_written = (annotation, visual)


def annotation_conf(entities: dict, events: dict, attributes: dict) -> str:
    """brat's annotation.conf declaring the given types, roles and attributes."""
    out = ["# written by rulex run --format brat", "[entities]"]
    out += list(entities)
    out += ["", "[relations]", "# let annotations overlap and nest freely, as rulex matches do",
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]"]
    for event, roles in events.items():
        args = [f"{role}{'*' if decl[0] else '?'}:{'|'.join(decl[1:])}" for role, decl in roles.items()]
        out.append(event + ("\t" + ", ".join(args) if args else ""))
    out += ["", "[attributes]"]
    for name, info in attributes.items():
        spec = f"{name}\tArg:{'|'.join(sorted(info['on']))}"
        if info["values"]:
            spec += f", Value:{'|'.join(info['values'])}"
        out.append(spec)
    return "\n".join(out) + "\n"


def visual_conf(types: dict) -> str:
    """brat's visual.conf: a background colour per type."""
    out = ["# written by rulex run --format brat", "[labels]"]
    out += [f"{t} | {t}" for t in types]
    out += ["", "[drawing]", "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
            "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
            "ATTRIBUTE_DEFAULT\tglyph:*"]
    out += [f"{t}\tbgColor:{colour(i)}" for i, t in enumerate(types)]
    return "\n".join(out) + "\n"


def text_bound(tid: str, type_: str, start: int, end: int, text: str) -> str:
    """A T line; a span holding line breaks becomes fragments around them."""
    frags = fragments(text, start, end)
    spans = ";".join(f"{s} {e}" for s, e in frags)
    return f"{tid}\t{type_} {spans}\t" + " ".join(text[s:e] for s, e in frags)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of text[start:end] between its line breaks (at least one piece)."""
    out, pos = [], start
    for m in _LINE_BREAK.finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        out.append((pos, end))
    return out or [(start, start)]


def safe_name(doc_id: str) -> str:
    """A file name (without extension) for a document id; different ids give different names."""
    if (_SAFE_ID.fullmatch(doc_id) and not _HASHED.search(doc_id)
            and doc_id.split(".")[0].casefold() not in _RESERVED):
        return doc_id
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id).strip("._-")[:80] or "doc"
    return f"{base}-{hashlib.sha1(doc_id.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def label(name: str) -> str:
    """A type, role or attribute name as brat stores it: letters, digits, `_` and `-`."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name) or "_"


def role_label(role: str) -> str:
    """A role as a brat argument label: brat strips trailing digits, so protect them."""
    role = label(role)
    return role + "_" if role[-1].isdigit() else role


def _argument_note(arg: Argument) -> list[str]:
    parts = [f"value={value_text(arg.value)}"] if arg.has_value else []
    parts.append(f"role={arg.role}")
    if arg.derivation:
        parts.append(f"found by {describe_derivation(arg.derivation)}")
    return parts


def _match_note(match: Match) -> list[str]:
    parts = [f"value={value_text(match.value)}"] if match.has_value else []
    parts.append(f"rule={match.rule} ({rule_location(match)})")
    if match.provenance.alternative is not None:
        parts.append(f"alternative={match.provenance.alternative}")
    parts.append("sentence={}-{}".format(*match.provenance.sentence))
    if match.attrs:
        parts.append(f"attrs={to_json(match.attrs)}")
    if match.kind != "event":
        parts += [f"found by {describe_derivation(how)}" for how in match.provenance.derivation]
    return parts


def _one_line(text: str) -> str:
    return _LINE_BREAK.sub(" ", text)
