"""Diagnostics: coded errors and warnings with a snippet, a caret and a hint.

Rendered like mypy/rustc::

    rules/x.rulex:14:37: error: unknown type `weapon`; did you mean `Weapon`?  [RX301]
       |
    14 |   pattern: {attacker:Actor} <launch> {weapon:weapon}
       |                                               ^^^^^^
       = help: types in this pack: Actor, Place, Weapon
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .source import SourceFile, Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


# The registry of codes: each with its severity and one line of description (docs read it).
CODES: dict[str, tuple[Severity, str]] = {
    "RX100": (Severity.ERROR, "syntax error in a rule file or pattern"),
    "RX101": (Severity.ERROR, "unclosed group, optional part or slot"),
    "RX102": (Severity.ERROR, "bad escape sequence in a quoted string"),
    "RX103": (Severity.ERROR, "invalid raw regular expression"),
    "RX104": (Severity.ERROR, "a raw regular expression defines a capturing group name of its own"),
    "RX200": (Severity.ERROR, "a file could not be read (missing, unreadable, not UTF-8, or outside the pack)"),
    "RX201": (Severity.ERROR, "bad YAML, or a YAML tag that is not plain data"),
    "RX202": (Severity.ERROR, "unknown key in a YAML rule file, lexicon or pack manifest"),
    "RX203": (Severity.ERROR, "missing or ill-typed key in a YAML rule file, lexicon or pack manifest"),
    "RX204": (Severity.ERROR, "the same alias maps to two different lexicon entries"),
    "RX301": (Severity.ERROR, "unknown type, lexicon or sub-pattern"),
    "RX302": (Severity.ERROR, "duplicate rule id"),
    "RX303": (Severity.ERROR, "duplicate definition of a sub-pattern or lexicon"),
    "RX304": (Severity.ERROR, "a sub-pattern or rule refers to itself"),
    "RX305": (Severity.ERROR, "a template word is neither a word nor a declared slot, or a slot is unused"),
    "RX306": (Severity.ERROR, "a rule has no pattern, or more than one"),
    "RX307": (Severity.ERROR, "an example names a role the rule does not have"),
    "RX308": (Severity.ERROR, "bad rule option (priority, overlap, case, a YAML find: direction or scope), "
                              "or a set: that cannot hold"),
    "RX309": (Severity.ERROR, "the manifest's `dateline` does not name a rule with a Time argument"),
    "RX310": (Severity.ERROR, "a nested capture's type is not a lexicon or built-in type (or its slot has "
                              "no role), or a `find:` fills no role"),
    "RX311": (Severity.ERROR, "`joined by:` of a link holds a slot or a regex"),
    "RX401": (Severity.ERROR, "a pattern can match the empty string"),
    "RX402": (Severity.ERROR, "unbounded repetition or gap"),
    "RX403": (Severity.ERROR, "bad repetition bounds"),
    "RX404": (Severity.ERROR, "a rule's compiled pattern is too large, or nested too deeply"),
    "RX501": (Severity.ERROR, "a rule ran out of time on a sentence (catastrophic backtracking), or a sentence "
                              "or document ran out of its time budget"),
    "RX601": (Severity.WARNING, "a sub-pattern is defined but never used"),
    "RX602": (Severity.WARNING, "a lexicon is loaded but no rule uses it and it is not output"),
    "RX603": (Severity.WARNING, "a rule has no required word, so it is tried on every sentence"),
    "RX604": (Severity.WARNING, "a rule has no inline example"),
    "RX605": (Severity.WARNING, "a rule is shadowed by another with the same pattern and a higher priority"),
    "RX606": (Severity.WARNING, "a lexicon alias can never match as written (an alias of hyphens only, or with a "
                                "hyphen at its edge)"),
    "RX607": (Severity.WARNING, "a quoted word of a pattern can never match (hyphens or dashes only: they count "
                                "as spaces between words)"),
}


SNIPPET_CHARS = 160  # a longer source line is cut to this much around the caret when rendered


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a pack, at a place in a file."""

    code: str
    message: str
    span: Span | None
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    def headline(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.severity.value}: {self.message}  [{self.code}]"

    def render(self, sources: dict[str, SourceFile] | None = None) -> str:
        """The headline, then a snippet with a caret under the span, then the hint."""
        lines = [self.headline()]
        span = self.span
        source = (sources or {}).get(span.file) if span else None
        if source is not None and span is not None:
            text = source.line_text(span.line)
            gutter = " " * len(str(span.line))
            col = span.col
            width = max(1, min(span.end - span.start, len(text) - col + 1))
            if len(text) > SNIPPET_CHARS:  # a line of 100 KB is shown around the caret only
                first = max(0, min(col - 1 - SNIPPET_CHARS // 4, len(text) - SNIPPET_CHARS))
                text = ("..." if first else "") + text[first:first + SNIPPET_CHARS] + \
                    ("..." if first + SNIPPET_CHARS < len(text) else "")
                col = col - first + (3 if first else 0)
                width = max(1, min(width, len(text) - col + 1))
            lines += [f"{gutter} |", f"{span.line} | {text}",
                      f"{gutter} | {' ' * (col - 1)}{'^' * width}"]
        if self.hint:
            pad = " " * len(str(span.line)) if span else ""
            lines.append(f"{pad} = help: {self.hint}")
        return "\n".join(lines)

    def to_dict(self, sources: dict[str, SourceFile] | None = None) -> dict[str, Any]:
        """For `rulex check --format json`: lines and columns from 1, in characters; the end is
        the position just after the span's last character. With the span's source file known,
        a span over several lines ends on its own line, else on the line it starts on."""
        out: dict[str, Any] = {"code": self.code, "severity": self.severity.value, "message": self.message}
        if self.span:
            source = (sources or {}).get(self.span.file)
            if source is not None:
                end_line, end_col = source.line_col(self.span.end)
            else:
                end_line, end_col = self.span.line, self.span.col + max(0, self.span.end - self.span.start)
            out.update(file=self.span.file, line=self.span.line, col=self.span.col,
                       end_line=end_line, end_col=end_col)
        if self.hint:
            out["hint"] = self.hint
        return out


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """A 'did you mean `x`?' suffix for the closest known name, or None."""
    known = list(known)
    lowered = {k.lower(): k for k in known}
    if name.lower() in lowered:
        return f"did you mean `{lowered[name.lower()]}`?"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


class DiagnosticBag:
    """Collects every diagnostic of a pack so they are all reported together."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()  # for `add`: a pattern of 50,000 errors is checked in linear time
        self.sources: dict[str, SourceFile] = {}  # for snippets when rendering

    def add(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        diagnostic = Diagnostic(code, message, span, hint)
        if diagnostic not in self._seen:  # a shared sub-pattern is checked once per use
            self._seen.add(diagnostic)
            self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        diagnostics = list(diagnostics)
        self._seen.update(diagnostics)
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        def key(d: Diagnostic) -> tuple[str, int]:
            return (d.span.file, d.span.start) if d.span else ("", 0)
        return sorted(self.items, key=key)
