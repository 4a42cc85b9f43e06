"""The rule language's syntax tree: frozen, slotted dataclasses with tuple children.

Nothing here knows about Lark; `parser.py` builds these nodes and every later stage
reads only them. Every node carries the `Span` of the rule text that made it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from .source import PicklesAsFields, Span

GRAMMAR_FILE = "rulex.lark"
OVERLAP_POLICIES = ("longest", "priority", "all")


def grammar_text() -> str:
    """The grammar: inside the installed wheel, or grammar/ of a source checkout. Here, not in
    `parser.py`, so that loading a cached pack (whose key holds it) never imports Lark."""
    packaged = resources.files("rulex").joinpath("grammar", GRAMMAR_FILE)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parent.parent / "grammar" / GRAMMAR_FILE).read_text(encoding="utf-8")


# ---- pattern nodes --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Literal:
    """A word or phrase, matched case-insensitively unless `case_sensitive`."""
    text: str
    span: Span
    case_sensitive: bool = False


@dataclass(frozen=True, slots=True)
class WordForms:
    """`<launch|fire>`: every inflection of each lemma (launches, launched, ...)."""
    lemmas: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TypeRef:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class NestedSlot:
    """`with casualties:Quantity` in `{victim:Phrase with casualties:Quantity}`: the first mention
    of one of `types` inside the captured span becomes a second argument, `role`."""
    role: str
    types: tuple[TypeRef, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Slot:
    """`{role:Type}` (an argument) or `{Type}` (no argument): a lexicon, built-in, rule type or define."""
    role: str | None
    types: tuple[TypeRef, ...]
    span: Span
    nested: tuple[NestedSlot, ...] = ()


@dataclass(frozen=True, slots=True)
class AnyWord:
    """`_`: any one word (bounded repetitions of it are gaps)."""
    span: Span


@dataclass(frozen=True, slots=True)
class RawRegex:
    """`/.../`: a raw `regex`-module pattern, the experts' escape hatch."""
    source: str
    span: Span


@dataclass(frozen=True, slots=True)
class Sequence:
    items: tuple[Pattern, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Alternation:
    options: tuple[Pattern, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Repeat:
    """`x?`, `x{1,3}`; `max` None means unbounded (a compile error, kept for the message)."""
    item: Pattern
    min: int
    max: int | None
    span: Span


Pattern = Literal | WordForms | Slot | AnyWord | RawRegex | Sequence | Alternation | Repeat


# ---- rules and files --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExpectedArg(PicklesAsFields):
    role: str
    text: str
    span: Span
    value: Any = None
    has_value: bool = False


@dataclass(frozen=True, slots=True)
class Example(PicklesAsFields):
    """An inline example: `positive` ones must match with `expected` arguments; counters must not."""
    text: str
    positive: bool
    span: Span
    expected: tuple[ExpectedArg, ...] = ()


@dataclass(frozen=True, slots=True)
class SlotDecl:
    """`X: Actor as attacker` in a template's `where` clause."""
    name: str
    types: tuple[TypeRef, ...]
    role: str
    optional: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    slots: tuple[SlotDecl, ...]
    span: Span


class Direction(Enum):
    """Where a `find:` clause looks, from the rule's match."""
    BEFORE = "before"
    AFTER = "after"
    EITHER = "either"


class Scope(Enum):
    """How far a `find:` clause looks: the match's clause, or its whole sentence."""
    CLAUSE = "clause"
    SENTENCE = "sentence"


@dataclass(frozen=True, slots=True)
class Search:
    """`find after in clause: {place:attack_loc}`: arguments looked for beyond the match, used
    when the match itself did not fill their roles."""
    pattern: Pattern
    direction: Direction
    scope: Scope
    span: Span


@dataclass(frozen=True, slots=True)
class FixedValue:
    """`set: injury = true`: an attribute every event of the rule carries, or, when `name` is one
    of the rule's roles (`set: count = 1`), the value of every argument of that role."""
    name: str
    value: Any
    span: Span


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: emits `type` (an event or entity type) whenever `pattern` matches."""
    id: str
    kind: str                      # "event" | "entity"
    type: str
    pattern: Pattern               # from `pattern:` or, made from it, `template:`
    span: Span                     # the `rule:` header
    template: Template | None = None
    priority: int = 0
    overlap: str | None = None     # None: the pack's policy
    case_sensitive: bool = False
    not_preceded_by: Pattern | None = None
    not_followed_by: Pattern | None = None
    preceded_by: Pattern | None = None   # words that must stand right before a match
    followed_by: Pattern | None = None   # words that must stand right after it
    examples: tuple[Example, ...] = ()
    pattern_span: Span | None = None
    sets: tuple[FixedValue, ...] = ()
    searches: tuple[Search, ...] = ()


# A rule's context conditions: the clause keyword and the Rule field that holds its pattern.
CONTEXT_CLAUSES = (("not preceded by", "not_preceded_by"), ("not followed by", "not_followed_by"),
                   ("preceded by", "preceded_by"), ("followed by", "followed_by"))


@dataclass(frozen=True, slots=True)
class ContextCondition:
    """One context condition of a rule: words that must (or must not) stand right before or after a match."""
    keyword: str        # the clause: "not preceded by", "followed by", ...
    pattern: Pattern

    @property
    def before(self) -> bool:
        return "preceded" in self.keyword

    @property
    def negated(self) -> bool:
        return self.keyword.startswith("not ")


def context_conditions(rule: Rule) -> list[ContextCondition]:
    """The rule's context conditions that are given, in the order of CONTEXT_CLAUSES."""
    return [ContextCondition(keyword, getattr(rule, name)) for keyword, name in CONTEXT_CLAUSES
            if getattr(rule, name) is not None]


@dataclass(frozen=True, slots=True)
class Define:
    """`define: name = pattern`: a named sub-pattern shared by every file of the pack."""
    name: str
    pattern: Pattern
    span: Span


@dataclass(frozen=True, slots=True)
class SharedRole:
    """`attacker = killer` in a link's `share:` (or `place`, the same role on both events)."""
    first: str      # the role on the link's first event type
    second: str     # the role on its second
    span: Span


@dataclass(frozen=True, slots=True)
class Link:
    """`link: id`: two events of the given types in one sentence that overlap, touch, or stand
    with only `joined by` between them are one happening told twice; each takes from the other
    the shared roles it lacks."""
    id: str
    types: tuple[str, str]
    joined_by: Pattern | None
    share: tuple[SharedRole, ...]
    span: Span
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True, slots=True)
class Import:
    path: str
    span: Span


@dataclass(frozen=True, slots=True)
class RuleFile:
    path: str
    rules: tuple[Rule, ...] = ()
    defines: tuple[Define, ...] = ()
    imports: tuple[Import, ...] = ()
    links: tuple[Link, ...] = ()
    unparsed: tuple[str, ...] = ()  # the text of items that could not be read: what they use is unknown


def children(node: Pattern) -> tuple[Pattern, ...]:
    """The direct sub-patterns of a pattern node."""
    if isinstance(node, Sequence):
        return node.items
    if isinstance(node, Alternation):
        return node.options
    if isinstance(node, Repeat):
        return (node.item,)
    return ()


def walk(node: Pattern) -> Iterator[Pattern]:
    """Every node of a pattern, depth first, parents before children."""
    yield node
    for child in children(node):
        yield from walk(child)
