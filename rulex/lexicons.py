"""Lexicons: entries with a canonical id, a type and aliases, read from YAML or CSV/TSV.

Aliases are compared by key: typographic quotes and dashes made ASCII, lower case,
hyphens and runs of spaces made one space. The matcher finds every alias in a document
with one Aho-Corasick scan (scanner.py), so a lexicon's size barely changes run time.

An entry may say when it holds (`valid_from`, `valid_to`: office holders, unit names):
in a document with a date it matches only then, and two entries may share an alias when
their periods do not overlap. A lexicon may allow near misses (`fuzzy:`), see fuzzy.py.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .diagnostics import DiagnosticBag
from .segment import normalise
from .source import SourceFile, Span
from .yamlpos import YamlDoc

LEXICON_KEYS = ("type", "name", "description", "source", "licence", "license", "fuzzy", "entries")
ENTRY_KEYS = ("id", "aliases", "attrs", "type", "valid_from", "valid_to", "valid-from", "valid-to", "value")
TABLE_COLUMNS = ("id", "alias", "aliases", "type", "valid_from", "valid_to", "value")  # other columns become attrs
FUZZY_MIN_LENGTH = 8  # `fuzzy: true` allows one edit in aliases of at least this many letters
MAX_VARIANT_SEPARATORS = 3


def alias_key(text: str) -> str:
    """The comparison key of an alias or a matched span."""
    return " ".join(normalise(text).lower().replace("-", " ").split())


def surface_variants(alias: str) -> list[str]:
    """Lower-case spellings of an alias as they may appear in normalised text.

    "Al-Assad" gives "al-assad" and "al assad"; with more than three separators only the
    all-space and all-hyphen spellings are listed.
    """
    words = alias_key(alias).split(" ")
    gaps = len(words) - 1
    if gaps == 0:
        return [words[0]] if words[0] else []
    if gaps > MAX_VARIANT_SEPARATORS:
        choices = [(" ",) * gaps, ("-",) * gaps]
    else:
        choices = list(itertools.product(" -", repeat=gaps))
    out = []
    for seps in choices:
        out.append(words[0] + "".join(sep + word for sep, word in zip(seps, words[1:])))
    return out


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    type: str
    aliases: tuple[str, ...]
    span: Span
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    valid_from: dt.date | None = None   # first day the entry holds, if it says
    valid_to: dt.date | None = None     # last day
    value: int | float | None = None    # a number the entry stands for ("dozen": 12), reported instead of its id

    @property
    def output(self) -> int | float | str:
        """What a mention of the entry reports as its value: its number if it has one, else its id."""
        return self.id if self.value is None else self.value

    def valid_on(self, day: dt.date | None) -> bool:
        """Whether the entry holds on a document's date (always, when the date is unknown)."""
        if day is None:
            return True
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, other: Entry) -> bool:
        """Whether the two entries' periods share a day (no period: always)."""
        return ((self.valid_from is None or other.valid_to is None or self.valid_from <= other.valid_to)
                and (other.valid_from is None or self.valid_to is None or other.valid_from <= self.valid_to))


PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def period_bound(text: str, last: bool) -> dt.date:
    """"2017" / "2017-01" / "2017-01-20" as the first (or, with `last`, the last) day it names."""
    m = PARTIAL_DATE.fullmatch(text.strip())
    if m is None:
        raise ValueError(text)
    year, month, day = int(m[1]), int(m[2]) if m[2] else 0, int(m[3]) if m[3] else 0
    if day:
        return dt.date(year, month, day)
    if month:
        start = dt.date(year, month, 1)
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1) if last else start
    return dt.date(year, 12, 31) if last else dt.date(year, 1, 1)


def json_safe(value: Any) -> Any:
    """Attribute values as JSON has them (YAML dates become ISO strings)."""
    return json.loads(json.dumps(value, default=str))


class EntryRows(Sequence):
    """A lexicon's entries as plain tuples, made into `Entry` objects only when asked for.

    Unpickling 50,000 frozen dataclasses (and their spans) took most of a cached pack's load
    time; tuples of strings unpickle in C, and a run touches only the entries it matches."""

    __slots__ = ("_rows", "_made")

    def __init__(self, entries: Iterable[Entry] = ()):
        self._rows = [(e.id, e.type, e.aliases, (e.span.file, e.span.start, e.span.end, e.span.line, e.span.col),
                       e.attrs, e.valid_from, e.valid_to, e.value) for e in entries]
        self._made: dict[int, Entry] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._rows)))]
        if index < 0:
            index += len(self._rows)
        entry = self._made.get(index)
        if entry is None:
            entry_id, kind, aliases, span, attrs, start, end, value = self._rows[index]
            entry = self._made[index] = Entry(entry_id, kind, aliases, Span(*span), attrs, start, end, value)
        return entry

    def __eq__(self, other) -> bool:
        return isinstance(other, EntryRows) and self._rows == other._rows

    def __hash__(self) -> int:
        return hash(len(self._rows))

    def __getstate__(self):
        return self._rows

    def __setstate__(self, rows) -> None:
        self._rows, self._made = rows, {}


@dataclass(frozen=True)
class Lexicon:
    """A named set of entries of one type; `keys` maps alias keys to entry indices."""

    name: str
    type: str
    file: str
    entries: Sequence[Entry]            # an EntryRows
    keys: dict[str, list[int]] = field(hash=False, compare=False)
    description: str = ""
    origin: str = ""
    licence: str = ""
    fuzzy_min_length: int = 0   # 0: exact aliases only; else one edit allowed in aliases this long
    family: str = ""            # the lexicon file's name, for a part of it (see `by_entry_type`)


def load_lexicon(source: SourceFile, bag: DiagnosticBag, default_type: str | None = None) -> Lexicon | None:
    """Read a YAML or CSV/TSV lexicon; problems go to `bag` with their file:line:col."""
    name = Path(source.name).stem
    if source.name.endswith((".csv", ".tsv")):
        return _from_table(source, bag, name, default_type)
    doc = YamlDoc.parse(source, bag)
    if doc is None:
        return None
    root = doc.mapping(doc.root, LEXICON_KEYS, what="lexicon")
    if root is None:
        return None
    lex_type = doc.string(root, "type", required=default_type is None) or default_type
    name = doc.string(root, "name") or name   # `name:` renames the lexicon (else its file name)
    entries: list[Entry] = []
    entries_node = root.get("entries")
    if entries_node is None:
        bag.add("RX203", "a lexicon needs `entries:`", doc.span(doc.root))
        return None
    for item in doc.sequence(entries_node[1], "entries") or ():
        fields = doc.mapping(item, ENTRY_KEYS, what="lexicon entry")
        if fields is None:
            continue
        entry_id = doc.string(fields, "id", required=True, span_of=item)
        if entry_id is None:
            continue
        aliases = doc.string_list(fields, "aliases") or []
        attrs = doc.plain(fields["attrs"][1]) if "attrs" in fields else {}
        if attrs is None and fields["attrs"][1].tag == "tag:yaml.org,2002:map":
            attrs = {}   # a value inside is no plain data (`!!int abc`), reported by `plain`
        if not isinstance(attrs, dict):
            bag.add("RX203", "`attrs` must be a mapping (key: value)", doc.span(fields["attrs"][1]))
            attrs = {}
        valid_from, valid_to = (_yaml_bound(doc, fields, key, bag) for key in ("valid_from", "valid_to"))
        value = doc.plain(fields["value"][1]) if "value" in fields else None
        if value is not None and not _is_number(value):
            bag.add("RX203", f"`value` must be a number, not `{value}`", doc.span(fields["value"][1]),
                    "a lexicon entry's value is the number it stands for, e.g. `value: 12` for `dozen`")
            value = None
        entries.append(Entry(entry_id, doc.string(fields, "type") or lex_type or "",
                             tuple(aliases or [entry_id.replace("_", " ")]),
                             doc.span(item), json_safe(attrs), valid_from, valid_to, value))
    return _build(name, lex_type or "", source.name, entries, bag,
                  description=doc.string(root, "description") or "",
                  origin=doc.string(root, "source") or "",
                  licence=doc.string(root, "licence") or doc.string(root, "license") or "",
                  fuzzy_min_length=_fuzzy(doc, root, bag))


def _yaml_bound(doc: YamlDoc, fields, key: str, bag: DiagnosticBag) -> dt.date | None:
    spelled = key if key in fields else key.replace("_", "-")
    text = doc.string(fields, spelled)
    if text is None:
        return None
    try:
        return period_bound(text, last=key == "valid_to")
    except ValueError:
        bag.add("RX203", f"`{spelled}` must be a date: YYYY, YYYY-MM or YYYY-MM-DD, not `{text}`",
                doc.span(fields[spelled][1]))
        return None


def _fuzzy(doc: YamlDoc, root, bag: DiagnosticBag) -> int:
    """`fuzzy: true` (aliases of 8+ letters), `fuzzy: {min_length: N}`, or off."""
    if "fuzzy" not in root:
        return 0
    value = doc.plain(root["fuzzy"][1])
    if value is True:
        return FUZZY_MIN_LENGTH
    if value is False or value is None:
        return 0
    if isinstance(value, dict) and set(value) <= {"min_length"} and isinstance(value.get("min_length", 8), int) \
            and value.get("min_length", 8) >= 4:
        return value.get("min_length", FUZZY_MIN_LENGTH)
    bag.add("RX203", "`fuzzy` must be true, false or {min_length: N} with N >= 4",
            doc.span(root["fuzzy"][1]), "fuzzy matching allows one edit in aliases of at least N letters")
    return 0


def _from_table(source: SourceFile, bag: DiagnosticBag, name: str, default_type: str | None) -> Lexicon | None:
    """CSV/TSV with a header: `id`, `alias` (or `aliases`, `|`-separated), optional `type`."""
    dialect = "excel-tab" if source.name.endswith(".tsv") else "excel"
    rows = list(csv.reader(io.StringIO(source.text), dialect=dialect))
    if not rows or "id" not in rows[0]:
        bag.add("RX203", "a CSV/TSV lexicon needs a header row with `id` and `alias` (or `aliases`)",
                source.span(0, len(source.line_text(1))))
        return None
    header = rows[0]
    alias_col = "alias" if "alias" in header else "aliases" if "aliases" in header else None
    if alias_col is None:
        bag.add("RX203", "a CSV/TSV lexicon needs an `alias` or `aliases` column", source.span(0, len(source.line_text(1))))
        return None
    by_id: dict[str, Entry] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not row or not any(row):
            continue
        record = dict(zip(header, row))
        entry_id = record.get("id", "").strip()
        start = source.offset(line_no, 1)
        span = source.span(start, start + len(source.line_text(line_no)))
        if not entry_id:
            bag.add("RX203", "row without an id", span)
            continue
        aliases = [a.strip() for a in record.get(alias_col, "").split("|") if a.strip()]
        entry_type = record.get("type", "").strip() or default_type or ""
        attrs = {k: v for k, v in record.items() if k not in TABLE_COLUMNS and v.strip()}
        try:
            valid_from, valid_to = (period_bound(record[k], last=k == "valid_to") if record.get(k, "").strip() else None
                                    for k in ("valid_from", "valid_to"))
        except ValueError as err:
            bag.add("RX203", f"a validity date must be YYYY, YYYY-MM or YYYY-MM-DD, not `{err}`", span)
            valid_from = valid_to = None
        value = _table_number(record.get("value", "").strip())
        if value is False:
            bag.add("RX203", f"the `value` column must hold a number, not `{record['value'].strip()}`", span)
            value = None
        old = by_id.get(entry_id)
        if old is None:
            by_id[entry_id] = Entry(entry_id, entry_type, tuple(aliases), span, attrs, valid_from, valid_to, value)
        else:
            by_id[entry_id] = Entry(entry_id, old.type, old.aliases + tuple(aliases), old.span,
                                    {**old.attrs, **attrs}, old.valid_from, old.valid_to,
                                    old.value if value is None else value)
    return _build(name, default_type or next((e.type for e in by_id.values()), ""), source.name,
                  list(by_id.values()), bag)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _table_number(text: str) -> int | float | None | bool:
    """A CSV cell's number; None if empty, False if it is no number."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return False


def _build(name: str, lex_type: str, file: str, entries: list[Entry], bag: DiagnosticBag, **info) -> Lexicon:
    keys: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        for alias in entry.aliases:
            key = alias_key(alias)
            written = normalise(alias).strip()
            if not key or written.startswith("-") or written.endswith("-"):
                bag.add("RX606", f"alias `{alias}` of `{entry.id}` can never match as written: "
                        + (f"it is read as `{key}`" if key else "it has no letter, digit or sign left"),
                        entry.span, "hyphens at the edges of an alias, or an alias of hyphens and spaces only, "
                        "are dropped; write the alias as the text has it")
            if not key:
                continue
            holders = keys.setdefault(key, [])
            clash = next((entries[i] for i in holders if entries[i].id != entry.id and entries[i].overlaps(entry)), None)
            if clash is not None:
                bag.add("RX204", f"alias `{alias}` of `{entry.id}` is also an alias of `{clash.id}` "
                        f"(at {clash.span})", entry.span,
                        "keep the alias on one entry only, or give the entries periods that do not overlap "
                        "(valid_from, valid_to)")
                continue
            if index not in holders:
                holders.append(index)
    return Lexicon(name, lex_type, file, EntryRows(entries), keys, **info)


def by_entry_type(lexicon: Lexicon) -> list[Lexicon]:
    """The lexicon, or, when some entries give a `type` of their own, one lexicon per type: the
    entries of the lexicon's type keep its name; the others are `NAME.Type`. Each part has the
    file's name as `family`, so a slot that names the lexicon (`{x:metrics}`) still takes all."""
    entries = list(lexicon.entries)
    types = list(dict.fromkeys(e.type or lexicon.type for e in entries))
    if all(t == lexicon.type for t in types):
        return [lexicon]
    parts = []
    for type_name in [lexicon.type, *(t for t in types if t != lexicon.type)]:
        chosen = [e for e in entries if (e.type or lexicon.type) == type_name]
        if not chosen:
            continue
        name = lexicon.name if type_name == lexicon.type else f"{lexicon.name}.{type_name}"
        parts.append(replace(_build(name, type_name, lexicon.file, chosen, DiagnosticBag()),
                             description=lexicon.description, origin=lexicon.origin, licence=lexicon.licence,
                             fuzzy_min_length=lexicon.fuzzy_min_length, family=lexicon.name))
    return parts

