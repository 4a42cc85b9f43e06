"""Resolve names: every slot type to a define, built-in, lexicon or rule type; check the pack.

Reports unknown names (with a suggestion), duplicate rule ids and defines, cycles,
patterns that can match nothing or the empty string, unbounded repetition, rules whose
regex would be too large (defines are copied wherever they are used), examples naming
roles a rule lacks, and unused defines and lexicons (warnings).

Everything that follows a define or sub-rule into its pattern is worked out once per name
(`ResolvedPack.memo`), so checking takes time linear in the size of the define graph, not in
the number of paths through it (`d2 = {d1} {d1}`, `d1 = {d0} {d0}` ... has 2^n paths).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from . import ast, printer
from .builtins import BUILTINS
from .diagnostics import DiagnosticBag, did_you_mean
from .forms import literal_words
from .lexicons import Lexicon
from .loader import LoadedPack, Manifest
from .source import SourceFile, Span
from .view import SEP, SKIP_OPEN, TOKEN, WORD_SEP, generic_types

MAX_PATTERN_CHARS = 1_000_000  # the largest regex a rule may compile to (RX404; grammar/SPEC.md)


@dataclass(frozen=True, slots=True)
class Meaning:
    """One thing a type name stands for."""
    kind: str                          # "define" | "builtin" | "generic" | "lexicon" | "rules"
    name: str
    lexicons: tuple[int, ...] = ()     # kind "lexicon": indices into ResolvedPack.lexicons
    rules: tuple[str, ...] = ()        # kind "rules": ids of the entity rules emitting the type


@dataclass(frozen=True)
class ResolvedPack:
    manifest: Manifest
    rules: tuple[ast.Rule, ...]
    defines: dict[str, ast.Define] = field(hash=False, compare=False)
    lexicons: tuple[Lexicon, ...] = ()
    names: dict[str, tuple[Meaning, ...]] = field(default_factory=dict, hash=False, compare=False)
    sources: dict[str, SourceFile] = field(default_factory=dict, hash=False, compare=False)
    links: tuple[ast.Link, ...] = ()
    # what was worked out per define or sub-rule: (what, name) -> value (min_words, sizes, anchors...)
    memo: dict = field(default_factory=dict, hash=False, compare=False, repr=False)
    bag: DiagnosticBag | None = field(default=None, hash=False, compare=False, repr=False)  # for compiling
    unparsed: tuple[str, ...] = ()  # items of rule files that could not be read (see ast.RuleFile)

    def rule(self, rule_id: str) -> ast.Rule:
        by_id = self.memo.get(("rules", None))
        if by_id is None:
            by_id = self.memo[("rules", None)] = {r.id: r for r in self.rules}
        return by_id[rule_id]

    def target(self, kind: str, name: str) -> ast.Pattern:
        """The pattern a define (kind "define") or an entity rule (kind "rules") stands for."""
        return self.defines[name].pattern if kind == "define" else self.rule(name).pattern


def resolve(loaded: LoadedPack, bag: DiagnosticBag) -> ResolvedPack:
    rules, defines = _collect(loaded, bag)
    names = _name_table(loaded.lexicons, rules, defines)
    resolved = ResolvedPack(loaded.manifest, tuple(rules), defines, loaded.lexicons, names, loaded.sources,
                            _collect_links(loaded, bag), bag=bag,
                            unparsed=tuple(text for rule_file in loaded.files for text in rule_file.unparsed))
    _Checker(resolved, bag).run()
    return resolved


def _collect(loaded: LoadedPack, bag: DiagnosticBag):
    rules: list[ast.Rule] = []
    seen_rules: dict[str, ast.Rule] = {}
    defines: dict[str, ast.Define] = {}
    for rule_file in loaded.files:
        for define in rule_file.defines:
            if define.name in defines:
                bag.add("RX303", f"sub-pattern `{define.name}` is defined twice (first at {defines[define.name].span})",
                        define.span, "rename one of them")
                continue
            defines[define.name] = define
        for rule in rule_file.rules:
            if rule.id in seen_rules:
                bag.add("RX302", f"duplicate rule id `{rule.id}` (first at {seen_rules[rule.id].span})",
                        rule.span, "rule ids must be unique in a pack")
                continue
            seen_rules[rule.id] = rule
            rules.append(rule)
    return rules, defines


def _collect_links(loaded: LoadedPack, bag: DiagnosticBag) -> tuple[ast.Link, ...]:
    links: dict[str, ast.Link] = {}
    for rule_file in loaded.files:
        for link in rule_file.links:
            if link.id in links:
                bag.add("RX302", f"duplicate link id `{link.id}` (first at {links[link.id].span})", link.span)
                continue
            links[link.id] = link
    return tuple(links.values())


def slot_roles(node: ast.Pattern) -> set[str]:
    """The roles a pattern's own slots fill: `{victim:Phrase with casualties:Quantity}` fills two."""
    roles: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Slot):
            roles.update(r for r in (n.role, *(x.role for x in n.nested)) if r)
    return roles


def _name_table(lexicons, rules, defines) -> dict[str, tuple[Meaning, ...]]:
    table: dict[str, list[Meaning]] = {}
    for name in defines:
        table.setdefault(name, []).append(Meaning("define", name))
    for name in BUILTINS:
        table.setdefault(name, []).append(Meaning("builtin", name))
    for name in generic_types():
        table.setdefault(name, []).append(Meaning("generic", name))
    by_type: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}  # a lexicon file's name: all its parts (lexicons.by_entry_type)
    for i, lexicon in enumerate(lexicons):
        by_type.setdefault(lexicon.type, []).append(i)
        by_name.setdefault(lexicon.family or lexicon.name, []).append(i)
    for name, indices in by_name.items():
        if name not in by_type:
            table.setdefault(name, []).append(Meaning("lexicon", name, tuple(indices)))
    for type_name, indices in by_type.items():
        table.setdefault(type_name, []).append(Meaning("lexicon", type_name, tuple(indices)))
    entity_rules: dict[str, list[str]] = {}
    for rule in rules:
        if rule.kind == "entity":
            entity_rules.setdefault(rule.type, []).append(rule.id)
    for type_name, ids in entity_rules.items():
        table.setdefault(type_name, []).append(Meaning("rules", type_name, rules=tuple(ids)))
    return {k: tuple(v) for k, v in table.items()}


def through(pack: ResolvedPack, what: str, kind: str, name: str, stack: tuple[str, ...], compute):
    """`compute(pattern, stack)` for the pattern of a define or sub-rule, once per name: the first
    answer is kept (in a pack without cycles the stack never changes it; a cycle is RX304)."""
    key = (what, name)
    if key not in pack.memo:
        pack.memo[key] = compute(pack.target(kind, name), stack + (name,))
    return pack.memo[key]


def min_words(node: ast.Pattern, pack: ResolvedPack, stack: tuple[str, ...] = ()) -> int:
    """The fewest words a pattern can match (0 means it can match the empty string)."""
    if isinstance(node, (ast.Literal, ast.WordForms, ast.AnyWord)):
        return 1
    if isinstance(node, ast.RawRegex):
        try:
            return 0 if regex.fullmatch(node.source, "") else 1
        except regex.error:
            return 1
    if isinstance(node, ast.Sequence):
        return sum(min_words(i, pack, stack) for i in node.items)
    if isinstance(node, ast.Alternation):
        return min(min_words(o, pack, stack) for o in node.options)
    if isinstance(node, ast.Repeat):
        return node.min * min_words(node.item, pack, stack)
    if isinstance(node, ast.Slot):
        counts = []
        for ref in node.types:
            for meaning in pack.names.get(ref.name, ()):
                if meaning.kind == "define" and ref.name not in stack:
                    counts.append(through(pack, "min_words", "define", ref.name, stack,
                                           lambda p, s: min_words(p, pack, s)))
                elif meaning.kind == "rules":
                    for rule_id in meaning.rules:
                        if rule_id not in stack:
                            counts.append(through(pack, "min_words", "rules", rule_id, stack,
                                                   lambda p, s: min_words(p, pack, s)))
                else:
                    counts.append(1)
        return min(counts, default=1)
    raise TypeError(node)


def pattern_size(node: ast.Pattern, pack: ResolvedPack, stack: tuple[str, ...] = ()) -> int:
    """About how many characters of regex the pattern compiles to (compiler.py), worked out without
    compiling it: a define or sub-rule counts in full wherever it is used, since it is copied there."""
    if isinstance(node, ast.Literal):
        words = len(node.text.split()) or 1
        return 2 * len(node.text) + words * len(WORD_SEP) + 8
    if isinstance(node, ast.WordForms):
        return sum(4 * (len(lemma) + 3) for lemma in node.lemmas) + 12  # about four forms each
    if isinstance(node, ast.AnyWord):
        return len(TOKEN)
    if isinstance(node, ast.RawRegex):
        return len(node.source) + 4
    if isinstance(node, ast.Sequence):
        return sum(pattern_size(i, pack, stack) + len(SEP) for i in node.items)
    if isinstance(node, ast.Alternation):
        return sum(pattern_size(o, pack, stack) + 1 for o in node.options) + 4
    if isinstance(node, ast.Repeat):
        copies = 1 if node.max == 1 or node.min == 0 else 2  # `x{2,3}` is written "x(?:SEP x){1,2}"
        return pattern_size(node.item, pack, stack) * copies + len(SEP) + 16
    if isinstance(node, ast.Slot):
        total = 16
        for ref in node.types:
            for meaning in pack.names.get(ref.name, ()):
                total += 16 + (len(SKIP_OPEN) if len(node.types) > 1 else 0)
                if meaning.kind == "define" and ref.name not in stack:
                    total += through(pack, "size", "define", ref.name, stack, lambda p, s: pattern_size(p, pack, s))
                elif meaning.kind == "rules":
                    total += sum(through(pack, "size", "rules", rule_id, stack, lambda p, s: pattern_size(p, pack, s))
                                 for rule_id in meaning.rules if rule_id not in stack)
                elif meaning.kind == "generic":
                    total += len(generic_types()[ref.name][1])
                else:
                    total += 60  # a mention marker and its id
        return total
    raise TypeError(node)


TOO_LARGE_HINT = ("a sub-pattern is copied wherever it is used (one used twice in one used twice ... doubles "
                  "at each level), and so is the part repeated by `x{2,5}`: use fewer levels, or smaller rules")


def too_large(bag: DiagnosticBag, what: str, size: int, span: Span | None) -> None:
    """RX404: a rule (or its `find:`, or a condition) would compile to more than MAX_PATTERN_CHARS."""
    bag.add("RX404", f"the compiled pattern of {what} is too large (about {_kb(size)} of regex; "
            f"the limit is {_kb(MAX_PATTERN_CHARS)})", span, TOO_LARGE_HINT)


def too_deep(bag: DiagnosticBag, what: str, span: Span | None) -> None:
    """RX404 for a pattern nested too deeply to be checked or compiled (Python's recursion limit)."""
    bag.add("RX404", f"the pattern of {what} is nested too deeply (sub-patterns within sub-patterns) "
            "to be compiled", span, "use fewer levels of sub-patterns and groups")


def _kb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} KB"


class _Checker:
    """Walks every rule and define once, reporting what is wrong or unused."""

    def __init__(self, pack: ResolvedPack, bag: DiagnosticBag):
        self.pack, self.bag = pack, bag
        self.used_names: set[str] = set()
        self.explored: set[str] = set()  # defines and sub-rules whose patterns were followed for cycles

    def run(self) -> None:
        for define in self.pack.defines.values():  # one may match the empty string (a look-ahead
            try:                                   # written once): the rules using it may not
                self.pattern(define.pattern, (define.name,))
            except RecursionError:
                too_deep(self.bag, f"sub-pattern `{define.name}`", define.span)
        for rule in self.pack.rules:
            try:
                self.rule(rule)
            except RecursionError:
                too_deep(self.bag, f"rule `{rule.id}`", rule.pattern_span or rule.span)
        self.examples_and_shadows()
        self.dateline()
        self.links()
        maybe_used = {word for text in self.pack.unparsed for word in regex.findall(r"\w+", text)}
        for name, define in self.pack.defines.items():
            if name not in self.used_names | maybe_used:
                self.bag.add("RX601", f"sub-pattern `{name}` is never used", define.span)
        outputs = set(self.pack.manifest.output)
        for lexicon in self.pack.lexicons:
            if not ({lexicon.name, lexicon.family, lexicon.type} & (self.used_names | outputs | maybe_used)):
                self.bag.add("RX602", f"lexicon `{lexicon.name}` ({lexicon.type}) is not used by any rule "
                             "and its type is not in the pack's `output`", Span(lexicon.file, 0, 0, 1, 1),
                             f"use it in a slot {{role:{lexicon.type}}}, or add {lexicon.type} to `output` in pack.yaml")

    def size(self, rule: ast.Rule) -> None:
        """RX404 when the rule's regex (or that of one of its `find:` clauses) would be too large."""
        total = sum(pattern_size(p, self.pack, (rule.id,))
                    for p in (rule.pattern, *(c.pattern for c in ast.context_conditions(rule))) if p is not None)
        if total > MAX_PATTERN_CHARS:
            too_large(self.bag, f"rule `{rule.id}`", total, rule.pattern_span or rule.span)
        for search in rule.searches:
            size = pattern_size(search.pattern, self.pack, (rule.id,))
            if size > MAX_PATTERN_CHARS:
                too_large(self.bag, f"the `find:` of rule `{rule.id}`", size, search.pattern.span)

    def rule(self, rule: ast.Rule) -> None:
        """Check one rule: its pattern, conditions, `find:` clauses, examples' roles and size."""
        self.pattern(rule.pattern, (rule.id,))
        for condition in ast.context_conditions(rule):
            self.pattern(condition.pattern, (rule.id,))
            if min_words(condition.pattern, self.pack, (rule.id,)) == 0:
                found = "the rule could never match" if condition.negated else "it holds everywhere"
                self.bag.add("RX401", f"the `{condition.keyword}` condition of rule `{rule.id}` can match the empty "
                             f"string, which is found everywhere: {found}", condition.pattern.span,
                             "make at least one part of the condition required")
        if min_words(rule.pattern, self.pack, (rule.id,)) == 0:
            self.bag.add("RX401", f"the pattern of rule `{rule.id}` can match the empty string",
                         rule.pattern_span or rule.span,
                         "a rule must match at least one word: make some part required")
        for search in rule.searches:
            self.search(rule, search)
        roles = self.rule_roles(rule)
        attributes = [f for f in rule.sets if f.name not in roles]
        if rule.kind == "entity" and attributes:
            self.bag.add("RX308", f"`set:` gives attributes to events; rule `{rule.id}` makes the entity type "
                         f"`{rule.type}`, which carries none, and `{attributes[0].name}` is none of its roles",
                         attributes[0].span, "move the rule under an `event:` header, or name one of the rule's "
                         f"roles to give its arguments a value ({', '.join(sorted(roles)) or 'it has none'})")
        declared = {a.name for a in self.pack.manifest.attributes}
        for fixed in rule.sets:
            if fixed.name in roles and fixed.name in declared:
                self.bag.add("RX308", f"`set: {fixed.name}` is ambiguous: `{fixed.name}` is both a role of rule "
                             f"`{rule.id}` and an attribute the pack declares", fixed.span,
                             "rename the role (`{" + f"{fixed.name}_" + ":...}`) or the attribute")
        for example in rule.examples:
            for arg in example.expected:
                if arg.role not in roles:
                    self.bag.add("RX307", f"rule `{rule.id}` has no argument `{arg.role}`", arg.span,
                                 did_you_mean(arg.role, sorted(roles)) or
                                 ("its arguments: " + ", ".join(sorted(roles)) if roles else "it has no arguments"))
        self.size(rule)

    def examples_and_shadows(self) -> None:
        """Warn about rules without an example, and rules another rule always beats: the same
        pattern and type with a higher priority (or the same priority and an earlier id)."""
        manifest = self.pack.manifest
        by_pattern: dict[tuple[str, str], list[ast.Rule]] = {}
        for rule in self.pack.rules:
            if rule.id == manifest.dateline:
                continue
            standalone = rule.kind == "event" or rule.type in manifest.output
            if standalone and not rule.examples:
                self.bag.add("RX604", f"rule `{rule.id}` has no example", rule.span,
                             "add `example:` lines (sentences it must match) and `counter:` lines (sentences it must not)")
            if rule.pattern is not None:
                try:
                    by_pattern.setdefault((rule.type, printer.pattern_text(rule.pattern)), []).append(rule)
                except RecursionError:
                    continue  # reported as RX404 by `rule`
        for same in by_pattern.values():
            if len(same) < 2:
                continue
            winner = min(same, key=lambda r: (-r.priority, r.id))
            for rule in same:
                if rule is not winner and (rule.overlap or manifest.overlap) != "all" \
                        and not ast.context_conditions(rule):
                    self.bag.add("RX605", f"rule `{rule.id}` is shadowed by `{winner.id}` (same pattern and type, "
                                 f"priority {winner.priority} vs {rule.priority}): it can never produce a match",
                                 rule.span, f"delete one of them, or change the pattern (see {winner.span})")

    def search(self, rule: ast.Rule, search: ast.Search) -> None:
        """A `find:` clause: a pattern like any other, which must fill a role and match a word."""
        self.pattern(search.pattern, (rule.id,))
        if min_words(search.pattern, self.pack, (rule.id,)) == 0:
            self.bag.add("RX401", f"the `find:` pattern of rule `{rule.id}` can match the empty string",
                         search.pattern.span, "make at least one part of it required")
        if not slot_roles(search.pattern) | self.define_roles(search.pattern):
            self.bag.add("RX310", f"the `find:` pattern of rule `{rule.id}` fills no role", search.pattern.span,
                         "a `find:` looks for arguments: give it a slot such as {place:Place}")

    def links(self) -> None:
        """Each link names two event types of the pack, roles they have, and a slot-free `joined by`."""
        roles_of: dict[str, set[str]] = {}
        for rule in self.pack.rules:
            if rule.kind == "event":
                roles = roles_of.setdefault(rule.type, set())
                try:
                    roles |= self.rule_roles(rule)
                except RecursionError:
                    pass  # reported as RX404 by `rule`
        for _ in range(2):  # a role a link gives is a role of its type for the next link
            for link in self.pack.links:
                if all(t in roles_of for t in link.types):
                    for pair in link.share:
                        if pair.second in roles_of[link.types[1]]:
                            roles_of[link.types[0]].add(pair.first)
                        if pair.first in roles_of[link.types[0]]:
                            roles_of[link.types[1]].add(pair.second)
        for link in self.pack.links:
            for type_name in link.types:
                if type_name not in roles_of:
                    self.bag.add("RX301", f"link `{link.id}` names `{type_name}`, which no event rule makes",
                                 link.span, did_you_mean(type_name, sorted(roles_of)) or
                                 "event types in this pack: " + ", ".join(sorted(roles_of)))
            for pair in link.share:  # one side may lack the role: it is what the link gives it
                sides = list(zip(link.types, (pair.first, pair.second)))
                if all(t in roles_of and role not in roles_of[t] for t, role in sides):
                    known = sorted(roles_of[link.types[0]] | roles_of[link.types[1]])
                    self.bag.add("RX307", f"no rule of `{link.types[0]}` or `{link.types[1]}` has an argument "
                                 f"`{pair.first}`" + (f" or `{pair.second}`" if pair.second != pair.first else ""),
                                 pair.span, did_you_mean(pair.first, known) or "their roles: " + ", ".join(known))
            if link.joined_by is not None:
                slots = [n for n in ast.walk(link.joined_by) if isinstance(n, (ast.Slot, ast.RawRegex))]
                if slots:
                    self.bag.add("RX311", f"`joined by:` of link `{link.id}` holds a slot or a regex", slots[0].span,
                                 "write the words that join the two events: `\",\" | which | that | in`")
                elif min_words(link.joined_by, self.pack, (link.id,)) == 0:
                    self.bag.add("RX401", f"`joined by:` of link `{link.id}` can match the empty string",
                                 link.joined_by.span, "events that touch are linked anyway: make every part required")
            for example in link.examples:
                for arg in example.expected:
                    type_name, _, role = arg.role.rpartition(".")
                    if type_name not in link.types:
                        self.bag.add("RX307", f"an expectation of link `{link.id}` must name its event type: "
                                     f"`{link.types[0]}.{role}` or `{link.types[1]}.{role}`", arg.span)

    def dateline(self) -> None:
        """The manifest's `dateline` must name a rule of the pack with a Time argument."""
        manifest = self.pack.manifest
        if manifest.dateline is None:
            return
        rule = next((r for r in self.pack.rules if r.id == manifest.dateline), None)
        if rule is None:
            self.bag.add("RX309", f"`dateline` names no rule: `{manifest.dateline}`", manifest.dateline_span,
                         did_you_mean(manifest.dateline, [r.id for r in self.pack.rules]) or
                         "write the id of a rule with a {date:Time} slot")
        elif not any(isinstance(n, ast.Slot) and n.role and any(t.name == "Time" for t in n.types)
                     for n in ast.walk(rule.pattern)):
            self.bag.add("RX309", f"the dateline rule `{rule.id}` has no Time argument", manifest.dateline_span,
                         "give it a slot such as {date:Time}")

    def rule_roles(self, rule: ast.Rule) -> set[str]:
        """Every role a rule can fill: its pattern's, its defines' and its `find:` clauses'."""
        return {role for node in (rule.pattern, *(s.pattern for s in rule.searches))
                for role in slot_roles(node) | self.define_roles(node)}

    def define_roles(self, node: ast.Pattern, seen: tuple[str, ...] = ()) -> set[str]:
        """The roles the defines used in a pattern fill (each define's worked out once)."""
        roles: set[str] = set()
        for n in ast.walk(node):
            if isinstance(n, ast.Slot):
                for ref in n.types:
                    if ref.name in self.pack.defines and ref.name not in seen:
                        roles |= through(self.pack, "roles", "define", ref.name, seen,
                                          lambda p, s: slot_roles(p) | self.define_roles(p, s))
        return roles

    def pattern(self, node: ast.Pattern, stack: tuple[str, ...], report: bool = True) -> None:
        """Check one pattern; inside a used define or sub-rule (`report` False) only look for cycles."""
        for n in ast.walk(node):
            if report and isinstance(n, ast.Repeat) and n.max is None:
                what = "gap" if isinstance(n.item, ast.AnyWord) else "repetition"
                self.bag.add("RX402", f"unbounded {what}", n.span,
                             "give it a limit: `_{0,4}` is a gap of up to 4 words, `x{1,5}` repeats x up to 5 times")
            if report and isinstance(n, ast.Literal) and not literal_words(n.text):
                self.bag.add("RX607", f"`{n.text}` can never match: hyphens and dashes count as spaces between words",
                             n.span, "leave it out: words written with a hyphen between them match with a hyphen or "
                             "a space there, and `_` is any one word")
            if isinstance(n, ast.Slot):
                for ref in n.types:
                    self.type_ref(ref, stack, report)
                if report and n.nested and not n.role:
                    self.bag.add("RX310", f"`with {n.nested[0].role}:...` is inside a slot that captures no role",
                                 n.nested[0].span, "name the outer slot's role: {victim:Phrase with casualties:Quantity}")
                for nested in n.nested:
                    for ref in nested.types:
                        self.type_ref(ref, stack, report)
                        kinds = {m.kind for m in self.pack.names.get(ref.name, ())}
                        if report and kinds and not kinds & {"lexicon", "builtin"}:
                            self.bag.add("RX310", f"`with {nested.role}:{ref.name}` needs a lexicon or built-in "
                                         f"type, found inside the captured text; `{ref.name}` is not one",
                                         ref.span, "for example {victim:Phrase with casualties:Quantity}")

    def type_ref(self, ref: ast.TypeRef, stack: tuple[str, ...], report: bool) -> None:
        meanings = self.pack.names.get(ref.name)
        if not meanings:
            if not report:
                return
            known = sorted(self.pack.names)
            lexicons = sorted({lx.name for lx in self.pack.lexicons} | {lx.type for lx in self.pack.lexicons})
            same_case = [k for k in known if k[:1].isupper() == ref.name[:1].isupper()]
            self.bag.add("RX301", f"unknown type `{ref.name}`", ref.span,
                         did_you_mean(ref.name, same_case) or did_you_mean(ref.name, known) or
                         "types in this pack: " + ", ".join(t for t in known if t[:1].isupper()) +
                         (f"; lexicons: {', '.join(lexicons)}" if lexicons else ""))
            return
        self.used_names.add(ref.name)
        for meaning in meanings:
            if meaning.kind == "lexicon":
                self.used_names.update(self.pack.lexicons[i].name for i in meaning.lexicons)
            targets = (ref.name,) if meaning.kind == "define" else meaning.rules if meaning.kind == "rules" else ()
            for target in targets:
                if target in stack:
                    self.bag.add("RX304", f"`{target}` refers to itself through `{ref.name}`"
                                 + (f" ({' → '.join(stack + (target,))})" if len(stack) > 1 else ""),
                                 ref.span, "a rule or sub-pattern cannot contain itself")
                    continue
                if target in self.explored:  # its names are marked used, its cycles reported: once is enough
                    continue
                self.pattern(self.pack.target(meaning.kind, target), stack + (target,), report=False)
                self.explored.add(target)
