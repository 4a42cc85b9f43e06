"""Compile resolved rules to `regex` patterns, keeping a map from each group to its rule element.

A rule becomes one regex that runs on a `view.SentenceView`. Each argument, each type
alternative of a slot, each inlined sub-rule and each top-level alternative gets a named
group, and `Group` records which rule element made it, so provenance and `explain` need
no guesswork. Each rule also gets what planning needs to place it (planning.py): its anchors,
the words (or lexicon mentions) of which at least one must occur in a sentence for the rule
to be tried there, its required clauses and its near conditions.
"""
from __future__ import annotations

import dataclasses
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import regex

from . import ast, memo, planning, regexcode
from .builtins import BUILTIN_NAMES
from .diagnostics import DiagnosticBag
from .errors import RulexError
from .forms import literal_words, save_forms, word_forms
from .planning import Anchor, Clause, Near
from .regexcode import compiled_regex
from .resolve import MAX_PATTERN_CHARS, ResolvedPack, too_deep, too_large
from .source import PicklesAsFields, Span, text_digest
from .view import NAMED_LISTS, SEP, SEP_REVERSE, SKIP_CLOSE, SKIP_OPEN, TOKEN, WORD_SEP, generic_types, mention_slot


@dataclass(frozen=True, slots=True)
class NestedCapture(PicklesAsFields):
    """`with ROLE:Type` of a slot: the first mention of `sources` inside the argument."""
    role: str
    type: str
    meaning: str               # "lexicon" | "builtin"
    sources: tuple[int, ...]   # mention sources (lexicon indices; built-ins after them)
    span: Span


@dataclass(frozen=True, slots=True)
class Group(PicklesAsFields):
    """What made one named group of a compiled rule."""
    name: str
    kind: str                  # "arg" | "type" | "alternative"
    span: Span                 # the rule element
    role: str | None = None    # kind "arg"
    type: str | None = None    # kind "type": the type name; kind "arg": the slot's declared types
    meaning: str | None = None # kind "type": "lexicon" | "builtin" | "generic" | "define" | "rules"
    rule: str | None = None    # kind "type", meaning "rules": the inlined sub-rule
    id_group: str | None = None  # kind "type", meanings "lexicon" and "builtin": the mention id's group
    parent: str | None = None  # the enclosing "arg" group
    depth: int = 0             # 0: the rule's own argument; >0 inside an inlined sub-rule
    alternative: int = 0       # kind "alternative": 1-based index
    nested: tuple[NestedCapture, ...] = ()  # kind "arg": second arguments found inside this one


@dataclass(frozen=True)
class CompiledSearch:
    """A rule's `find:` clause: its own regex and groups, run only around the rule's matches."""
    source: str
    groups: tuple[Group, ...]
    roles: frozenset[str]      # tried only when the match filled none of these
    direction: ast.Direction
    scope: ast.Scope
    file: str
    line: int

    @property
    def regex(self) -> regex.Pattern[str]:
        return compiled_regex(self.source)


@dataclass(frozen=True)
class CompiledLink:
    """A `link:`: which event types, what may stand between them, which roles they share."""
    id: str
    types: tuple[str, str]
    joined_by: str | None      # a regex the whole gap between the two events must match
    share: tuple[ast.SharedRole, ...]
    file: str
    line: int
    examples: tuple[ast.Example, ...] = ()

    @property
    def joined_regex(self) -> regex.Pattern[str] | None:
        return None if self.joined_by is None else compiled_regex(self.joined_by)


@dataclass(frozen=True)
class CompiledRule:
    id: str                    # pack-qualified: "conflict.attack.launch"
    local_id: str
    kind: str
    type: str
    file: str
    line: int
    priority: int
    overlap: str
    source: str
    groups: tuple[Group, ...] = ()
    anchors: tuple[Anchor, ...] | None = None   # None: tried on every sentence
    requires: tuple[Clause, ...] = ()           # each: one of these must be in the sentence too
    standalone: bool = True    # False for entity rules used only inside other rules
    builtins: tuple[str, ...] = ()  # built-in types to find in a sentence before running the rule
    lexicons: frozenset[int] = frozenset()  # the lexicons whose mentions the rule's regex can use
    finder: str | None = None  # split rules: the anchor item's regex; the rule is tried where it matches
    starts: bool = False       # the finder matches wherever a match of the (unsplit) rule can start
    raw: bool = False          # uses a raw regex (so it keeps one finditer under one time limit)
    examples: tuple[ast.Example, ...] = ()
    near: Near | None = None   # rules tried at their anchor: what must be near each occurrence of it
    outline: str | None = None  # a regex over a sentence's lower-cased text wherever the rule can match (planning.outline)
    sets: tuple[ast.FixedValue, ...] = ()          # attributes every event of the rule carries
    values: tuple[ast.FixedValue, ...] = ()        # values set on the arguments of a role (`set: count = 1`)
    searches: tuple[CompiledSearch, ...] = ()      # `find:` clauses

    def group(self, name: str) -> Group:
        return next(g for g in self.groups if g.name == name)

    @property
    def finder_regex(self) -> regex.Pattern[str] | None:
        return None if self.finder is None else compiled_regex(self.finder)

    @property
    def regex(self) -> regex.Pattern[str]:
        """The compiled regex, built on first use in each process (a cached pack loads fast)."""
        return compiled_regex(self.source)


class _TooLarge(Exception):
    """A rule's regex grew past MAX_PATTERN_CHARS while it was being written (RX404)."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


# ---- shared fragments ----------------------------------------------------------------
# The regex module parses, optimises and compiles in Python every copy of a sub-pattern, and
# expands every `\L<list>` reference into an alternation of the list's words, each character
# an object, again: a Phrase (1.7 KB of regex, 14 list references) written into a rule five
# times cost its compile five times. So the generic types and the named lists are written once
# per regex, at its end in a `(?(DEFINE)...)` block, and called where they are used: `(?&name)`.
# A called group matches what the group written in place would, in the same order (the engine
# backtracks into it, and matches it right to left inside a lookbehind), with the flags in
# force where it is defined (so the block goes inside a rule's `(?-i:...)`), but captures only
# into its own name: only fragments without captures are called, never a group the matcher reads.
SHARE = True  # False: every fragment written in place, as before (tests compare the two)
SHARED_PREFIX = "_rx_"
_CALL = regex.compile(r"\(\?&(" + SHARED_PREFIX + r"\w+)\)")


def _list_calls(source: str) -> str:
    """A fragment with each named-list reference a call of the list's group."""
    return regex.sub(r"(?<!\\)\\L<(\w+)>", lambda m: f"(?&{SHARED_PREFIX}l_{m.group(1)})", source)


SHARED: dict[str, str] = {  # group name -> its regex
    **{f"{SHARED_PREFIX}{name}": _list_calls(source) for name, (_, source) in generic_types().items()
       if name != "Word"},  # a Word is short: written in place
    **{f"{SHARED_PREFIX}l_{name}": rf"\L<{name}>" for name in NAMED_LISTS},
}


def with_definitions(source: str) -> str:
    """The regex with a `(?(DEFINE)...)` of the shared fragments it calls (and those call)."""
    used: set[str] = set()
    pending = [source]
    while pending:
        for name in _CALL.findall(pending.pop()):
            if name in SHARED and name not in used:
                used.add(name)
                pending.append(SHARED[name])
    if not used:
        return source
    return source + "(?(DEFINE)" + "".join(f"(?P<{name}>{SHARED[name]})" for name in sorted(used)) + ")"


# Rules compiled before, by everything their compiled form depends on (`_rule_inputs`): after
# an edit of one rule, only that rule's regexes are written again (the edit loop, issue 19).
COMPILED_RULES = memo.Store("compiled-rules", memo.code_version(), limit=512)  # type: ignore[has-type]  # an import cycle


def compile_pack(pack: ResolvedPack, bag: DiagnosticBag | None = None, memoised: bool = False,
                 kept: dict[int, CompiledRule] | None = None) -> list[CompiledRule]:
    """Every rule of the pack compiled, in order. A rule that cannot be (too large, nested too
    deeply for Python, or a regex the engine refuses) is a diagnostic at the rule, in `bag` (by
    default the one the pack was resolved with), and a placeholder that never matches; with no
    bag at all, RulexError. The rules' regexes are written first, then compiled all at once
    (`regexcode.compile_all`: in worker processes when there are many). `kept`: rules compiled
    before, by index, taken as they are; with `memoised`, those are the rules compiled before in
    the same surroundings (`memoised_rules`), and the others are kept for next time (`remember`)."""
    bag = bag if bag is not None else pack.bag
    if memoised:
        kept = memoised_rules(pack)
    out: list[CompiledRule] = []
    for index, rule in enumerate(pack.rules):
        found = kept.get(index) if kept else None
        if found is not None:
            out.append(found)
            continue
        problems = DiagnosticBag()
        try:
            out.append(_RuleCompiler(pack, rule, share=SHARE).compile())
            continue
        except _TooLarge as err:
            too_large(problems, f"rule `{rule.id}`", err.size, rule.pattern_span or rule.span)
        except RecursionError:
            too_deep(problems, f"rule `{rule.id}`", rule.pattern_span or rule.span)
        out.append(_placeholder(pack, rule, problems, bag))
    refused = regexcode.compile_all(source for compiled in out for source in _regex_sources(compiled))
    for index, (rule, compiled) in enumerate(zip(pack.rules, out)):
        why = next((refused[s] for s in _regex_sources(compiled) if s in refused), None)
        if why is not None:
            problems = DiagnosticBag()
            if why.too_deep:
                too_deep(problems, f"rule `{rule.id}`", rule.pattern_span or rule.span)
            else:
                problems.add("RX103", f"the regex of rule `{rule.id}` does not compile: {why.message}",
                             rule.pattern_span or rule.span)
            out[index] = _placeholder(pack, rule, problems, bag)
    save_forms()
    planning.save_outlines()
    if memoised:
        remember(pack, out)
        COMPILED_RULES.save()
    return out


def memoised_rules(pack: ResolvedPack) -> dict[int, CompiledRule]:
    """The pack's rules that COMPILED_RULES holds, compiled before in the same surroundings, by
    index, their spans moved to where their elements are now."""
    inputs = _rule_inputs(pack)
    if inputs is None:
        return {}
    found = {index: _from_memo(rule, inputs[index]) for index, rule in enumerate(pack.rules)}
    return {index: rule for index, rule in found.items() if rule is not None}


def remember(pack: ResolvedPack, compiled: list[CompiledRule]) -> None:
    """Keep the pack's compiled rules (`compile_pack`'s, in its order) in COMPILED_RULES, for
    `memoised_rules` to find after an edit (saved to the compile cache by COMPILED_RULES.save())."""
    inputs = _rule_inputs(pack)
    for rule, found in zip(inputs or (), compiled):
        if found.source != NEVER:
            COMPILED_RULES.put(rule.key, _Kept(found, rule.spans))


@dataclass(frozen=True)
class _RuleInputs:
    """What a rule's compiled form depends on: `key` names it all but the places of the
    elements (so a rule whose file was edited above it is found again); `spans` are those
    places, in the order `_describe` walks them."""
    key: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class _Kept:
    """A compiled rule as COMPILED_RULES keeps it, with the spans of its inputs then."""
    rule: CompiledRule
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class _Description:
    """A rule or define: its text without places (`shape`), its spans, the type names it uses."""
    shape: str
    spans: tuple[Span, ...]
    names: frozenset[str]


_SPAN_TEXT = regex.compile(r"Span\(file=.*?, start=\d+, end=\d+, line=\d+, col=\d+\)")


def _rule_inputs(pack: ResolvedPack) -> list[_RuleInputs] | None:
    """Per rule, what its compiled form depends on: the rule as written, every define and rule
    its patterns call, directly or not, what each type name they use means, the manifest and
    the lexicons' files. None when a lexicon's file is not among the pack's sources. Worked
    out once per resolved pack (kept in its `memo`)."""
    if ("rule-inputs", None) not in pack.memo:
        pack.memo[("rule-inputs", None)] = _work_out_rule_inputs(pack)
    found: list[_RuleInputs] | None = pack.memo[("rule-inputs", None)]
    return found


def _work_out_rule_inputs(pack: ResolvedPack) -> list[_RuleInputs] | None:
    around = hashlib.sha256(_SPAN_TEXT.sub("Span", repr((SHARE, pack.manifest))).encode())
    for lexicon in pack.lexicons:
        source = pack.sources.get(lexicon.file)
        if source is None:
            return None
        around.update(f"\0{lexicon.file}\0{text_digest(source.text)}".encode())
    digest = around.hexdigest()
    called: dict[str, list[_Description]] = {}  # by type name: the defines and rules it calls

    def calls(name: str) -> list[_Description]:
        if name not in called:
            items: list[ast.Define | ast.Rule] = []
            for meaning in pack.names.get(name, ()):
                items += [pack.defines[name]] if meaning.kind == "define" else []
                items += [pack.rule(rule_id) for rule_id in meaning.rules]
            called[name] = [_describe(item) for item in items]
        return called[name]

    out = []
    for rule in pack.rules:
        own = _describe(rule)
        reached: set[str] = set()
        pending = set(own.names)
        while pending:
            name = pending.pop()
            reached.add(name)
            pending |= {n for item in calls(name) for n in item.names} - reached
        parts, spans = [digest, own.shape], list(own.spans)
        for name in sorted(reached):
            parts.append(repr((name, pack.names.get(name, ()))))
            for item in calls(name):
                parts.append(item.shape)
                spans += item.spans
        out.append(_RuleInputs(hashlib.sha256("\0".join(parts).encode()).hexdigest(), tuple(spans)))
    return out


def _describe(item: ast.Rule | ast.Define) -> _Description:
    spans: list[Span] = []
    names: set[str] = set()

    def walk(part: object) -> None:
        if isinstance(part, Span):
            spans.append(part)
        elif isinstance(part, tuple):
            for each in part:
                walk(each)
        elif hasattr(part, "__dataclass_fields__"):
            if isinstance(part, ast.TypeRef):
                names.add(part.name)
            for field_name in part.__dataclass_fields__:
                walk(getattr(part, field_name))

    walk(item)
    return _Description(_SPAN_TEXT.sub("Span", repr(item)), tuple(spans), frozenset(names))


def _from_memo(rule: ast.Rule, inputs: _RuleInputs) -> CompiledRule | None:
    """The rule as compiled before from the same inputs, its spans moved to where its elements
    are now (and its file and line); None if it was not, or the old places do not map one to one."""
    kept: _Kept | None = COMPILED_RULES.get(inputs.key)
    if kept is None or len(kept.spans) != len(inputs.spans):
        return None
    if kept.spans == inputs.spans:
        return kept.rule
    moved: dict[Span, Span] = {}
    for old, new in zip(kept.spans, inputs.spans):
        if moved.setdefault(old, new) != new:
            return None
    compiled: CompiledRule = _respan(kept.rule, moved)
    searches = tuple(dataclasses.replace(found, file=search.span.file, line=search.span.line)
                     for found, search in zip(compiled.searches, rule.searches))
    return dataclasses.replace(compiled, file=rule.span.file, line=rule.span.line, searches=searches)


def _respan(part: Any, moved: dict[Span, Span]) -> Any:
    """`part` with every span in it replaced as `moved` says."""
    if isinstance(part, Span):
        return moved.get(part, part)
    if isinstance(part, tuple):
        return tuple(_respan(each, moved) for each in part)
    if hasattr(part, "__dataclass_fields__") and not isinstance(part, type):
        return dataclasses.replace(part, **{name: _respan(getattr(part, name), moved) for name in part.__dataclass_fields__})
    return part


def _placeholder(pack: ResolvedPack, rule: ast.Rule, problems: DiagnosticBag, bag: DiagnosticBag | None) -> CompiledRule:
    """A rule that never matches, for one that cannot be compiled (its `problems` go to `bag`;
    with no bag, RulexError)."""
    if bag is None:
        raise RulexError(problems.sorted(), pack.sources)
    bag.extend(problems.items)
    return CompiledRule(f"{pack.manifest.name}.{rule.id}", rule.id, rule.kind, rule.type, rule.span.file,
                        rule.span.line, rule.priority, rule.overlap or pack.manifest.overlap, NEVER, standalone=False)


NEVER = r"(?!)"  # the regex of a placeholder rule


def _regex_sources(rule: CompiledRule) -> list[str]:
    """Every regex a compiled rule runs: its own, its finder's, its `find:` clauses'."""
    return [s for s in (rule.source, rule.finder, *(search.source for search in rule.searches)) if s]


def compile_links(pack: ResolvedPack) -> tuple[CompiledLink, ...]:
    """The pack's links; `joined by` becomes a regex that must match a whole gap between events."""
    out = []
    for link in pack.links:
        joined = None
        if link.joined_by is not None:
            body = _RuleCompiler(pack, None, share=SHARE).node(link.joined_by, depth=-1)
            joined = compiled_regex(with_definitions(rf"{SEP}(?:{body}){SEP}")).pattern
        out.append(CompiledLink(f"{pack.manifest.name}.{link.id}", link.types, joined, link.share,
                                link.span.file, link.span.line, link.examples))
    return tuple(out)


class _RuleCompiler:
    def __init__(self, pack: ResolvedPack, rule: ast.Rule | None, share: bool = False):  # None: a link's `joined by`
        """With `share`, the regexes written call the SHARED fragments, which `with_definitions`
        then defines (a compiled rule's regexes); else each is written in place (the parts of a
        rule that `explain` compiles on their own)."""
        self.pack, self.rule = pack, rule
        self.share = share
        self.groups: list[Group] = []
        self.builtins: set[str] = set()
        self.lexicons: set[int] = set()
        self.generic = generic_types()
        self.reverse = False
        self.copied = 0  # characters of regex written for inlined defines, sub-rules and repeats

    def grown(self, part: str) -> str:
        """Count a part written again (a define inlined, a repeat's second copy); past the limit,
        give up: a define used twice in one used twice ... doubles at each level."""
        self.copied += len(part)
        if self.copied > MAX_PATTERN_CHARS:
            raise _TooLarge(self.copied)
        return part

    def add(self, **fields) -> str:
        name = f"g{len(self.groups)}"
        self.groups.append(Group(name=name, **fields))
        return name

    def compile(self) -> CompiledRule:
        rule, pack = self.rule, self.pack
        assert rule is not None
        items = _flatten(rule.pattern)
        split = None if isinstance(rule.pattern, ast.Alternation) else planning.split_point(items, pack)
        before = ""  # the lookbehinds of the `preceded by` conditions, where a match starts
        for condition in ast.context_conditions(rule):
            if condition.before:
                with self.reversed():
                    condition_regex = self.node(condition.pattern, depth=-1)
                    before += rf"(?<{'!' if condition.negated else '='}{condition_regex}{self.sep})"
        finder = None
        starts = False
        raw = any(isinstance(n, ast.RawRegex) for n in _all_nodes(rule, pack))
        if split is None:
            body = before + self.top(rule.pattern)
            if not raw:  # a raw rule stays one finditer under one time limit
                finder = _RuleCompiler(pack, rule, share=self.share).start(rule.pattern)  # a fresh one: no groups added
                starts = finder is not None
                finder = finder and with_definitions(finder)
        else:
            # Split at the anchor: the part before it is a lookbehind (matched right to left
            # from the anchor), so the rule is tried only where its anchor occurs.
            with self.reversed():
                prefix, need_sep = self.sequence_parts(items[:split], 0)
                lead = self.sep if need_sep else ""
            anchor = self.node(items[split], 0)
            suffix, _ = self.sequence_parts(items[split + 1:], 0, need_sep=True)
            body = rf"(?<={before}(?P<{PREFIX_GROUP}>{prefix}{lead})){anchor}{suffix}"
            finder = with_definitions(anchor)
        for condition in ast.context_conditions(rule):
            if not condition.before:
                body += rf"(?{'!' if condition.negated else '='}{SEP}{self.node(condition.pattern, depth=-1)})"
        body = with_definitions(body)  # inside the `(?-i:...)` of a case-sensitive rule, as the fragments were
        if rule.case_sensitive:
            body = f"(?-i:{body})"
            finder = finder and f"(?-i:{finder})"
        if len(body) > MAX_PATTERN_CHARS:
            raise _TooLarge(len(body))
        standalone = (rule.kind == "event" or rule.type in pack.manifest.output) and rule.id != pack.manifest.dateline
        searches = tuple(self.search(search) for search in rule.searches)
        roles = {g.role for g in (*self.groups, *(g for s in searches for g in s.groups)) if g.kind == "arg"}
        return CompiledRule(
            id=f"{pack.manifest.name}.{rule.id}", local_id=rule.id, kind=rule.kind, type=rule.type,
            file=rule.span.file, line=rule.span.line, priority=rule.priority,
            overlap=rule.overlap or pack.manifest.overlap, source=body,
            groups=tuple(self.groups), anchors=planning.anchors(rule.pattern, pack), requires=planning.requirements(items, pack),
            standalone=standalone,
            builtins=tuple(sorted(self.builtins)), lexicons=frozenset(self.lexicons), examples=rule.examples,
            finder=finder, starts=starts,
            raw=raw,
            near=self.near(items, split), outline=planning.outline(rule.pattern, pack),
            sets=tuple(f for f in rule.sets if f.name not in roles),
            values=tuple(f for f in rule.sets if f.name in roles), searches=searches)

    def search(self, search: ast.Search) -> CompiledSearch:
        """A `find:` pattern compiled on its own; the mentions it needs are found for the rule."""
        inner = _RuleCompiler(self.pack, self.rule, share=self.share)
        source = with_definitions(inner.node(search.pattern, 0))
        self.builtins |= inner.builtins
        self.lexicons |= inner.lexicons
        roles = frozenset(g.role for g in inner.groups if g.kind == "arg" and g.depth == 0 and g.role is not None)
        return CompiledSearch(source, tuple(inner.groups), roles, search.direction, search.scope,
                              search.span.file, search.span.line)

    def near(self, items: list[ast.Pattern], split: int | None) -> Near | None:
        """`planning.near` at the anchor item: the split point, or the first item of a rule that starts at it."""
        assert self.rule is not None
        if split is None:
            if isinstance(self.rule.pattern, ast.Alternation) or planning.rarest_item(items, self.pack) != 0:
                return None
            split = 0
        return planning.near(items, split, self.pack, planning.anchors(self.rule.pattern, self.pack))

    def generic_regex(self, name: str) -> str:
        """The regex of a generic type: a call of its shared fragment when sharing."""
        shared = SHARED_PREFIX + name
        return f"(?&{shared})" if self.share and shared in SHARED else self.generic[name][1]

    @property
    def sep(self) -> str:
        return SEP_REVERSE if self.reverse else SEP

    @contextmanager
    def reversed(self):
        """Compile for a lookbehind, which the regex module matches right to left."""
        self.reverse = True
        try:
            yield
        finally:
            self.reverse = False

    def top(self, node: ast.Pattern) -> str:
        """The rule's pattern; each top-level alternative is a group, to say which one fired."""
        if not isinstance(node, ast.Alternation):
            return self.node(node, 0)
        parts = []
        for i, option in enumerate(node.options, start=1):
            name = self.add(kind="alternative", span=option.span, alternative=i)
            parts.append(f"(?P<{name}>{self.node(option, 0)})")
        return "(?:" + "|".join(parts) + ")"

    def start(self, node: ast.Pattern, stack: tuple[str, ...] = ()) -> str | None:
        """A regex that matches wherever a match of the node can start (and maybe elsewhere):
        its first items up to the first required one, for each alternative; None if one can
        start with any word (a gap, a generic type such as a phrase) or the node can be empty."""
        if isinstance(node, ast.Alternation):
            parts = [self.start(option, stack) for option in node.options]
        elif isinstance(node, ast.Sequence):
            parts = []
            for item in _flatten(node):
                if isinstance(item, ast.Repeat) and item.min == 0:  # optional: the next item may start
                    parts.append(self.start(item.item, stack))
                else:
                    parts.append(self.start(item, stack))
                    break
            else:
                return None
        elif isinstance(node, ast.Repeat):
            return self.start(node.item, stack) if node.min >= 1 else None
        elif isinstance(node, ast.AnyWord):
            return None
        elif isinstance(node, ast.Slot):  # whole, if each of its types starts with words or mentions
            return self.node(node, 0) if self.slot_starts(node, stack) else None
        else:
            return self.node(node, 0)
        starts = [part for part in parts if part is not None]
        return None if len(starts) < len(parts) else "(?:" + "|".join(starts) + ")"

    def slot_starts(self, node: ast.Slot, stack: tuple[str, ...]) -> bool:
        """Whether every match of the slot starts with a lexicon or built-in mention, or a word."""
        for ref in node.types:
            for meaning in self.pack.names.get(ref.name, ()):
                if meaning.kind == "generic":
                    return False
                if meaning.kind == "define" and ref.name not in stack:
                    if self.start(self.pack.defines[ref.name].pattern, stack + (ref.name,)) is None:
                        return False
                if meaning.kind == "rules":
                    for rule_id in meaning.rules:
                        if rule_id in stack:
                            continue
                        if self.start(self.pack.rule(rule_id).pattern, stack + (rule_id,)) is None:
                            return False
        return True

    def node(self, node: ast.Pattern, depth: int, parent: str | None = None, stack: tuple[str, ...] = ()) -> str:
        if isinstance(node, ast.Literal):
            return literal_regex(node.text, node.case_sensitive)
        if isinstance(node, ast.WordForms):
            forms = sorted({f for lemma in node.lemmas for f in word_forms(lemma)}, key=lambda f: (-len(f), f))
            return r"\b(?:" + "|".join(regex.escape(f) for f in forms) + r")\b"
        if isinstance(node, ast.AnyWord):
            return TOKEN
        if isinstance(node, ast.RawRegex):
            return f"(?:{node.source})"
        if isinstance(node, ast.Sequence):
            return self.sequence(node.items, depth, parent, stack)
        if isinstance(node, ast.Alternation):
            return "(?:" + "|".join(self.node(o, depth, parent, stack) for o in node.options) + ")"
        if isinstance(node, ast.Repeat):  # alone (not in a sequence): optional, or repeated
            body, optional, lazy = self.piece(node, depth, parent, stack)
            return f"(?:{body})?{lazy}" if optional else body
        if isinstance(node, ast.Slot):
            return self.slot(node, depth, parent, stack)
        raise TypeError(node)

    def piece(self, node: ast.Pattern, depth: int, parent: str | None, stack: tuple[str, ...]):
        """(regex of the node when present, whether it may be absent, "?" if it prefers absence)."""
        if not isinstance(node, ast.Repeat):
            return self.node(node, depth, parent, stack), False, ""
        inner = self.node(node.item, depth, parent, stack)
        lazy = "?" if isinstance(node.item, ast.AnyWord) else ""  # gaps take as few words as will do
        low, high = max(node.min, 1), node.max
        assert high is not None, "unbounded repeats are reported before compiling"
        body = inner if high == 1 else f"{inner}(?:{self.sep}{self.grown(inner)}){{{low - 1},{high - 1}}}{lazy}"
        return body, node.min == 0, lazy

    def sequence(self, items, depth: int, parent: str | None, stack: tuple[str, ...]) -> str:
        return self.sequence_parts(items, depth, parent, stack)[0]

    def sequence_parts(self, items, depth: int, parent: str | None = None, stack: tuple[str, ...] = (),
                       need_sep: bool = False) -> tuple[str, bool]:
        """Items joined by separators, and whether a separator must come before what follows.

        An optional item carries its own separator, so that an absent item leaves no
        separator behind to backtrack over."""
        parts: list[str] = []
        for item in items:
            if isinstance(item, ast.Repeat) and item.max not in (1, None) and (need_sep or item.min == 0) \
                    and not self.reverse:
                # Each repetition with its own separator, "(?:SEP x){0,3}" (first in a sequence
                # "(?:x SEP){0,3}"): the same matches, in the same order, as "(?:SEP x(?:SEP
                # x){0,2})?", with one copy of x, not two (a large define repeated doubled the
                # regex and its compile time). Not in a lookbehind, where the regex module's
                # right-to-left matching then prefers shorter matches ("have detonated" for
                # "Yusufu is believed to have detonated").
                inner = self.node(item.item, depth, parent, stack)
                lazy = "?" if isinstance(item.item, ast.AnyWord) else ""
                each = f"{self.sep}{inner}" if need_sep else f"{inner}{self.sep}"
                parts.append(f"(?:{each}){{{item.min},{item.max}}}{lazy}")
                continue
            body, optional, lazy = self.piece(item, depth, parent, stack)
            if not optional:
                parts.append((self.sep if need_sep else "") + body)
                need_sep = True
            elif need_sep:
                parts.append(f"(?:{self.sep}{body})?{lazy}")
            else:
                parts.append(f"(?:{body}{self.sep})?{lazy}")
        return "".join(parts), need_sep

    def nested(self, node: ast.Slot) -> tuple[NestedCapture, ...]:
        """The `with ROLE:Type` parts of a slot; their mentions must be found in the sentence too."""
        out = []
        for nested in node.nested:
            for ref in nested.types:
                for meaning in self.pack.names.get(ref.name, ()):
                    if meaning.kind == "lexicon":
                        self.lexicons.update(meaning.lexicons)
                        out.append(NestedCapture(nested.role, ref.name, "lexicon", tuple(meaning.lexicons),
                                                 nested.span))
                    elif meaning.kind == "builtin":
                        self.builtins.add(ref.name)
                        source = len(self.pack.lexicons) + BUILTIN_NAMES.index(ref.name)
                        out.append(NestedCapture(nested.role, ref.name, "builtin", (source,), nested.span))
        return tuple(out)

    def slot(self, node: ast.Slot, depth: int, parent: str | None, stack: tuple[str, ...]) -> str:
        arg = None
        if node.role and depth >= 0:
            arg = self.add(kind="arg", span=node.span, role=node.role, depth=depth, parent=parent,
                           type="|".join(t.name for t in node.types), nested=self.nested(node))
        owner = arg or parent
        parts: list[str] = []
        defines: set[int] = set()  # the parts that are defines
        for ref in node.types:
            for meaning in self.pack.names.get(ref.name, ()):
                common = dict(kind="type", span=ref.span, type=ref.name, meaning=meaning.kind, parent=owner,
                              depth=depth)
                if meaning.kind == "lexicon":
                    id_group = f"m{len(self.groups)}"
                    name = self.add(id_group=id_group, **common)
                    parts.append(mention_slot(name, id_group, meaning.lexicons, self.reverse))
                    self.lexicons.update(meaning.lexicons)
                elif meaning.kind == "builtin":
                    id_group = f"m{len(self.groups)}"
                    name = self.add(id_group=id_group, **common)
                    source = len(self.pack.lexicons) + BUILTIN_NAMES.index(ref.name)
                    parts.append(mention_slot(name, id_group, (source,), self.reverse))
                    self.builtins.add(ref.name)
                elif meaning.kind == "generic":
                    parts.append(f"(?P<{self.add(**common)}>{self.generic_regex(ref.name)})")
                elif meaning.kind == "define" and ref.name not in stack:
                    name = self.add(**common)
                    define = self.pack.defines[ref.name].pattern
                    inner = self.grown(self.node(define, depth, owner, stack + (ref.name,)))
                    defines.add(len(parts))
                    parts.append(f"(?P<{name}>{inner})")
                elif meaning.kind == "rules":
                    for rule_id in meaning.rules:
                        if rule_id in stack:
                            continue
                        sub = self.pack.rule(rule_id)
                        name = self.add(rule=rule_id, **common)
                        inner = self.grown(self.node(sub.pattern, depth + 1 if depth >= 0 else depth, name,
                                                     stack + (rule_id,)))
                        parts.append(f"(?P<{name}>{inner})")
        # The types are tried in the order written ("{target:Phrase|Actor}" takes "Iranian oil
        # tankers", not the Actor "Iranian"): each one but the last may start inside the markers
        # of the mentions that start at the same word (in a lookbehind: end), which the
        # separator before the slot would otherwise offer first to the types that take mentions.
        # A define is as if written in place, and the last type keeps nested mentions for when
        # the longest fails.
        for i in range(len(parts) - 1):
            if i not in defines:
                parts[i] = f"{parts[i]}{SKIP_CLOSE}" if self.reverse else f"{SKIP_OPEN}{parts[i]}"
        body = "|".join(parts) or r"(?!)"
        return f"(?P<{arg}>{body})" if arg else f"(?:{body})"


PREFIX_GROUP = "pre"  # in a split rule, the part of the match before the anchor


def _flatten(node: ast.Pattern) -> list[ast.Pattern]:
    """The top-level items of a pattern, nested sequences opened up."""
    if not isinstance(node, ast.Sequence):
        return [node]
    return [leaf for item in node.items for leaf in _flatten(item)]


def _all_nodes(rule: ast.Rule, pack: ResolvedPack, seen: frozenset = frozenset()):
    """Every pattern node of a rule, its context conditions, and the defines and sub-rules it uses."""
    for root in (rule.pattern, *(c.pattern for c in ast.context_conditions(rule))):
        if root is None:
            continue
        for node in ast.walk(root):
            yield node
            if isinstance(node, ast.Slot):
                for ref in node.types:
                    for meaning in pack.names.get(ref.name, ()):
                        if meaning.kind == "define" and ref.name not in seen:
                            yield from ast.walk(pack.defines[ref.name].pattern)
                        elif meaning.kind == "rules":
                            for rule_id in meaning.rules:
                                if rule_id not in seen:
                                    yield from _all_nodes(pack.rule(rule_id), pack, seen | {rule_id, rule.id})


_WORD_CHAR = regex.compile(r"\w")  # compiled once: the module's own cache costs microseconds a call


def literal_regex(text: str, case_sensitive: bool = False) -> str:
    words = literal_words(text)
    if not words:
        return r"(?!)"
    body = WORD_SEP.join(regex.escape(w) for w in words)
    if _WORD_CHAR.match(words[0]):
        body = r"\b" + body
    if _WORD_CHAR.match(words[-1][-1]):
        body = body + r"\b"
    return f"(?-i:{body})" if case_sensitive else body
