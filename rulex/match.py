"""Results: frozen Match, Argument and Provenance objects, and their JSON form (the output contract)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Argument:
    """One filler of a role: `text == document_text[start:end]`."""
    role: str
    text: str
    start: int
    end: int
    type: str
    value: Any = None
    has_value: bool = False
    derivation: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = {"text": self.text, "start": self.start, "end": self.end, "type": self.type}
        if self.has_value:
            out["value"] = self.value
        return out


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a match came from: enough to find the rule text and lexicon entries again."""
    pack: str
    pack_version: str
    rule_file: str
    rule_line: int
    sentence: tuple[int, int]
    alternative: int | None = None
    derivation: tuple[dict[str, Any], ...] = ()
    attributes: tuple[dict[str, Any], ...] = ()   # the cue that set each true attribute
    links: tuple[dict[str, Any], ...] = ()        # the linked events this one took arguments from

    def to_dict(self) -> dict[str, Any]:
        out = {"pack": self.pack, "pack_version": self.pack_version, "rule_file": self.rule_file,
               "rule_line": self.rule_line, "sentence": list(self.sentence),
               "derivation": list(self.derivation)}
        if self.alternative is not None:
            out["alternative"] = self.alternative
        if self.attributes:
            out["attributes"] = list(self.attributes)
        if self.links:
            out["links"] = list(self.links)
        return out


@dataclass(frozen=True, slots=True)
class Match:
    """One extraction: an event or entity of `type` found by `rule` in document `doc`."""
    doc: str
    type: str
    rule: str
    text: str
    start: int
    end: int
    arguments: tuple[Argument, ...]
    provenance: Provenance
    kind: str = "event"
    priority: int = 0
    value: Any = None          # entities: the canonical id or normalised value
    has_value: bool = False
    attrs: dict[str, Any] = field(default_factory=dict, compare=False)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def args(self) -> dict[str, Argument | list[Argument]]:
        """Arguments by role: one Argument, or a list when the role is filled more than once."""
        grouped: dict[str, list[Argument]] = {}
        for arg in self.arguments:
            grouped.setdefault(arg.role, []).append(arg)
        return {role: items[0] if len(items) == 1 else items for role, items in grouped.items()}

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the output contract (schema 1)."""
        args = {role: ([a.to_dict() for a in v] if isinstance(v, list) else v.to_dict())
                for role, v in self.args.items()}
        out = {"schema": SCHEMA_VERSION, "doc": self.doc, "type": self.type, "rule": self.rule,
               "text": self.text, "start": self.start, "end": self.end, "args": args,
               "attrs": dict(self.attrs), "provenance": self.provenance.to_dict()}
        if self.has_value:
            out["value"] = self.value
        if self.meta:
            out["meta"] = dict(self.meta)
        return out


def shifted(match: Match, by: int) -> Match:
    """The match found in a window of its document that starts `by` characters in, with every
    offset it holds (its span, its arguments', its sentence's, its attribute cues') made one of the
    whole document."""
    if not by:
        return match
    provenance = match.provenance
    start, end = provenance.sentence
    return replace(
        match, start=match.start + by, end=match.end + by,
        arguments=tuple(replace(a, start=a.start + by, end=a.end + by) for a in match.arguments),
        provenance=replace(provenance, sentence=(start + by, end + by),
                           attributes=tuple(_shifted_cue(cue, by) for cue in provenance.attributes)))


def _shifted_cue(cue: dict[str, Any], by: int) -> dict[str, Any]:
    """An attribute's cue (see `attributes.event_attributes`) with its span and scope moved `by`."""
    if "start" not in cue:  # set by the rule, not by a word of the text
        return cue
    scope = cue["scope"]
    return {**cue, "start": cue["start"] + by, "end": cue["end"] + by,
            "scope": {**scope, "start": scope["start"] + by, "end": scope["end"] + by}}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that went wrong on one document without stopping the run."""
    doc: str
    code: str
    message: str
    rule: str | None = None
    sentence: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc": self.doc, "code": self.code, "message": self.message}
        if self.rule:
            out["rule"] = self.rule
        if self.sentence:
            out["sentence"] = list(self.sentence)
        return out


@dataclass(frozen=True, slots=True)
class RuleTime:
    """What one rule cost in one document (`rulex run --profile`): its regex and building its matches."""
    rule: str
    seconds: float
    sentences: int
    matches: int


@dataclass(frozen=True, slots=True)
class DocResult:
    matches: tuple[Match, ...]
    problems: tuple[Problem, ...] = ()
    rule_times: tuple[RuleTime, ...] = ()  # only when profiling
