"""Where rules run: which words a rule needs, and in which sentences of a text each rule is tried.

A regex tried on every sentence of every document would cost far more than the matching
itself, so every rule is placed before it runs, in three steps:

1. when a rule is compiled (`anchors`, `requirements`, `near`, `outline`): its *anchors*, the
   words or lexicon mentions of which one occurs wherever it matches; its *required clauses*,
   one such set per required item; for a rule tried at its anchor, its *near conditions*, the
   words or lexicon mentions that must stand within a few words of the anchor; and its
   *outline*, a regex of its words in order and near enough, which a sentence must match;
2. when a program is built (`place`): one `Placement` for all rules, a literal scanner of
   every anchor word and index of clauses and conditions by rule, word and lexicon;
3. for each text (`plan`): one scan of anchor words picks the paragraphs worth splitting into
   sentences and the rules worth trying in each; a rule stays a candidate in a sentence only
   if each of its clauses is met there, and is skipped where no occurrence of its anchor meets
   its near conditions (`viable_starts`) and, in an ASCII sentence, where its outline does not
   match. The result is a `Plan`.

Planning only ever leaves out a rule where its regex cannot match, so output is the same as
trying every rule on every sentence.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

import regex

from . import ast, memo
from .forms import literal_words, word_forms
from .lexicons import Lexicon, surface_variants
from .mentions import find_mentions
from .resolve import ResolvedPack, through
from .scanner import LiteralScanner
from .segment import Paragraphs, bounded, normalise, sentences_in
from .view import Mention

if TYPE_CHECKING:
    from .compiler import CompiledRule
    from .program import AliasEntry, Program

COMMON_WORDS = frozenset("""the a an of in on at to and or by for with from as is was were be are has have
had it its that this he she they we his her their not no said says""".split())


class AnchorKind(Enum):
    WORD = "word"
    LEXICON = "lexicon"


@dataclass(frozen=True, slots=True)
class Anchor:
    """A word (lower case) or a mention of a lexicon (its index) one of a set of which occurs
    wherever a rule matches."""
    kind: AnchorKind
    value: str | int

    @classmethod
    def word(cls, word: str) -> Anchor:
        return cls(AnchorKind.WORD, word)

    @classmethod
    def lexicon(cls, index: int) -> Anchor:
        return cls(AnchorKind.LEXICON, index)


Clause = tuple[Anchor, ...]  # one of these must occur in a sentence for a rule to match there


@dataclass(frozen=True, slots=True)
class NearCondition:
    """What must stand next to an occurrence of a rule's anchor: a mention of one of the
    lexicons `values` (kind LEXICON) or one of the words `values` (kind WORD), at most `runs`
    runs of non-space characters away from it."""
    kind: AnchorKind
    values: frozenset[str] | frozenset[int]
    runs: int


@dataclass(frozen=True, slots=True)
class Near:
    """A rule's near conditions, walking out from its anchor to the left and to the right."""
    before: tuple[NearCondition, ...]
    after: tuple[NearCondition, ...]


@dataclass(frozen=True, slots=True)
class Edge:
    """What some aliases start (or end) with: a whole run of letters and digits, `words`, or
    else one of the characters `chars`."""
    words: frozenset[str]
    chars: frozenset[str]


@dataclass(frozen=True, slots=True)
class AliasEdges:
    """How a lexicon's aliases start and end (`alias_edges`)."""
    first: Edge
    last: Edge


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    """A near condition, with the edges of its lexicons' aliases (for a lexicon condition, when
    they are known): an alias can stand before an anchor only if the text there has one of
    the words or characters they end with."""
    condition: NearCondition
    edges: AliasEdges | None


@dataclass(frozen=True, slots=True)
class RuleConditions:
    """A rule's near conditions, as indices into `NearIndex.checks`."""
    rule: int
    before: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True)
class NearIndex:
    """Per anchor word's tuple of rules, those with near conditions; the conditions, each once."""
    by_anchor: dict[tuple[int, ...], tuple[RuleConditions, ...]]
    checks: tuple[ConditionCheck, ...]


@dataclass(frozen=True, slots=True)
class AnchorWord:
    """What an anchor word found in a text stands for: the rules it anchors and the required
    clauses it meets (indices into `Placement.rule_clauses`' sets)."""
    rules: tuple[int, ...]
    clauses: tuple[int, ...]


@dataclass(frozen=True)
class Placement:
    """Where each rule of a program may run, built once per program (`place`)."""
    word_anchors: LiteralScanner | None = field(compare=False)  # whole words -> AnchorWord
    lexicon_anchors: dict[int, tuple[int, ...]] = field(default_factory=dict)  # lexicon -> rules it anchors
    every_sentence: tuple[int, ...] = ()                  # rules with no anchor
    rule_clauses: tuple[frozenset[int], ...] = ()         # rule -> the clauses it requires
    rule_word_clauses: tuple[frozenset[int], ...] = ()    # ... those that only words can meet
    lexicon_clauses: dict[int, tuple[int, ...]] = field(default_factory=dict)  # lexicon -> clauses it meets
    near: tuple[Near | None, ...] = ()                    # rule -> its near conditions
    near_index: NearIndex | None = None                   # None: no rule has near conditions
    unconditioned: frozenset[int] = frozenset()           # rules without near conditions
    outlines: tuple[str | None, ...] = ()                 # rule -> its outline (`outline`)


@dataclass(frozen=True)
class Plan:
    """Where in a text which rules will run, and the lexicon mentions found there."""
    sentences: list[tuple[int, int]]
    starts: list[int]                                # sentence starts, for bisect
    candidates: dict[int, set[int]]                  # sentence index -> rule indices
    by_sentence: dict[int, list[Mention]]            # sentence index -> lexicon mentions in it
    mentions: list[Mention]
    skip: dict[int, set[int]] = field(default_factory=dict)  # sentence index -> candidates that cannot match there

    def sentence_of(self, offset: int) -> int:
        """The index of the sentence holding `offset`, or -1."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index if index >= 0 and offset < self.sentences[index][1] else -1


@dataclass(frozen=True, slots=True)
class _Hit:
    """Where an anchor of some rules was found (a word's end, a mention's start) in a text."""
    at: int
    rules: tuple[int, ...]
    clauses: tuple[int, ...]


# ---- 1. what a rule needs (at compile time) -----------------------------------------------

def anchors(node: ast.Pattern, pack: ResolvedPack, stack: tuple[str, ...] = ()) -> tuple[Anchor, ...] | None:
    """Anchors of which at least one occurs in any text the pattern matches; None if unknown."""
    if isinstance(node, ast.Literal):
        chunks = re.findall(r"[^\W_]+", normalise(node.text).lower())
        return (Anchor.word(max(chunks, key=len)),) if chunks else None  # a whole word of the literal
    if isinstance(node, ast.WordForms):
        forms = {f for lemma in node.lemmas for f in word_forms(lemma)}
        return tuple(Anchor.word(f) for f in sorted(forms))
    if isinstance(node, ast.Sequence):
        options = [a for a in (anchors(i, pack, stack) for i in node.items) if a]
        return min(options, key=_cost) if options else None
    if isinstance(node, ast.Alternation):
        per_option = [anchors(o, pack, stack) for o in node.options]
        known = [o for o in per_option if o is not None]
        if len(known) < len(per_option):
            return None
        return tuple(dict.fromkeys(a for o in known for a in o))
    if isinstance(node, ast.Repeat):
        return anchors(node.item, pack, stack) if node.min >= 1 else None
    if isinstance(node, ast.Slot):
        found: list[Anchor] = []
        for ref in node.types:
            for meaning in pack.names.get(ref.name, ()):
                if meaning.kind == "lexicon":
                    found.extend(Anchor.lexicon(i) for i in meaning.lexicons)
                elif meaning.kind == "define" and ref.name not in stack:
                    inner = _anchors_of(pack, "define", ref.name, stack)
                    if inner is None:
                        return None
                    found.extend(inner)
                elif meaning.kind == "rules":
                    for rule_id in meaning.rules:
                        inner = None if rule_id in stack else _anchors_of(pack, "rules", rule_id, stack)
                        if inner is None:
                            return None
                        found.extend(inner)
                else:
                    return None
        return tuple(dict.fromkeys(found)) or None
    return None


def _anchors_of(pack: ResolvedPack, kind: str, name: str, stack: tuple[str, ...]) -> tuple[Anchor, ...] | None:
    """The anchors of a define or sub-rule, worked out once per pack (`resolve.through`)."""
    found: tuple[Anchor, ...] | None = through(pack, "anchors", kind, name, stack,
                                               lambda pattern, inner: anchors(pattern, pack, inner))
    return found


def _cost(options: tuple[Anchor, ...]) -> float:
    """How often an anchor set is expected to fire: fewer, longer, rarer words are better."""
    total = 0.0
    for anchor in options:
        if anchor.kind is AnchorKind.LEXICON:
            total += 25.0  # names of places and actors are far commoner than any one content word
        else:
            word = str(anchor.value)
            total += 100.0 if word in COMMON_WORDS or len(word) < 3 else 8.0 / len(word)
    return total


def requirements(items: list[ast.Pattern], pack: ResolvedPack) -> tuple[Clause, ...]:
    """For each required top-level item, the anchors of which one must occur in a sentence for
    the rule to match there; items whose anchors are common words are left out (checking them
    costs more than it saves)."""
    found = []
    for item in items:
        if isinstance(item, ast.Repeat) and item.min == 0:
            continue
        options = anchors(item, pack)
        if options and _cost(options) < 100:
            found.append(options)
    return tuple(dict.fromkeys(found))


def rarest_item(items: list[ast.Pattern], pack: ResolvedPack) -> int | None:
    """The index of the required top-level item whose anchors are rarest."""
    best, best_cost = None, None
    for index, item in enumerate(items):
        if isinstance(item, ast.Repeat) and item.min == 0:
            continue
        found = anchors(item, pack)
        if found and (best_cost is None or _cost(found) < best_cost):
            best, best_cost = index, _cost(found)
    return best


def split_point(items: list[ast.Pattern], pack: ResolvedPack) -> int | None:
    """The index of the required top-level item whose anchors are rarest, if it is not the first."""
    best = rarest_item(items, pack)
    return best if best else None  # at 0 there is nothing to split off: the rule starts at its anchor


def near(items: list[ast.Pattern], split: int, pack: ResolvedPack,
         rule_anchors: tuple[Anchor, ...] | None) -> Near | None:
    """For a rule tried at its anchor (item `split`): what must be found before each occurrence of
    the anchor and after it. None if nothing is known.

    Walking out from the anchor, every required item is a condition while every item between
    it and the anchor is bounded (a lexicon slot is the last one): separators hold nothing but
    spaces and markers, so the text between holds no more runs than the items between can
    match. A word condition is a required literal or word form item: the word its match ends
    (before) or starts (after) with. The anchor must be plain words (each match of the finder is
    one anchor word, starting and ending with it) and those words must be the rule's anchors, so
    each anchor hit of the rule is an occurrence."""
    words = _plain_words(items[split])
    if not words or rule_anchors is None or set(rule_anchors) != {Anchor.word(w) for w in words}:
        return None
    before = _conditions(reversed(items[:split]), pack, -1)
    after = _conditions(items[split + 1:], pack, 0)
    return Near(before, after) if before or after else None


def _conditions(items: Iterable[ast.Pattern], pack: ResolvedPack, edge: int) -> tuple[NearCondition, ...]:
    out: list[NearCondition] = []
    runs = 0
    for item in items:
        lexicons = _lexicon_slot(item, pack)
        if lexicons is not None:
            out.append(NearCondition(AnchorKind.LEXICON, lexicons, runs))
            break
        words = _edge_words(item, edge)
        if words:
            out.append(NearCondition(AnchorKind.WORD, frozenset(words), runs))
        more = _max_runs(item)
        if more is None:
            break
        runs += more
    return tuple(out)


def _edge_words(node: ast.Pattern, edge: int) -> set[str] | None:
    """The words a required item's match starts (edge 0) or ends (edge -1) with, when each is a
    whole run of ASCII letters and digits (so a whole word of the text, as lower-cased)."""
    if isinstance(node, ast.WordForms):
        forms = _plain_words(node)
        return {re.findall(r"[^\W_]+", f)[edge] for f in forms} if forms and all(f.isascii() for f in forms) else None
    if isinstance(node, ast.Literal):
        words = literal_words(node.text)
        if words and words[edge].isascii() and re.fullmatch(r"[^\W_]+", words[edge]):
            return {words[edge].lower()}
        return None
    if isinstance(node, ast.Alternation):
        out: set[str] = set()
        for option in node.options:
            found = _edge_words(option, edge)
            if not found:
                return None
            out |= found
        return out
    return None


def _plain_words(node: ast.Pattern) -> set[str] | None:
    """The words the node matches when it is plain words (word forms, one-word literals, or a choice of them)."""
    if isinstance(node, ast.WordForms):  # forms that start and end with a letter or digit, as anchor hits see them
        forms = {f for lemma in node.lemmas for f in word_forms(lemma)}
        return forms if all(f.isascii() and re.fullmatch(r"[^\W_](?:.*[^\W_])?", f) for f in forms) else None
    if isinstance(node, ast.Literal):  # ASCII only: in ASCII text they match where their lower case occurs, no more
        words = literal_words(node.text)
        if len(words) == 1 and words[0].isascii() and re.fullmatch(r"[^\W_]+", words[0]):
            return {words[0].lower()}
        return None
    if isinstance(node, ast.Alternation):
        out: set[str] = set()
        for option in node.options:
            found = _plain_words(option)
            if found is None:
                return None
            out |= found
        return out
    return None


def _lexicon_slot(node: ast.Pattern, pack: ResolvedPack) -> frozenset[int] | None:
    """The lexicons of a slot that can be filled only by a lexicon mention."""
    if not isinstance(node, ast.Slot):
        return None
    found: set[int] = set()
    for ref in node.types:
        meanings = pack.names.get(ref.name, ())
        if not meanings or any(m.kind != "lexicon" for m in meanings):
            return None
        for meaning in meanings:
            found.update(meaning.lexicons)
    return frozenset(found) or None


def _max_runs(node: ast.Pattern) -> int | None:
    """At most how many runs of non-space characters the node's match can hold; None if unbounded."""
    if isinstance(node, ast.Literal):
        words = literal_words(node.text)
        return 2 * len(words) - 1 if words else 0  # words joined by spaces, or hyphens with spaces around
    if isinstance(node, ast.WordForms):
        forms = {f for lemma in node.lemmas for f in word_forms(lemma)}
        return max((len(f.split()) + f.count("-") * 2 for f in forms), default=0)
    if isinstance(node, ast.AnyWord):
        return 1
    if isinstance(node, ast.Sequence):
        parts = [_max_runs(i) for i in node.items]
        known = [p for p in parts if p is not None]
        return None if len(known) < len(parts) else sum(known)
    if isinstance(node, ast.Alternation):
        parts = [_max_runs(o) for o in node.options]
        known = [p for p in parts if p is not None]
        return None if len(known) < len(parts) else max(known, default=0)
    if isinstance(node, ast.Repeat):
        inner = _max_runs(node.item)
        return None if inner is None or node.max is None else inner * node.max
    return None  # slots, raw regexes


@dataclass(frozen=True, slots=True)
class Shape:
    """What a pattern node's match looks like in its sentence's lower-cased text without
    markers: a regex (`source`, None if nothing is known) that matches inside it, at most
    `lead` runs of non-space characters after the match starts and `trail` runs before it
    ends (None: any number), and at most `runs` runs in all (None: unbounded)."""
    source: str | None
    lead: int | None = 0
    trail: int | None = 0
    runs: int | None = None


_UNKNOWN = Shape(None)
_MAX_EDGE_WORDS = 60  # a lexicon slot is outlined by the words its aliases end (or start) with, if so few


def outline(node: ast.Pattern, pack: ResolvedPack) -> str | None:
    """A regex over a sentence's lower-cased text (markers left out) that matches wherever the
    rule's pattern can match in it (None if no such regex is known): its words, in order, with
    no more runs of non-space characters between them than the items between can match.
    Planning skips a rule in an ASCII sentence its outline does not match (`place`, `plan`)."""
    return _shape(node, pack, ()).source


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _most(values: Iterable[int | None]) -> int | None:
    found = list(values)
    return None if None in found else max((v for v in found if v is not None), default=0)


_SPACE, _RUN = r"[\t-\r ]", r"[^\t-\r ]"  # the regex module's \s in ASCII text (Python's also has \x1c-\x1f)
_BEFORE, _AFTER = r"(?<![a-z0-9])", r"(?![a-z0-9])"


def _gap(runs: int | None) -> str:
    """Text of at most `runs` runs of non-space characters and the spaces around them, or any text."""
    if runs is None:
        return r"(?s:.*?)"
    return f"{_SPACE}*" if runs == 0 else f"{_RUN}*(?:{_SPACE}+{_RUN}*){{0,{runs + 1}}}"


def _words_source(words: Iterable[str]) -> str:
    """Whole words: no ASCII letter or digit right before or after (as a mention never starts
    or ends between two letters or digits, the text without markers has the same edges)."""
    return _BEFORE + "(?:" + "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")" + _AFTER


def _plain(word: str) -> bool:
    return word.isascii() and re.fullmatch(r"[a-z0-9]+", word) is not None


def _shape(node: ast.Pattern, pack: ResolvedPack, stack: tuple[str, ...]) -> Shape:
    if isinstance(node, ast.Literal):
        words = [w.lower() for w in literal_words(node.text)]
        runs = 2 * len(words) - 1 if words else 0
        if not words or not all(map(_plain, words)):
            return Shape(None, runs=runs)
        return Shape(_BEFORE + r"[\s-]*".join(words) + _AFTER, runs=runs)
    if isinstance(node, ast.WordForms):
        forms = {f.lower() for lemma in node.lemmas for f in word_forms(lemma)}
        runs = max((len(f.split()) + f.count("-") * 2 for f in forms), default=0)
        if not forms or not all(all(map(_plain, f.split(" "))) for f in forms):
            return Shape(None, runs=runs)
        return Shape(_words_source(forms), runs=runs)
    if isinstance(node, ast.AnyWord):
        return Shape(None, runs=1)
    if isinstance(node, ast.Sequence):
        return _sequence([_shape(item, pack, stack) for item in node.items])
    if isinstance(node, ast.Alternation):
        return _choice([_shape(option, pack, stack) for option in node.options])
    if isinstance(node, ast.Repeat):
        inner = _shape(node.item, pack, stack)
        most = None if node.max is None or inner.runs is None else inner.runs * node.max
        if node.min == 0 or inner.source is None:
            return Shape(None, runs=most)
        more = None if node.max is None or inner.runs is None else inner.runs * (node.max - 1)
        return Shape(inner.source, inner.lead, _add(inner.trail, more), most)
    if isinstance(node, ast.Slot):
        options: list[Shape] = []
        for ref in node.types:
            meanings = pack.names.get(ref.name, ())
            if not meanings:
                return _UNKNOWN
            for meaning in meanings:
                if meaning.kind == "define" and ref.name not in stack:
                    options.append(_shape(pack.defines[ref.name].pattern, pack, stack + (ref.name,)))
                elif meaning.kind == "lexicon":
                    options.extend(_lexicon_shape(pack, i) for i in meaning.lexicons)
                else:
                    return _UNKNOWN
        return _choice(options) if options else _UNKNOWN
    return _UNKNOWN  # raw regexes


def _sequence(shapes: list[Shape]) -> Shape:
    """Items one after the other, separated by spaces (markers left out)."""
    parts: list[str] = []
    lead: int | None = 0
    pending: int | None = 0  # runs since the last item with a source (or since the start)
    for shape in shapes:
        if shape.source is None:
            pending = _add(pending, shape.runs)
            continue
        if parts:
            gap = _add(pending, shape.lead)
            if gap == 0 and parts[-1].endswith(_AFTER) and shape.source.startswith(_BEFORE):
                # two whole words with only spaces between: some space, then no need for the edges
                parts[-1] = parts[-1][:-len(_AFTER)] + f"{_SPACE}+"
                parts.append(shape.source[len(_BEFORE):])
                pending = shape.trail
                continue
            parts.append(_gap(gap))
        else:
            lead = _add(pending, shape.lead)
        parts.append(shape.source)
        pending = shape.trail
    runs = 0 if not shapes else None
    if shapes and all(s.runs is not None for s in shapes):
        runs = sum(s.runs for s in shapes if s.runs is not None)
    if not parts:
        return Shape(None, runs=runs)
    return Shape("".join(parts), lead, pending, runs)  # a choice puts its options in a group


def _choice(shapes: list[Shape]) -> Shape:
    """One of the options: known only if each option's source is (the most runs any option
    leaves before or after its source bound all)."""
    runs = _most(s.runs for s in shapes)
    if not shapes or any(s.source is None for s in shapes):
        return Shape(None, runs=runs)
    sources = list(dict.fromkeys(s.source for s in shapes if s.source is not None))
    if len(sources) == 1:
        source = sources[0]
    elif all(s.startswith(_BEFORE) and s.endswith(_AFTER) for s in sources):  # the edges once, not per option
        source = _BEFORE + "(?:" + "|".join(s[len(_BEFORE):-len(_AFTER)] for s in sources) + ")" + _AFTER
    else:
        source = "(?:" + "|".join(sources) + ")"
    return Shape(source, _most(s.lead for s in shapes), _most(s.trail for s in shapes), runs)


def _lexicon_shape(pack: ResolvedPack, index: int) -> Shape:
    """A mention of a lexicon: one of its aliases (as scanned: lower case, whole words), by the
    words it ends with (or else starts with) when they are few; unknown for a lexicon with near
    misses (`fuzzy:`)."""
    key = ("outline-lexicon", index)
    found: Shape | None = pack.memo.get(key)
    if found is None:
        found = pack.memo[key] = _kept_lexicon_outline(pack.lexicons[index])
    return found


# The outlines of large lexicons, by their aliases: working one out for 48,000 aliases takes
# about a second, which every compile after an edit of a rule paid again (the edit loop).
LEXICON_OUTLINES = memo.Store("lexicon-outlines", memo.code_version(), limit=64)  # type: ignore[has-type]  # an import cycle
OUTLINE_WORTH_KEEPING = 2_000  # aliases


def _kept_lexicon_outline(lexicon: Lexicon) -> Shape:
    """`_lexicon_outline`, from LEXICON_OUTLINES for a large lexicon whose aliases did not change."""
    aliases = [alias for entry in lexicon.entries for alias in entry.aliases]
    if len(aliases) < OUTLINE_WORTH_KEEPING:
        return _lexicon_outline(lexicon)
    digest = hashlib.sha256("\n".join(aliases).encode("utf-8", "surrogatepass")).hexdigest()
    key = (digest, lexicon.fuzzy_min_length)
    found: Shape | None = LEXICON_OUTLINES.get(key)
    if found is None:
        found = _lexicon_outline(lexicon)
        LEXICON_OUTLINES.put(key, found)
    return found


def save_outlines() -> None:
    """Keep the outlines of large lexicons worked out since the last save (once a compile)."""
    LEXICON_OUTLINES.save()


def _lexicon_outline(lexicon: Lexicon) -> Shape:
    if lexicon.fuzzy_min_length:
        return _UNKNOWN
    variants = {v for entry in lexicon.entries for alias in entry.aliases for v in surface_variants(alias)}
    if not variants:
        return Shape("(?!)")
    runs = max(len(v.split()) for v in variants)
    edges = alias_edges((v, (0,)) for v in variants).get(0)
    if edges is None:
        return Shape(None, runs=runs)

    def source(edge: Edge) -> str:
        chars = "".join(sorted(edge.chars))
        parts = ([_words_source(edge.words)] if edge.words else []) + ([f"[{re.escape(chars)}]"] if chars else [])
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    if len(edges.last.words) + len(edges.last.chars) <= _MAX_EDGE_WORDS:
        return Shape(source(edges.last), runs, 0, runs)
    if len(edges.first.words) + len(edges.first.chars) <= _MAX_EDGE_WORDS:
        return Shape(source(edges.first), 0, runs, runs)
    return Shape(None, runs=runs)


# ---- 2. where every rule of a program may run (once per program) ----------------------------

def place(rules: tuple[CompiledRule, ...], edges: dict[int, AliasEdges], interactive: bool = False) -> Placement:
    """The placement of a program's rules: anchor words pick where rules run; a rule's clauses
    (each a set of words or lexicons one of which must occur) must all be met in a sentence;
    `edges` are the program's lexicons' `alias_edges`. `interactive` (`rulex serve`, a program
    built after every edit): the anchor words are scanned by pyahocorasick, built in
    milliseconds, not Hyperscan, which scans a corpus faster but takes 0.2 s to build for
    the conflict pack."""
    words: dict[str, tuple[list[int], list[int]]] = {}  # word -> (rules it anchors, clauses it meets)
    by_lexicon: dict[int, list[int]] = {}
    clause_ids: dict[Clause, int] = {}
    lexicon_clauses: dict[int, list[int]] = {}
    every: list[int] = []
    for index, rule in enumerate(rules):
        if rule.anchors is None:
            every.append(index)
        for anchor in rule.anchors or ():
            if anchor.kind is AnchorKind.WORD:
                words.setdefault(str(anchor.value), ([], []))[0].append(index)
            else:
                by_lexicon.setdefault(int(anchor.value), []).append(index)
        for clause in rule.requires:
            if clause in clause_ids:
                continue
            clause_ids[clause] = len(clause_ids)
            for anchor in clause:
                if anchor.kind is AnchorKind.WORD:
                    words.setdefault(str(anchor.value), ([], []))[1].append(clause_ids[clause])
                else:
                    lexicon_clauses.setdefault(int(anchor.value), []).append(clause_ids[clause])
    word_anchors = LiteralScanner.build({w: AnchorWord(tuple(ids), tuple(clauses)) for w, (ids, clauses) in words.items()},
                                        sparse=not interactive, whole_words=True)
    conditions = tuple(r.near for r in rules)
    near_index = _near_index(conditions, [tuple(ids) for ids, _ in words.values()], edges) if any(conditions) else None
    return Placement(
        word_anchors=word_anchors,
        lexicon_anchors={k: tuple(v) for k, v in by_lexicon.items()},
        every_sentence=tuple(every),
        rule_clauses=tuple(frozenset(clause_ids[c] for c in r.requires) for r in rules),
        rule_word_clauses=tuple(frozenset(clause_ids[c] for c in r.requires
                                          if all(a.kind is AnchorKind.WORD for a in c)) for r in rules),
        lexicon_clauses={k: tuple(v) for k, v in lexicon_clauses.items()},
        near=conditions,
        near_index=near_index,
        unconditioned=frozenset(i for i, n in enumerate(conditions) if n is None),
        # a rule with near conditions has what stands next to its anchor checked already: in
        # generated packs (benchmarks/bench_rules.py) its outline then left out next to nothing
        outlines=tuple(r.outline if r.near is None else None for r in rules))


def _near_index(conditions: tuple[Near | None, ...], anchor_rule_tuples: list[tuple[int, ...]],
                edges: dict[int, AliasEdges]) -> NearIndex:
    """Per tuple of rule indices (an anchor word's), its rules with near conditions; each
    condition once, with its lexicons' alias edges (`viable_starts` reads both)."""
    ids: dict[NearCondition, int] = {}
    by_anchor: dict[tuple[int, ...], tuple[RuleConditions, ...]] = {}

    def id_of(condition: NearCondition) -> int:
        return ids.setdefault(condition, len(ids))

    for rule_ids in anchor_rule_tuples:
        by_anchor[rule_ids] = tuple(
            RuleConditions(r, tuple(map(id_of, found.before)), tuple(map(id_of, found.after)))
            for r in rule_ids if (found := conditions[r]) is not None)

    def union(lexicons: frozenset[int], side: str) -> Edge:
        found = [getattr(edges[lx], side) for lx in lexicons if lx in edges]
        return Edge(frozenset().union(*(e.words for e in found)), frozenset().union(*(e.chars for e in found)) - {""})

    def check(condition: NearCondition) -> ConditionCheck:
        if condition.kind is AnchorKind.WORD or not edges:
            return ConditionCheck(condition, None)
        lexicons = frozenset(int(v) for v in condition.values)
        return ConditionCheck(condition, AliasEdges(union(lexicons, "first"), union(lexicons, "last")))

    return NearIndex(by_anchor, tuple(check(c) for c in ids))


def alias_edges(aliases: Iterable[tuple[str, Iterable[int]]]) -> dict[int, AliasEdges]:
    """Lexicon -> how its aliases start and end: the runs of letters and digits they start or end
    with, and the characters those that start or end otherwise start or end with. `aliases`
    gives each alias with the lexicons it belongs to. Empty if some alias starts or ends with a
    space (nothing is known then)."""
    out: dict[int, tuple[set[str], set[str], set[str], set[str]]] = {}
    for alias, lexicons in aliases:
        if alias != alias.strip():
            return {}
        words = _ALNUM.findall(alias)
        for lexicon in set(lexicons):
            firsts, lasts, other_firsts, other_lasts = out.setdefault(lexicon, (set(), set(), set(), set()))
            if words and alias[:1].isalnum() and alias.startswith(words[0]):
                firsts.add(words[0])
            else:
                other_firsts.add(alias[:1])
            if words and alias[-1:].isalnum() and alias.endswith(words[-1]):
                lasts.add(words[-1])
            else:
                other_lasts.add(alias[-1:])
    return {lx: AliasEdges(Edge(frozenset(f), frozenset(of)), Edge(frozenset(la), frozenset(ol)))
            for lx, (f, la, of, ol) in out.items()}


# ---- 3. where rules run in one text ----------------------------------------------------------

def plan(program: Program, normalised: str, lowered: str, date: dt.date | None = None,
         running: frozenset[int] | set[int] | None = None) -> Plan:
    """The plan of a text (a document, or a window of one: whole paragraphs, see `segment.windows`).
    Anchor words (and lexicon aliases, for rules anchored on them) pick the paragraphs worth
    splitting into sentences and the rules worth trying in each; most text is never split.
    A rule stays a candidate in a sentence only if each of its required clauses is met there.
    A candidate rule with near conditions is skipped (`Plan.skip`) where no occurrence of its
    anchor has next to it what its pattern needs, and a paragraph is split only for a rule that
    is not skipped there; skipped rules still count for what a view marks. With `running` (the
    rules that will run), a rule tried on every sentence that will not run splits none."""
    placement = program.placement
    every_sentence = placement.every_sentence
    if running is not None:  # e.g. the dateline rule, which runs apart from the others
        every_sentence = tuple(r for r in every_sentence if r in running)
    hits: list[_Hit] = []
    found: list[tuple[int, tuple[int, AnchorWord]]] = []
    if placement.word_anchors is not None:  # whole words only: "met" is not in "method"
        found = placement.word_anchors.iter(lowered)
        hits = [_Hit(end, word.rules, word.clauses) for end, (_, word) in found]
    everywhere = bool(placement.lexicon_anchors or program.manifest.output)
    mentions = find_mentions(program, normalised, lowered, 0, None, date) if everywhere else []
    hits += [_Hit(m.start, placement.lexicon_anchors[m.source], ()) for m in mentions
             if m.source in placement.lexicon_anchors]
    if not hits and not mentions and not every_sentence:
        return Plan([], [], {}, {}, mentions)
    # paragraphs are found around the places asked about, or all at once where many will be
    chunks = Paragraphs(normalised, bool(every_sentence), len(found) > _MANY_HITS)
    conditions = placement.near
    viable = None
    if found and placement.near_index and normalised.isascii() and program.aliases.fuzzy is None \
            and program.aliases.scanner is not None:
        present = {r for hit in hits for r in hit.rules}  # a rule is tried only where it has a whole-word hit
        viable = viable_starts(program, normalised, lowered, found, chunks, present)
    if every_sentence:
        wanted = chunks.spans
    else:
        # output entities need their sentence; other mentions matter only where a rule runs
        positions = [m.start for m in mentions] if program.manifest.output else []
        if viable is None:
            positions += [hit.at for hit in hits if hit.rules]
        else:
            in_chunk = {r: {chunks.span(at) for at in starts} for r, starts in viable.items()}
            open_rules = placement.unconditioned.union(viable)  # rules with no conditions or a viable occurrence
            for hit in hits:
                if hit.rules and not open_rules.isdisjoint(hit.rules):
                    chunk = chunks.span(hit.at)
                    if any(conditions[r] is None or chunk in in_chunk.get(r, ()) for r in hit.rules):
                        positions.append(hit.at)
        if not positions:
            return Plan([], [], {}, {}, mentions)
        wanted = sorted({chunks.span(at) for at in positions})
    del found, chunks
    sentences = [s for chunk in wanted for s in bounded(sentences_in(normalised, *chunk), normalised)]
    where = Plan(sentences, [s for s, _ in sentences], defaultdict(set), defaultdict(list), mentions)
    met: dict[int, set[int]] = defaultdict(set)   # sentence index -> clauses met there
    for hit in hits:
        index = where.sentence_of(hit.at)
        if index >= 0:
            if hit.rules:
                where.candidates[index].update(hit.rules)
            if hit.clauses:
                met[index].update(hit.clauses)
    for index in range(len(sentences)) if every_sentence else ():
        where.candidates[index].update(every_sentence)
    for index, candidate_ids in where.candidates.items():  # clauses of words only: no need to look for mentions
        clauses_met = met.get(index, set())
        candidate_ids.intersection_update([r for r in candidate_ids if placement.rule_word_clauses[r] <= clauses_met])
    if viable is not None:
        in_sentence = {r: {where.sentence_of(at) for at in starts} for r, starts in viable.items()}
        for index, candidate_ids in where.candidates.items():
            skip = [r for r in candidate_ids if conditions[r] is not None and index not in in_sentence.get(r, ())]
            if skip:
                where.skip[index] = set(skip)
    if not everywhere:
        where.mentions[:] = [m for index in sorted(where.candidates) if where.candidates[index]
                             and not where.candidates[index] <= where.skip.get(index, set())
                             for m in find_mentions(program, normalised, lowered, *sentences[index], date)]
    for mention in where.mentions:
        index = where.sentence_of(mention.start)
        if index >= 0 and mention.end <= sentences[index][1]:
            where.by_sentence[index].append(mention)
            met[index].update(placement.lexicon_clauses.get(mention.source, ()))
    for index, candidate_ids in where.candidates.items():
        clauses_met = met.get(index, set())
        candidate_ids.intersection_update([r for r in candidate_ids if placement.rule_clauses[r] <= clauses_met])
    if any(placement.outlines):
        _skip_by_outline(placement, where, lowered)
    return where


@functools.cache
def _outline_regex(source: str) -> re.Pattern[str]:
    """An outline compiled (by Python's re, five times faster to compile than the regex module),
    on first use in a process."""
    return re.compile(source)


def _skip_by_outline(placement: Placement, where: Plan, lowered: str) -> None:
    """Adds to `where.skip` the candidates whose outline does not match their sentence: only in
    ASCII sentences, where lower-casing and the regex module's case-insensitive matching agree.
    Skipped rules still count for what a view marks, as those skipped by near conditions."""
    outlines = placement.outlines
    for index, candidate_ids in where.candidates.items():
        skip = where.skip.get(index, ())
        todo = [r for r in candidate_ids if outlines[r] is not None and r not in skip]
        if not todo:
            continue
        start, end = where.sentences[index]
        text = lowered[start:end]
        if not text.isascii():
            continue
        missing = {r for r in todo if _outline_regex(str(outlines[r])).search(text) is None}
        if missing:
            where.skip.setdefault(index, set()).update(missing)


_RUNS_BEFORE = [regex.compile(r"(?r)\s*(?:\S+\s*){0,%d}" % k) for k in range(8)]
_RUNS_AFTER = [re.compile(r"\s*(?:\S+\s*){0,%d}" % k) for k in range(8)]


def _runs_before(k: int) -> regex.Pattern[str]:
    """Matched backwards from an offset: spaces, then at most k runs of other characters each with the
    spaces before it."""
    return _RUNS_BEFORE[k] if k < len(_RUNS_BEFORE) else regex.compile(r"(?r)\s*(?:\S+\s*){0,%d}" % k)


def _runs_after(k: int) -> re.Pattern[str]:
    """Spaces, then at most k runs of other characters each with the spaces after it."""
    return _RUNS_AFTER[k] if k < len(_RUNS_AFTER) else re.compile(r"\s*(?:\S+\s*){0,%d}" % k)


def _start_of_runs_before(text: str, runs: int, at: int, lo: int = 0) -> int:
    """Where the text `runs` runs of non-space characters (and the spaces around them) before `at` starts."""
    if runs:
        found = _runs_before(runs).search(text, lo, at)
        assert found is not None  # the pattern matches the empty string
        return found.start()
    while at > lo and text[at - 1].isspace():
        at -= 1
    return at


def _end_of_runs_after(text: str, runs: int, at: int, hi: int | None = None) -> int:
    """Where the text `runs` runs of non-space characters (and the spaces around them) after `at` ends."""
    found = _runs_after(runs).match(text, at, len(text) if hi is None else hi)
    assert found is not None  # the pattern matches the empty string
    return found.end()


_ALNUM = re.compile(r"[^\W_]+")
_MANY_HITS = 12  # anchor hits in a document above which all its paragraphs are found at once


def viable_starts(program: Program, normalised: str, lowered: str, found: list[tuple[int, tuple[int, AnchorWord]]],
                  chunks: Paragraphs, present: set[int]) -> dict[int, list[int]]:
    """For each rule with near conditions that has a whole-word anchor hit (`present`): the
    occurrences of its anchor (start offsets) that meet every condition on both sides. `found`
    holds whole-word occurrences only: one inside a longer word (the "launch" of "launched")
    could not be matched, since a rule's words end at word boundaries or separators and no
    mention marker can make one there (no mention starts or ends between two letters or
    digits: aliases and built-in values are whole words).

    A condition's words must be among the words of the text within reach; an alias counts where
    `find_mentions` could find it (whole words, in the anchor's paragraph; capitals where the
    alias needs them), whatever its period, and is first looked for by its first or last word.
    So a rule is only ever skipped where its regex cannot match. Only for ASCII text, where
    lower-casing and the regex module's case-insensitive matching agree, and in packs without
    fuzzy aliases (which no scan here finds)."""
    index, scanner = program.placement.near_index, program.aliases.scanner
    assert index is not None and scanner is not None  # the caller's conditions
    longest = program.aliases.longest
    viable: dict[int, list[int]] = {}
    memo: list[dict[int, bool]] = [{} for _ in index.checks]
    chunk: list[int] = []

    def words_in(window: str) -> list[str]:
        words = window.split()
        return words if "".join(words).isalnum() else _ALNUM.findall(window)

    def paragraph_of(at: int) -> list[int]:
        if not chunk or not chunk[0] <= at < chunk[1]:
            chunk[:] = chunks.span(at)
        return chunk

    def alias_of(lexicons: frozenset[int] | frozenset[str], first: int, last: int,
                 entries: tuple[AliasEntry, ...]) -> bool:
        return any(e[0] in lexicons and (not e[2] or normalised[first:last + 1].isupper()) for e in entries)

    def alias_before(lexicons: frozenset[int] | frozenset[str], runs: int, start: int) -> bool:
        """An alias of `lexicons` that ends at most `runs` runs before `start`, in its paragraph."""
        lo = paragraph_of(start)[0]
        i = _start_of_runs_before(normalised, runs, start, lo)
        return any(last >= i - 1 and alias_of(lexicons, last - n + 1, last, entries)
                   for last, (n, entries) in scanner.iter(lowered, max(lo, i - longest), start))

    def alias_after(lexicons: frozenset[int] | frozenset[str], runs: int, start: int, end: int) -> bool:
        """An alias of `lexicons` that starts at most `runs` runs after `end`, in its paragraph."""
        hi = paragraph_of(start)[1]
        i = _end_of_runs_after(normalised, runs, end, hi)
        return any(last - n + 1 <= i and alias_of(lexicons, last - n + 1, last, entries)
                   for last, (n, entries) in scanner.iter(lowered, end, min(hi, i + longest)))

    def met_before(check: ConditionCheck, start: int) -> bool:
        condition = check.condition
        i = _start_of_runs_before(normalised, condition.runs, start)
        window = lowered[lowered.rfind(" ", 0, i) + 1:start]
        if condition.kind is AnchorKind.WORD:
            return not condition.values.isdisjoint(words_in(window))
        if check.edges is not None and check.edges.last.words.isdisjoint(words_in(window)) \
                and check.edges.last.chars.isdisjoint(window):
            return False
        return alias_before(condition.values, condition.runs, start)

    def met_after(check: ConditionCheck, start: int, end: int) -> bool:
        condition = check.condition
        i = _end_of_runs_after(normalised, condition.runs, end)
        j = lowered.find(" ", i)
        window = lowered[end:j] if j >= 0 else lowered[end:]
        if condition.kind is AnchorKind.WORD:
            return not condition.values.isdisjoint(words_in(window))
        if check.edges is not None and check.edges.first.words.isdisjoint(words_in(window)) \
                and check.edges.first.chars.isdisjoint(window):
            return False
        return alias_after(condition.values, condition.runs, start, end)

    # Each condition is first looked at quickly, across paragraphs, in a window of the text that
    # holds every word that could meet it (and maybe more): a word condition is met or not there;
    # an alias must have one of the words its lexicons' aliases end (start) with, or another
    # character they end (start) with, in the window before (after) it is looked for.
    todo_of: dict[tuple[int, ...], tuple[RuleConditions, ...]] = {}  # an anchor's rules -> those to check
    for last, (length, word) in found:
        todo = todo_of.get(word.rules)
        if todo is None:
            todo = index.by_anchor.get(word.rules, ())
            if not present.issuperset(word.rules):
                todo = tuple(t for t in todo if t.rule in present)
            todo_of[word.rules] = todo
        if not todo:
            continue
        start, end = last - length + 1, last + 1
        for rule in todo:
            ok = True
            for c in rule.before:
                ok = memo[c].get(start)  # type: ignore[assignment]
                if ok is None:
                    ok = memo[c][start] = met_before(index.checks[c], start)
                if not ok:
                    break
            if not ok:
                continue
            for c in rule.after:
                ok = memo[c].get(end)  # type: ignore[assignment]
                if ok is None:
                    ok = memo[c][end] = met_after(index.checks[c], start, end)
                if not ok:
                    break
            if ok:
                viable.setdefault(rule.rule, []).append(start)
    return viable
