"""Lexicons: entries with a canonical id, a type and aliases, read from YAML or CSV/TSV.

Aliases are compared by key: typographic quotes and dashes made ASCII, lower case,
hyphens and runs of spaces made one space. The matcher finds every alias in a document
with one Aho-Corasick scan (program.py), so a lexicon's size barely changes run time.
"""
from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from .diagnostics import DiagnosticBag
from .segment import normalise
from .source import SourceFile, Span
from .yamlpos import YamlDoc

LEXICON_KEYS = ("type", "name", "description", "source", "licence", "license", "entries")
ENTRY_KEYS = ("id", "aliases", "attrs", "type")
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


@dataclass(frozen=True)
class Lexicon:
    """A named set of entries of one type; `keys` maps alias keys to entry indices."""

    name: str
    type: str
    file: str
    entries: tuple[Entry, ...]
    keys: dict[str, int] = field(hash=False, compare=False)
    description: str = ""
    origin: str = ""
    licence: str = ""


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
        entries.append(Entry(entry_id, doc.string(fields, "type") or lex_type or "",
                             tuple(aliases or [entry_id.replace("_", " ")]),
                             doc.span(item), attrs if isinstance(attrs, dict) else {}))
    return _build(name, lex_type or "", source.name, entries, bag,
                  description=doc.string(root, "description") or "",
                  origin=doc.string(root, "source") or "",
                  licence=doc.string(root, "licence") or doc.string(root, "license") or "")


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
        old = by_id.get(entry_id)
        if old is None:
            by_id[entry_id] = Entry(entry_id, entry_type, tuple(aliases), span)
        else:
            by_id[entry_id] = Entry(entry_id, old.type, old.aliases + tuple(aliases), old.span)
    return _build(name, default_type or next((e.type for e in by_id.values()), ""), source.name,
                  list(by_id.values()), bag)


def _build(name: str, lex_type: str, file: str, entries: list[Entry], bag: DiagnosticBag, **info) -> Lexicon:
    keys: dict[str, int] = {}
    for index, entry in enumerate(entries):
        for alias in entry.aliases:
            key = alias_key(alias)
            if not key:
                continue
            other = keys.get(key)
            if other is not None and entries[other].id != entry.id:
                first = entries[other]
                bag.add("RX204", f"alias `{alias}` of `{entry.id}` is also an alias of `{first.id}` "
                        f"(at {first.span})", entry.span, "keep the alias on one entry only")
                continue
            keys.setdefault(key, index)
    return Lexicon(name, lex_type, file, tuple(entries), keys, **info)
