"""spaCy EntityRuler / SpanRuler patterns (JSONL) turned into a rulex pack (`rulex import spacy`).

Each line of the file is one pattern, `{"label": ..., "pattern": ..., "id": ...}`:

- a **phrase** pattern (`"pattern": "Apple Inc."`) becomes an alias of a lexicon entry, one
  lexicon per label, the entry named by `id` (patterns of one `id` are aliases of one entry)
  or by the phrase itself; one rule per label matches the lexicon, with an inline example
  for each entry so that `rulex test` tests it;
- a **token** pattern (`"pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]`) becomes a
  rule, when every token says something rulex can say (`TOKEN_ATTRIBUTES`); the rest are
  refused, each with its line and the reason.

Reading never stops at a bad line: broken JSON, bytes that are not UTF-8 or an unknown
attribute refuse that line and the others go on. Nothing in the file is run or opened.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from ..builtins import BUILTINS

GAP_MAX = 8            # what `*` and `+` become: rulex repeats nothing without a maximum (RX402)
EXAMPLES_PER_LABEL = 25   # inline examples of a label's phrase rule (one per lexicon entry)

WORD = re.compile(r"[^\W_][\w'-]*(\.[^\W_][\w'-]*)*\.?")   # a word of `<...>` forms (grammar/rulex.lark)
TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")
BUILT_IN_TYPES = frozenset(BUILTINS) | {"Phrase", "Name", "Word"}   # a label of these names is renamed


class Attribute(Enum):
    """What a token attribute that rulex can say becomes."""
    EXACT = "exact"          # ORTH, TEXT: the word as written, capitals included (`="Apple"`)
    LOWER = "lower"          # LOWER, NORM: the word, whatever its case (`"apple"`)
    LEMMA = "lemma"          # LEMMA: every form of the word (`<launch>`)
    DIGITS = "digits"        # IS_DIGIT: a run of digits (`/\d+/`)
    NUMBER = "number"        # LIKE_NUM: the built-in type Number (`{Number}`)


TOKEN_ATTRIBUTES = {"ORTH": Attribute.EXACT, "TEXT": Attribute.EXACT, "LOWER": Attribute.LOWER,
                    "NORM": Attribute.LOWER, "LEMMA": Attribute.LEMMA, "IS_DIGIT": Attribute.DIGITS,
                    "LIKE_NUM": Attribute.NUMBER}

# Why the others cannot be imported: rulex reads words, not the annotations of a trained pipeline.
REFUSED_ATTRIBUTES = {
    "POS": "a part-of-speech tag needs a tagger; rulex has none",
    "TAG": "a part-of-speech tag needs a tagger; rulex has none",
    "MORPH": "morphological features need a tagger; rulex has none",
    "DEP": "a dependency label needs a parser; rulex has none",
    "HEAD": "a dependency head needs a parser; rulex has none",
    "ENT_TYPE": "entity labels come from another pipeline component",
    "ENT_IOB": "entity labels come from another pipeline component",
    "ENT_ID": "entity labels come from another pipeline component",
    "ENT_KB_ID": "entity labels come from another pipeline component",
    "SHAPE": "rulex has no word shapes; write a /regex/ by hand",
    "LENGTH": "rulex has no condition on a word's length; write a /regex/ by hand",
    "SENT_START": "rulex has no condition on sentence starts",
    "SPACY": "rulex does not see the whitespace after a token",
    "_": "custom attributes (`_`) exist only in spaCy",
}


@dataclass(frozen=True)
class Phrase:
    """A phrase pattern: an alias of the entry `entry` of its label's lexicon."""
    line: int
    label: str
    text: str
    entry: str        # the pattern's `id`, or the phrase itself


@dataclass(frozen=True)
class TokenRule:
    """A token pattern as a rulex pattern, with a sentence it matches."""
    line: int
    label: str
    pattern: str
    example: str
    id: str | None
    approximations: tuple[str, ...] = ()   # where rulex matches a little differently (unbounded repeats)


@dataclass(frozen=True)
class Refused:
    """A line that was not imported, and why."""
    line: int
    reason: str


@dataclass(frozen=True)
class Imported:
    """Everything read from one pattern file."""
    source: str
    phrases: tuple[Phrase, ...]
    rules: tuple[TokenRule, ...]
    refused: tuple[Refused, ...]
    patterns: int          # lines that held a pattern (blank lines are not counted)
    repeats: tuple[int, ...] = ()   # lines whose phrase an earlier line of the same entry already gave


@dataclass(frozen=True)
class WrittenPack:
    """The pack written by `write_pack`: its folder, the type of each label, its files."""
    folder: Path
    types: dict[str, str] = field(default_factory=dict)
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Unmatched:
    """An inline example of the written pack that its own rule does not match in rulex: the
    pattern was imported, but rulex does not read it as spaCy does."""
    line: int        # the pattern's line in the JSONL file (0 when it cannot be told)
    rule: str
    example: str


class _Refusal(Exception):
    """A pattern that cannot be imported (its message is the reason)."""


@dataclass(frozen=True)
class _Element:
    """One token as a piece of rulex pattern."""
    text: str
    example: str | None       # a word it matches, None when it may match nothing
    approximation: str | None = None


# ---- reading -------------------------------------------------------------------------------

def read_patterns(path: str | Path) -> Imported:
    """Every line of a JSONL pattern file, imported or refused (OSError if it cannot be read)."""
    return parse_patterns(Path(path).read_bytes(), str(path))


def parse_patterns(data: bytes, source: str = "<patterns>") -> Imported:
    """The pattern lines of `data` (JSONL bytes), each imported or refused with its line number."""
    phrases: list[Phrase] = []
    rules: list[TokenRule] = []
    refused: list[Refused] = []
    patterns = 0
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        patterns += 1
        try:
            item = _pattern_line(raw)
            if isinstance(item["pattern"], str):
                phrases.append(_phrase(number, item))
            else:
                rules.append(_token_rule(number, item))
        except _Refusal as refusal:
            refused.append(Refused(number, str(refusal)))
    kept, repeats, clashes = _distinct_phrases(phrases)
    return Imported(source, tuple(kept), tuple(rules), tuple(sorted(refused + clashes, key=lambda r: r.line)), patterns,
                    tuple(repeats))


def _pattern_line(raw: bytes) -> dict[str, Any]:
    """One line as a pattern object: label, pattern and optional id, each checked."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _Refusal(f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at column {err.start + 1})") from None
    try:
        item = json.loads(text)
    except json.JSONDecodeError as err:
        raise _Refusal(f"not JSON: {err.msg} at column {err.colno}") from None
    if not isinstance(item, dict):
        raise _Refusal(f"a pattern line is a JSON object with `label` and `pattern`, not {type(item).__name__}")
    label, pattern, pattern_id = item.get("label"), item.get("pattern"), item.get("id")
    if not isinstance(label, str) or not label.strip():
        raise _Refusal("no `label` (a non-empty string)")
    if not isinstance(pattern, (str, list)):
        raise _Refusal("no `pattern`: a phrase (a string) or a list of token objects")
    if pattern_id is not None and not isinstance(pattern_id, str):
        raise _Refusal("`id` is not a string")
    return {"label": label.strip(), "pattern": pattern, "id": pattern_id or None}


def _phrase(line: int, item: dict[str, Any]) -> Phrase:
    text = " ".join(item["pattern"].split())
    if not text:
        raise _Refusal("the phrase is empty")
    if not any(ch.isalnum() for ch in text):
        raise _Refusal(f"the phrase {text!r} has no letter or digit: rulex lexicon aliases are words")
    return Phrase(line, item["label"], text, item["id"] or text)


def alias_key(text: str) -> str:
    """The form under which rulex tells aliases apart (lexicons.py: lower case, hyphens as spaces)."""
    return " ".join(text.lower().replace("-", " ").split())


def _distinct_phrases(phrases: list[Phrase]) -> tuple[list[Phrase], list[int], list[Refused]]:
    """The phrases without repeats, the lines of the repeats; a phrase of a label already given to
    another entry is refused (one lexicon's entries must not share an alias, RX204, and rulex's
    aliases ignore case)."""
    seen: dict[tuple[str, str], Phrase] = {}
    kept: list[Phrase] = []
    repeats: list[int] = []
    refused: list[Refused] = []
    for phrase in phrases:
        first = seen.setdefault((phrase.label, alias_key(phrase.text)), phrase)
        if first is phrase:
            kept.append(phrase)
        elif first.entry == phrase.entry:
            repeats.append(phrase.line)
        else:
            refused.append(Refused(phrase.line, f"the phrase {phrase.text!r} is already an alias of {first.entry!r} "
                                                f"(line {first.line}); rulex aliases ignore case and hyphens"))
    return kept, repeats, refused


# ---- token patterns ------------------------------------------------------------------------

def _token_rule(line: int, item: dict[str, Any]) -> TokenRule:
    tokens = item["pattern"]
    if not tokens:
        raise _Refusal("the token pattern is empty")
    elements = []
    for index, token in enumerate(tokens, 1):
        if not isinstance(token, dict):
            raise _Refusal(f"token {index} is not a JSON object")
        try:
            elements.append(_token(token))
        except _Refusal as refusal:
            raise _Refusal(f"token {index}: {refusal}") from None
    if all(e.example is None for e in elements):
        raise _Refusal("every token is optional, so the pattern can match nothing (rulex refuses that: RX401)")
    example = " ".join(e.example for e in elements if e.example is not None)   # the optional ones left out
    return TokenRule(line, item["label"], " ".join(e.text for e in elements), example, item["id"],
                     tuple(e.approximation for e in elements if e.approximation))


def _token(token: dict[str, Any]) -> _Element:
    """One token object as a rulex element, with its `OP` applied."""
    conditions = {key: value for key, value in token.items() if key != "OP"}
    if len(conditions) > 1:
        raise _Refusal(f"two conditions on one token ({', '.join(sorted(conditions))}): rulex says one thing of a word")
    if conditions:
        ((key, value),) = conditions.items()
        element = _condition(key, value)
    else:
        element = _Element("_", "x")   # {} is any one token
    return _quantified(element, token.get("OP"))


def _condition(key: str, value: Any) -> _Element:
    name = key if key == "_" else key.upper()
    if name in REFUSED_ATTRIBUTES:
        raise _Refusal(f"{key}: {REFUSED_ATTRIBUTES[name]}")
    attribute = TOKEN_ATTRIBUTES.get(name)
    if attribute is None:
        if name.startswith(("IS_", "LIKE_")):
            raise _Refusal(f"{key}: rulex has no equivalent of this token flag")
        raise _Refusal(f"unknown token attribute {key!r}")
    if attribute in (Attribute.DIGITS, Attribute.NUMBER):
        if value is not True:
            raise _Refusal(f"{key}: only `true` can be imported")
        return _Element("/\\d+/", "42") if attribute is Attribute.DIGITS else _Element("{Number}", "42")
    words = _words(key, value)
    if attribute is Attribute.LEMMA:
        bad = [w for w in words if not WORD.fullmatch(w)]
        if bad:
            raise _Refusal(f"{key}: {bad[0]!r} is not a word whose forms rulex can list")
        return _Element("<" + "|".join(w.lower() for w in words) + ">", words[0].lower())
    if attribute is Attribute.LOWER:
        upper = [w for w in words if w != w.lower()]
        if upper:
            raise _Refusal(f"{key}: {upper[0]!r} has capitals, so spaCy never matches it")
    mark = "=" if attribute is Attribute.EXACT else ""
    choices = [mark + quoted(w) for w in words]
    text = choices[0] if len(choices) == 1 else "(" + " | ".join(choices) + ")"
    return _Element(text, words[0])


def _words(key: str, value: Any) -> list[str]:
    """The words a condition accepts: a string, or `{"IN": [strings]}`."""
    if isinstance(value, list):
        raise _Refusal(f"{key}: a list of words is written {{\"IN\": [...]}}")
    if isinstance(value, dict):
        if set(value) != {"IN"}:
            operators = ", ".join(sorted(map(str, value)))
            raise _Refusal(f"{key}: only a string or {{\"IN\": [...]}} can be imported, not {operators} "
                           "(REGEX and FUZZY work on a token's text, which rulex does not split off)")
        value = value["IN"]
        if not isinstance(value, list) or not value:
            raise _Refusal(f"{key}: IN takes a non-empty list of strings")
    words = value if isinstance(value, list) else [value]
    for word in words:
        if not isinstance(word, str):
            raise _Refusal(f"{key}: {word!r} is not a string")
        if not word.strip() or any(ch.isspace() for ch in word):
            raise _Refusal(f"{key}: {word!r} is empty or holds a space, and a token holds none")
    return list(words)


def _quantified(element: _Element, op: Any) -> _Element:
    """The element under spaCy's operator: ? * + ! {n} {n,m} {n,} {,m}."""
    if op is None:
        return element
    if not isinstance(op, str):
        raise _Refusal(f"OP {op!r} is not a string")
    unbounded = f"`{op}` repeats without end in spaCy; rulex allows at most {GAP_MAX} repeats"
    if op == "?":
        return _Element(element.text + "?", None)
    if op == "*":
        return _Element(element.text + "{0,%d}" % GAP_MAX, None, unbounded)
    if op == "+":
        return _Element(element.text + "{1,%d}" % GAP_MAX, element.example, unbounded)
    if op == "!":
        raise _Refusal("OP `!` (the token must not match) has no rulex equivalent")
    m = re.fullmatch(r"\{(\d*)(,?)(\d*)\}", op)
    if not m or not (m.group(1) or m.group(3)):
        raise _Refusal(f"unknown OP {op!r}")
    low = int(m.group(1) or 0)
    high = int(m.group(3)) if m.group(3) else (low if not m.group(2) else low + GAP_MAX)
    if high < low or high == 0:
        raise _Refusal(f"OP {op!r} repeats nothing")
    note = unbounded if m.group(2) and not m.group(3) else None
    example = " ".join([element.example] * low) if low and element.example else None
    return _Element(element.text + "{%d,%d}" % (low, high), example, note)


def quoted(text: str) -> str:
    """`text` as a rulex quoted phrase (grammar: STRING)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- writing -------------------------------------------------------------------------------

def type_names(labels: Iterable[str]) -> dict[str, str]:
    """A rulex type name for each label (a capital letter, then letters, digits and `_`): the
    label itself when it is one and names no built-in type, else the nearest, made unique."""
    out: dict[str, str] = {}
    for label in labels:
        if label in out:
            continue
        name = re.sub(r"\W", "_", label, flags=re.ASCII).strip("_") or "Label"
        name = name[0].upper() + name[1:]
        if not TYPE_NAME.fullmatch(name):
            name = "L" + name
        out[label] = _unique(name, set(out.values()) | BUILT_IN_TYPES)
    return out


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`... the first that is not taken."""
    found, n = name, 2
    while found in taken:
        found, n = f"{name}_{n}", n + 1
    return found


def write_pack(imported: Imported, folder: str | Path, name: str) -> WrittenPack:
    """Write the imported patterns as a pack in `folder`: pack.yaml, imported.rulex, one lexicon
    per label with phrases, and IMPORT.txt (what was refused and approximated)."""
    folder = Path(folder)
    labels = [p.label for p in imported.phrases] + [r.label for r in imported.rules]
    types = type_names(labels)
    files: list[Path] = []
    lexicons = _write_lexicons(imported.phrases, types, folder, files)
    manifest = {"name": name, "version": "0.0.0",
                "description": f"Imported from the spaCy patterns {Path(imported.source).name} by `rulex import spacy`.",
                "files": ["imported.rulex"]}
    if lexicons:
        manifest["lexicons"] = ["lexicons/*.yaml"]
    manifest["output"] = sorted(set(types.values()))
    folder.mkdir(parents=True, exist_ok=True)
    header = "# Written by `rulex import spacy`; IMPORT.txt lists the patterns that were not imported.\n"
    files.append(_write(folder / "pack.yaml", header + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)))
    files.append(_write(folder / "imported.rulex", _rule_file(imported, types, lexicons)))
    files.append(_write(folder / "IMPORT.txt", "\n".join(report_lines(imported, types)) + "\n"))
    return WrittenPack(folder, types, tuple(files))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _write_lexicons(phrases: tuple[Phrase, ...], types: dict[str, str], folder: Path, files: list[Path]) -> dict[str, str]:
    """One YAML lexicon per label with phrases; the lexicon's name by label."""
    by_label: dict[str, dict[str, list[str]]] = {}
    for phrase in phrases:
        by_label.setdefault(phrase.label, {}).setdefault(phrase.entry, []).append(phrase.text)
    for stale in (folder / "lexicons").glob("*_phrases*.yaml"):   # of an earlier import into this folder
        stale.unlink()
    names: dict[str, str] = {}
    for label, entries in by_label.items():
        name = _unique(re.sub(r"[^a-z0-9_]", "_", types[label].lower()) + "_phrases", set(names.values()))
        names[label] = name
        lexicon = {"type": _unique(types[label] + "_phrase", set(types.values())),   # never an output type
                   "description": f"the phrase patterns of the spaCy label {label}",
                   "entries": [{"id": entry, "aliases": aliases} for entry, aliases in entries.items()]}
        files.append(_write(folder / "lexicons" / f"{name}.yaml",
                            yaml.safe_dump(lexicon, sort_keys=False, allow_unicode=True)))
    return names


def _rule_file(imported: Imported, types: dict[str, str], lexicons: dict[str, str]) -> str:
    out = [f"# The patterns of {Path(imported.source).name}, one section per spaCy label.", ""]
    for label, type_name in types.items():
        out += [f"entity: {type_name}" + (f"   # spaCy label {label!r}" if type_name != label else ""), ""]
        if label in lexicons:
            out += _phrase_rule(type_name, lexicons[label], [p for p in imported.phrases if p.label == label])
        for rule in (r for r in imported.rules if r.label == label):
            out += _token_rule_text(type_name, rule)
    return "\n".join(out)


def _phrase_rule(type_name: str, lexicon: str, phrases: list[Phrase]) -> list[str]:
    lines = [f"# the phrase patterns of {_line_list([p.line for p in phrases])}: lexicons/{lexicon}.yaml",
             f"rule: {type_name}.phrases", f"  pattern: {{value:{lexicon}}}"]
    examples: dict[str, Phrase] = {}
    for phrase in phrases:
        examples.setdefault(phrase.entry, phrase)
    for phrase in list(examples.values())[:EXAMPLES_PER_LABEL]:
        lines += [f"  example: {quoted(phrase.text)}", f"    value = {quoted(phrase.text)} -> {quoted(phrase.entry)}"]
    return lines + [""]


def _token_rule_text(type_name: str, rule: TokenRule) -> list[str]:
    lines = [f"# line {rule.line}" + "".join(f"; approximated: {note}" for note in dict.fromkeys(rule.approximations))]
    if rule.id is None:
        lines += [f"rule: {type_name}.line{rule.line}", f"  pattern: {rule.pattern}"]
    else:   # the whole match is the entity's value, fixed to the pattern's id
        lines += [f"define: pattern_line{rule.line} = {rule.pattern}", f"rule: {type_name}.line{rule.line}",
                  f"  pattern: {{value:pattern_line{rule.line}}}", f"  set: value = {quoted(rule.id)}"]
    lines.append(f"  example: {quoted(rule.example)}")
    if rule.id is not None:
        lines.append(f"    value = {quoted(rule.example)} -> {quoted(rule.id)}")
    return lines + [""]


def _line_list(lines: list[int]) -> str:
    """"line 3", "lines 1, 2, 3", "lines 1, ... 10 and 5 more"."""
    shown = ", ".join(map(str, lines[:10]))
    return ("line " if len(lines) == 1 else "lines ") + shown + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")


def unmatched_examples(imported: Imported, written: WrittenPack) -> tuple[Unmatched, ...]:
    """Compile the written pack and run its inline examples: those that fail (RulexError when the
    pack does not compile, which would be a bug of the import)."""
    from ..pack import load
    from ..testing import check_examples
    phrase_lines = {p.text: p.line for p in imported.phrases}
    out = []
    for result in check_examples(load(written.folder, cache=False)):
        if not result.ok:
            numbered = re.search(r"\.line(\d+)$", result.rule)
            line = int(numbered.group(1)) if numbered else phrase_lines.get(result.text, 0)
            out.append(Unmatched(line, result.rule, result.text))
    return tuple(out)


def report_lines(imported: Imported, types: dict[str, str], unmatched: tuple[Unmatched, ...] = ()) -> list[str]:
    """What the import did: counts, renamed labels, each refused line, each approximation and
    each imported pattern whose example rulex does not match."""
    source = imported.source
    out = [f"{source}: {imported.patterns} patterns: {len(imported.phrases)} phrases, {len(imported.rules)} token "
           f"patterns imported, {len(imported.refused)} not imported"]
    if imported.repeats:
        out.append(f"{len(imported.repeats)} phrase(s) repeated an earlier one of the same entry: imported once")
    if imported.phrases:
        out.append("phrases are lexicon aliases: they match whatever their case (spaCy's default phrase "
                   "matching, on ORTH, matches them only as written), except aliases of up to five capitals")
    out += [f"label {label!r} is the rulex type {name}" for label, name in types.items() if label != name]
    out += [f"{source}:{r.line}: not imported: {r.reason}" for r in imported.refused]
    out += [f"{source}:{r.line}: approximated: {note}" for r in imported.rules for note in dict.fromkeys(r.approximations)]
    out += [f"{source}:{u.line}: imported, but rulex does not match its example {u.example!r} (rule {u.rule}; "
            "`rulex test` shows why)" for u in unmatched]
    return out
