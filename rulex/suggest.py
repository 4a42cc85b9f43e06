"""Rules suggested from marked sentences (issue 22): the user marks a trigger and argument spans
with their roles, and gets a rule in the rulex language that matches the sentence, generalised:

- the trigger's words become their word forms (`launched` -> `<launch>`);
- an argument that a built-in type covers exactly becomes that type (`{count:Quantity}`), one a
  lexicon of the pack covers becomes the lexicon's type (`{attacker:Actor}`), any other a
  `Phrase` or a `Name`; an argument inside another becomes a nested capture (`with`);
- a few function words between two parts are kept as written, more become a bounded gap
  (keeping a preposition right before an argument); an argument too far away is looked for with
  a `find:` clause when it has a type, else left out;
- several sentences give one rule: differing triggers become alternatives, parts missing in some
  sentences optional, gaps wide enough for all.

The rule is compiled with the pack's lexicons and run on its own sentences: `Suggestion.check`
says whether it matches each with the marked arguments. Pure: no printing, no I/O but the pack
given (already loaded).
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import Enum

from . import ast
from .builtins import BUILTIN_NAMES
from .compiler import compile_pack
from .diagnostics import DiagnosticBag
from .document import Document
from .loader import LoadedPack, Manifest
from .match import Match
from .matcher import match_document
from .mentions import builtin_mentions, find_mentions
from .pack import Pack
from .printer import pattern_text
from .program import build_program
from .resolve import resolve
from .segment import lowercase_view, normalise, paragraphs, sentences_in, tokenize
from .source import SourceFile, Span

MAX_GAP_WORDS = 8      # more words than this between two parts: the farther part is not in the pattern
GAP_SLACK = 2          # a gap covers this many more words than the sentences had
MAX_KEPT_WORDS = 3     # up to this many function words between two parts are kept as written
MAX_CANDIDATES = 6     # rules tried (Phrase or Name for each untyped argument) before giving the best
FILE_NAME = "suggested.rulex"
NOWHERE = Span(FILE_NAME, 0, 0, 1, 1)

# Words kept as written between two parts of a rule (a few of them) and never made word forms.
FUNCTION_WORDS = frozenset("""
a an the this that these those his her its their our my your some any each every all both no
of in on at to from by with against into onto near over under for as and or but nor after before during since
while than about around toward towards across through between within without upon amid amidst among along
outside inside behind beyond via throughout off up down out
who whom whose which what when where why how
is are was were be been being am has have had having will would shall should can could may might must
do does did not n't never also then there here it they he she we you i them him us me himself herself
themselves itself reportedly allegedly 's '
""".split())
# Function words that say which role follows: kept right before an argument even across a gap.
PREPOSITIONS = frozenset("""
of in on at to from by with against into onto near over under for as after before during since toward
towards across through between within without upon amid among along outside inside behind beyond via
""".split())
# The built-in types tried on an argument, in this order: the first that covers it exactly wins.
BUILTIN_ORDER = ("Time", "Money", "Percent", "Score", "Quantity", "Ordinal", "Number")
# Roles whose fillers are usually of this lexicon type, when several types cover an argument.
ROLE_TYPES = {"attacker": "Actor", "agent": "Actor", "killer": "Actor", "claimant": "Actor", "actor": "Actor",
              "place": "Place", "origin": "Place", "destination": "Place", "target": "Place",
              "weapon": "Weapon", "instrument": "Weapon", "victim": "Person"}
# `define: suggested_attack_fired_words_4 = _{1,4}`: an argument of any few words (named after the rule:
# every file of a pack sees every define)
WORDS_DEFINE = "words_"
TRIGGER_DEFINE = "trigger"  # `define: suggested_attack_airstrike_trigger = <airstrike>`: a trigger that is an argument
WORDS_SIZES = (4, 8, 12)
NAME_JOINERS = frozenset({"of", "the", "al", "el", "bin", "de", "la", "van", "von", "and", "&", "-"})


class MarkError(ValueError):
    """A mark that cannot be used: not in the text, empty, overlapping another, a bad role."""


# ---- what the user marks ------------------------------------------------------------------

@dataclass(frozen=True)
class TextSpan:
    """Characters [start, end) of a sentence."""
    start: int
    end: int

    def inside(self, other: TextSpan) -> bool:
        return other.start <= self.start and self.end <= other.end

    def overlaps(self, other: TextSpan) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class MarkedArgument:
    """One argument the user marked: its role and where it is."""
    role: str
    span: TextSpan


@dataclass(frozen=True)
class MarkedSentence:
    """A sentence with its trigger and arguments marked, the event type, and its date (for times)."""
    text: str
    trigger: TextSpan
    arguments: tuple[MarkedArgument, ...]
    event_type: str
    date: dt.date | None = None

    def __post_init__(self) -> None:
        check_marks(self)


ROLE = re.compile(r"[a-z_][a-z0-9_]*\Z")
TYPE = re.compile(r"[A-Z][A-Za-z0-9_]*\Z")


def check_marks(sentence: MarkedSentence) -> None:
    """Raise MarkError unless every mark is a non-empty span of the text holding a word, roles are
    role names, and marks overlap only when one is inside another (a nested argument) or an
    argument is the trigger itself ("airstrike" is trigger and weapon)."""
    if not TYPE.match(sentence.event_type):
        raise MarkError(f"event type {sentence.event_type!r} must be a name starting with a capital letter (Attack)")
    marks = [("trigger", sentence.trigger)] + [(a.role, a.span) for a in sentence.arguments]
    for role, span in marks:
        if role != "trigger" and not ROLE.match(role):
            raise MarkError(f"role {role!r} must be a lowercase name (attacker, place_name)")
        if not 0 <= span.start < span.end <= len(sentence.text):
            raise MarkError(f"the {role} mark {span.start}:{span.end} is not a non-empty span of the "
                            f"{len(sentence.text)}-character text")
        if not any(ch.isalnum() for ch in sentence.text[span.start:span.end]):
            raise MarkError(f"the {role} mark {sentence.text[span.start:span.end]!r} holds no word")
    for (role_a, a), (role_b, b) in itertools.combinations(marks, 2):
        if a.overlaps(b) and not (a.inside(b) or b.inside(a)):
            raise MarkError(f"the {role_a} mark {sentence.text[a.start:a.end]!r} and the {role_b} mark "
                            f"{sentence.text[b.start:b.end]!r} overlap")
        if a.overlaps(b) and role_a == "trigger" and a != b:
            raise MarkError(f"the {role_b} mark {sentence.text[b.start:b.end]!r} and the trigger "
                            f"{sentence.text[a.start:a.end]!r} overlap (an argument may be the trigger itself, "
                            "not a part of it)")


OFFSETS = re.compile(r"(\d+):(\d+)\Z")
OCCURRENCE = re.compile(r"(.*)@(\d+)\Z", re.S)


def locate(text: str, mark: str) -> TextSpan:
    """The span a mark names: `START:END` (character offsets), `words@N` (their Nth occurrence)
    or `words` (the first); MarkError when the text has no such words."""
    found = OFFSETS.match(mark)
    if found:
        return TextSpan(int(found.group(1)), int(found.group(2)))
    occurrence, words = 1, mark
    found = OCCURRENCE.match(mark)
    if found and found.group(1):
        words, occurrence = found.group(1), int(found.group(2))
    if not words.strip():
        raise MarkError(f"the mark {mark!r} is empty")
    starts = [m.start() for m in re.finditer(r"(?<!\w)" + re.escape(words) + r"(?!\w)" if words[0].isalnum()
                                             and words[-1].isalnum() else re.escape(words), text)]
    if not starts:
        raise MarkError(f"{words!r} is not in the text")
    if not 1 <= occurrence <= len(starts):
        raise MarkError(f"{words!r} occurs {len(starts)} time(s) in the text, not {occurrence}")
    return TextSpan(starts[occurrence - 1], starts[occurrence - 1] + len(words))


# ---- what the suggestion says ---------------------------------------------------------------

class Change(str, Enum):
    """The kinds of generalisation a suggestion makes."""
    WORD_FORMS = "word forms"
    LEXICON = "lexicon type"
    BUILTIN = "built-in type"
    SPAN = "phrase or name"
    NESTED = "nested capture"
    KEPT = "words kept"
    GAP = "gap"
    SEARCH = "find clause"
    LEFT_OUT = "left out"
    OPTIONAL = "optional part"
    ALTERNATIVES = "alternatives"
    TRIGGER_ONLY = "trigger only"


@dataclass(frozen=True)
class Generalisation:
    """One step from the sentence to the rule: what text became which element, and why."""
    change: Change
    text: str
    element: str
    why: str


@dataclass(frozen=True)
class FoundArgument:
    """An argument of a match of the suggested rule."""
    role: str
    text: str
    start: int
    end: int
    type: str


@dataclass(frozen=True)
class ExampleCheck:
    """The suggested rule run on one marked sentence: a match at the trigger, and whether its
    arguments are the marked ones (`passes`: those the example lists, as `rulex test` checks;
    `exact`: every marked argument, with nothing more)."""
    sentence: str
    matched: bool
    passes: bool
    exact: bool
    found: tuple[FoundArgument, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    """Whether the suggested rule compiles (with the pack's lexicons) and matches its sentences."""
    compiled: bool
    errors: tuple[str, ...]
    examples: tuple[ExampleCheck, ...]

    @property
    def matches_all(self) -> bool:
        return self.compiled and all(e.matched for e in self.examples)

    @property
    def passes_all(self) -> bool:
        return self.compiled and all(e.passes for e in self.examples)

    @property
    def exact_all(self) -> bool:
        return self.compiled and all(e.exact for e in self.examples)


@dataclass(frozen=True)
class Suggestion:
    """A rule file (`event:` line and one rule with its examples), how it was generalised and
    what checking it found. `program_pack` is the compiled rule, for `corpus_hits`."""
    rule_id: str
    event_type: str
    rule_text: str
    examples: tuple[str, ...]
    notes: tuple[Generalisation, ...]
    check: CheckResult
    sentences: tuple[MarkedSentence, ...]
    compiled: Pack | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """The suggestion as JSON-ready data (for a web page or `rulex suggest -f json`): all but the
        compiled rule."""
        return {"rule_id": self.rule_id, "event_type": self.event_type, "rule": self.rule_text,
                "examples": list(self.examples), "notes": [asdict(n) for n in self.notes],
                "check": {**asdict(self.check), "matches_all": self.check.matches_all,
                          "passes_all": self.check.passes_all, "exact_all": self.check.exact_all}}


@dataclass(frozen=True)
class CorpusHit:
    """A match of the suggested rule in a corpus document, in its context (keyword in context)."""
    doc: str
    start: int
    end: int
    left: str
    text: str
    right: str
    arguments: tuple[FoundArgument, ...]


# ---- one sentence as parts ----------------------------------------------------------------------

class Kind(str, Enum):
    """What a part of a sentence is."""
    TRIGGER = "trigger"
    ARGUMENT = "argument"


@dataclass(frozen=True)
class Part:
    """The trigger or one argument of a sentence, with the element(s) it may become: `choices`
    are tried in order (Phrase, then Name...)."""
    key: str
    kind: Kind
    span: TextSpan
    choices: tuple[ast.Pattern, ...]
    role: str = ""

    @property
    def untyped(self) -> bool:
        """A Phrase or Name, whose ends the words around it must fix."""
        return len(self.choices) > 1


@dataclass(frozen=True)
class Connector:
    """The words between two parts of one sentence (their texts)."""
    words: tuple[str, ...]


@dataclass(frozen=True)
class Search:
    """An argument too far from the rest, looked for by a `find:` clause."""
    pattern: ast.Pattern
    after: bool


@dataclass(frozen=True)
class Layout:
    """One sentence cut into parts (in text order), the words between them, and its searches."""
    sentence: MarkedSentence
    parts: tuple[Part, ...]
    connectors: tuple[Connector, ...]      # connectors[i] is between parts[i] and parts[i + 1]
    searches: tuple[tuple[str, Search], ...]
    expected: tuple[MarkedArgument, ...]   # the arguments the rule is expected to give
    notes: tuple[Generalisation, ...]
    before: str = ""                       # the word before the first part, lowercased
    after: str = ""                        # the word after the last part
    trigger: ast.Pattern | None = None     # the trigger's word forms, when an argument is the trigger


@dataclass(frozen=True)
class Covering:
    """The types that cover an argument's span exactly: lexicon types and built-in types."""
    lexicon: tuple[str, ...]
    builtin: tuple[str, ...]


def _words(text: str) -> ast.Pattern:
    """Words matched as written (whatever their case)."""
    return ast.Literal(text, NOWHERE)


def _slot(role: str, types: Sequence[str], nested: Sequence[tuple[str, str]] = ()) -> ast.Slot:
    return ast.Slot(role, tuple(ast.TypeRef(t, NOWHERE) for t in types), NOWHERE,
                    tuple(ast.NestedSlot(r, (ast.TypeRef(t, NOWHERE),), NOWHERE) for r, t in nested))


def _sequence(items: Sequence[ast.Pattern]) -> ast.Pattern:
    return items[0] if len(items) == 1 else ast.Sequence(tuple(items), NOWHERE)


def _gap(most: int) -> ast.Pattern:
    return ast.Repeat(ast.AnyWord(NOWHERE), 0, most, NOWHERE)


def _optional(item: ast.Pattern) -> ast.Pattern:
    return ast.Repeat(item, 0, 1, NOWHERE)


def lemma(word: str) -> str:
    """The word's verb lemma ("launched" -> "launch"), else its noun lemma ("bombings" -> "bombing")."""
    from lemminflect import getLemma  # slow to load: only when a rule is suggested
    lowered = word.lower()
    for upos in ("VERB", "NOUN"):
        found = [w for w in getLemma(lowered, upos=upos) if w and w.isalpha()]
        if found and found[0] != lowered:
            return found[0]
    return lowered


def _trigger_element(words: Sequence[str]) -> tuple[ast.Pattern, list[Generalisation]]:
    """The trigger's words: each content word its word forms, function words as written."""
    items: list[ast.Pattern] = []
    notes = []
    for word in words:
        if word.lower() in FUNCTION_WORDS or not word.isalpha():
            items.append(_words(word))
            continue
        base = lemma(word)
        items.append(ast.WordForms((base,), NOWHERE))
        notes.append(Generalisation(Change.WORD_FORMS, word, f"<{base}>", f"every form of {base!r}"))
    return _sequence(items), notes


class _Finder:
    """The mentions of a sentence the pack's lexicons and the built-in types find."""

    def __init__(self, pack: Pack | None, text: str, date: dt.date | None):
        self.pack = pack
        normalised = normalise(text)
        lowered = lowercase_view(normalised)
        self.lexicon: list[tuple[int, int, str]] = []
        self.builtin: list[tuple[int, int, str]] = []
        if pack is not None:
            program = pack.program
            for m in find_mentions(program, normalised, lowered, date=date):
                self.lexicon.append((m.start, m.end, program.lexicons[m.source].type))
            first = len(program.lexicons)
            for m in builtin_mentions(program, normalised, lowered, 0, len(text), set(BUILTIN_NAMES)):
                self.builtin.append((m.start, m.end, BUILTIN_NAMES[m.source - first]))
        else:
            from .program import alias_index
            empty = build_program(Manifest("suggest"), [], (), (), alias_index((), set()))
            for m in builtin_mentions(empty, normalised, lowered, 0, len(text), set(BUILTIN_NAMES)):
                self.builtin.append((m.start, m.end, BUILTIN_NAMES[m.source]))

    def covering(self, span: TextSpan, role: str) -> Covering:
        lexicon = list(dict.fromkeys(t for s, e, t in self.lexicon if (s, e) == (span.start, span.end)))
        wanted = ROLE_TYPES.get(role)
        lexicon.sort(key=lambda t: t != wanted)
        found = {t for s, e, t in self.builtin if (s, e) == (span.start, span.end)}
        return Covering(tuple(lexicon), tuple(t for t in BUILTIN_ORDER if t in found))


def _looks_like_name(words: Sequence[str]) -> bool:
    """Capitalised words, maybe joined by "of", "al"...: "General Qasem Soleimani"."""
    return any(w[:1].isupper() for w in words) and all(w[:1].isupper() or w.lower() in NAME_JOINERS for w in words)


def _argument_choices(text: str, span: TextSpan, role: str, finder: _Finder, inner: Sequence[MarkedArgument]
                      ) -> tuple[tuple[ast.Pattern, ...], list[Generalisation], list[MarkedArgument]]:
    """The slots an argument may become (best first), the notes, and the inner arguments kept."""
    covering = finder.covering(span, role)
    words = [t.text for t in tokenize(text, span.start, span.end)]
    marked = text[span.start:span.end]
    nested: list[tuple[str, str]] = []
    notes: list[Generalisation] = []
    kept: list[MarkedArgument] = []
    for arg in inner:
        inner_covering = finder.covering(arg.span, arg.role)
        kinds = inner_covering.lexicon + inner_covering.builtin
        inner_text = text[arg.span.start:arg.span.end]
        if kinds and arg.role not in {r for r, _ in nested}:
            nested.append((arg.role, kinds[0]))
            kept.append(arg)
            notes.append(Generalisation(Change.NESTED, inner_text, f"with {arg.role}:{kinds[0]}",
                                        f"the {kinds[0]} inside the {role}"))
        else:
            notes.append(Generalisation(Change.LEFT_OUT, inner_text, "", f"a {arg.role} inside the {role} "
                                        "that no lexicon or built-in type covers (or a second one)"))
    if covering.lexicon:
        kind = covering.lexicon[0]
        notes.append(Generalisation(Change.LEXICON, marked, f"{{{role}:{kind}}}",
                                    f"an entry of the pack's lexicons of type {kind}"))
        return (_slot(role, [kind], nested),), notes, kept
    if covering.builtin:
        kind = covering.builtin[0]
        notes.append(Generalisation(Change.BUILTIN, marked, f"{{{role}:{kind}}}", f"the built-in type {kind}"))
        return (_slot(role, [kind], nested),), notes, kept
    order = ["Name", "Phrase"] if _looks_like_name(words) else ["Phrase", "Name"]
    choices: tuple[ast.Pattern, ...] = (_slot(role, [order[0]], nested), _slot(role, [order[1]], nested),
                                        _slot(role, order, nested))
    size = next((n for n in WORDS_SIZES if n >= len(words)), None)
    if size is not None:  # the last resort: any words, up to a few more than marked
        choices += (_slot(role, [f"{WORDS_DEFINE}{size}"], nested),)
    notes.append(Generalisation(Change.SPAN, marked, pattern_text(choices[0]),
                                "no lexicon or built-in type covers it" + (" (capitalised words: a Name)"
                                                                           if order[0] == "Name" else "")))
    return choices, notes, kept


def layout(pack: Pack | None, sentence: MarkedSentence) -> Layout:
    """The sentence cut into its trigger and arguments, with the words between them."""
    text = normalise(sentence.text)
    finder = _Finder(pack, sentence.text, sentence.date)
    notes: list[Generalisation] = []
    bounds = [s for chunk in paragraphs(text) for s in sentences_in(text, *chunk)]
    home = next(((s, e) for s, e in bounds if s <= sentence.trigger.start < e), (0, len(text)))
    trigger_words = [t.text for t in tokenize(text, sentence.trigger.start, sentence.trigger.end)]
    trigger_element, trigger_notes = _trigger_element(trigger_words)
    notes += trigger_notes
    parts = [Part("trigger", Kind.TRIGGER, sentence.trigger, (trigger_element,))]
    expected: list[MarkedArgument] = []
    outer = [a for i, a in enumerate(sentence.arguments)  # the first of several marks of one span is the slot
             if not any(a.span.inside(b.span) and (a.span != b.span or j < i) for j, b in enumerate(sentence.arguments))]
    seen_roles: dict[str, int] = {}
    for arg in sorted(outer, key=lambda a: a.span.start):
        arg_text = text[arg.span.start:arg.span.end]
        if not (home[0] <= arg.span.start and arg.span.end <= home[1]):
            notes.append(Generalisation(Change.LEFT_OUT, arg_text, "", f"the {arg.role} is not in the trigger's "
                                        "sentence: a rule matches inside one sentence"))
            continue
        inner = [b for b in sentence.arguments if b.span.inside(arg.span) and b is not arg]
        choices, arg_notes, kept = _argument_choices(text, arg.span, arg.role, finder, inner)
        notes += arg_notes
        if arg.span == sentence.trigger:  # "airstrike": the trigger and the weapon at once
            parts[0] = Part("trigger", Kind.TRIGGER, sentence.trigger, (_slot(arg.role, [TRIGGER_DEFINE]),), arg.role)
            expected.append(arg)
            notes.append(Generalisation(Change.WORD_FORMS, arg_text, f"{{{arg.role}:...trigger}}",
                                        f"the trigger is the {arg.role} too: its word forms, as the argument"))
            continue
        seen_roles[arg.role] = seen_roles.get(arg.role, 0) + 1
        key = arg.role if seen_roles[arg.role] == 1 else f"{arg.role}#{seen_roles[arg.role]}"
        parts.append(Part(key, Kind.ARGUMENT, arg.span, choices, arg.role))
        expected += [arg, *kept]
    parts.sort(key=lambda p: p.span.start)
    connectors = [Connector(tuple(t.text for t in tokenize(text, a.span.end, b.span.start)))
                  for a, b in zip(parts, parts[1:])]
    # keep the parts within MAX_GAP_WORDS of each other, around the trigger
    at = next(i for i, p in enumerate(parts) if p.kind is Kind.TRIGGER)
    first, last = at, at
    while first > 0 and len(connectors[first - 1].words) <= MAX_GAP_WORDS:
        first -= 1
    while last < len(parts) - 1 and len(connectors[last].words) <= MAX_GAP_WORDS:
        last += 1
    searches: list[tuple[str, Search]] = []
    for index, part in enumerate(parts):
        if first <= index <= last:
            continue
        after = index > last
        search = _search_for(text, part, after)
        part_text = text[part.span.start:part.span.end]
        if search is None:
            notes.append(Generalisation(Change.LEFT_OUT, part_text, "", f"the {part.role} is more than "
                                        f"{MAX_GAP_WORDS} words away, no lexicon or built-in type covers it and "
                                        "no preposition says what it is"))
            expected = [a for a in expected if not a.span.inside(part.span)]
            continue
        searches.append((part.key, search))
        notes.append(Generalisation(Change.SEARCH, part_text, f"find {'after' if after else 'before'} in sentence: "
                                    + pattern_text(search.pattern), f"more than {MAX_GAP_WORDS} words away"))
    word_before = tokenize(text, max(home[0], parts[first].span.start - 40), parts[first].span.start)[-1:]
    word_after = tokenize(text, parts[last].span.end, min(home[1], parts[last].span.end + 40))[:1]
    return Layout(sentence, tuple(parts[first:last + 1]), tuple(connectors[first:last]), tuple(searches),
                  tuple(expected), tuple(notes), word_before[0].text.lower() if word_before else "",
                  word_after[0].text.lower() if word_after else "", trigger_element)


def _search_for(text: str, part: Part, after: bool) -> Search | None:
    """A `find:` clause for a far argument, with the preposition before it: any argument of a lexicon
    or built-in type, a Phrase or Name only after a preposition (which says what it is)."""
    slot = part.choices[0]
    if not isinstance(slot, ast.Slot) or part.kind is Kind.TRIGGER:
        return None
    before = tokenize(text, max(0, part.span.start - 30), part.span.start)
    preposition = before[-1].text.lower() if before and before[-1].text.lower() in PREPOSITIONS else None
    if part.untyped and preposition is None:
        return None
    items: list[ast.Pattern] = [slot] if preposition is None else [_words(preposition), slot]
    return Search(_sequence(items), after)


# ---- parts of several sentences as one pattern ------------------------------------------------

DETERMINERS = frozenset({"a", "an", "the"})


def _kept_word(word: str) -> ast.Pattern:
    """A word kept between two parts: an article stands for any article."""
    if word in DETERMINERS:
        return ast.Alternation(tuple(_words(w) for w in ("the", "a", "an")), NOWHERE)
    return _words(word)


def _connector_pattern(connectors: Sequence[Connector], notes: list[Generalisation], bound_left: bool = False,
                       bound_right: bool = False) -> ast.Pattern | None:
    """The words between two parts in every sentence that has both, as one element (or None).
    `bound_left` / `bound_right`: the part before / after is a Phrase or Name, whose end the word
    next to it fixes, so that word is kept even in a gap."""
    lowered = [tuple(w.lower() for w in c.words) for c in connectors]
    distinct = list(dict.fromkeys(lowered))
    short = all(len(c) <= MAX_KEPT_WORDS and all((w in FUNCTION_WORDS or not w[:1].isalnum()) and not _dash(w) for w in c)
                for c in distinct)
    if short:
        options = [_sequence([_kept_word(w) for w in c]) for c in distinct if c]
        if not options:
            return None
        element: ast.Pattern = options[0] if len(options) == 1 else ast.Alternation(tuple(options), NOWHERE)
        if len(options) < len(distinct):
            element = _optional(element)
        notes.append(Generalisation(Change.KEPT if len(distinct) == 1 else Change.ALTERNATIVES,
                                    " / ".join(" ".join(c) or "(nothing)" for c in distinct), pattern_text(element),
                                    "a few function words, kept as written"))
        return element
    # a gap; kept: the preposition before the next part (with its article), and the words next to a
    # Phrase or Name, when every sentence has the same
    tail = _common_end(lowered, 2 if bound_right else 1)
    if tail and (not bound_right and tail[-1] not in PREPOSITIONS or any(_dash(w) for w in tail)):
        tail = ()
    if len(tail) == 2 and tail[-1] not in DETERMINERS:
        tail = tail[1:]
    head = _common_end([tuple(reversed(c[:len(c) - len(tail)])) for c in lowered], 1) if bound_left else ()
    head = () if any(_dash(w) for w in head) else head
    most = max(len(c) for c in lowered) - len(tail) - len(head) + GAP_SLACK
    items = [_kept_word(w) for w in head] + [_gap(most)] + [_kept_word(w) for w in tail]
    element = _sequence(items)
    notes.append(Generalisation(Change.GAP, " / ".join(" ".join(c) for c in distinct), pattern_text(element),
                                f"{max(len(c) for c in lowered)} words at most between two parts: a gap"
                                + (", keeping the words that fix where an argument ends" if head or tail else "")))
    return element


def _dash(word: str) -> bool:
    """Dashes, which a quoted phrase never matches (a hyphen is a space between words): left to gaps."""
    return set(word) <= {"-"}


def _common_end(words: Sequence[tuple[str, ...]], most: int) -> tuple[str, ...]:
    """The last words (up to `most`) every tuple ends with."""
    for size in range(most, 0, -1):
        ends = {w[-size:] for w in words if len(w) >= size}
        if len(ends) == 1 and all(len(w) >= size for w in words):
            return next(iter(ends))
    return ()


def _merged_order(layouts: Sequence[Layout]) -> list[str] | None:
    """The parts' keys in an order every sentence agrees with, or None if two disagree."""
    keys = list(dict.fromkeys(p.key for lay in layouts for p in lay.parts))
    before: dict[str, set[str]] = {k: set() for k in keys}
    for lay in layouts:
        order = [p.key for p in lay.parts]
        for i, a in enumerate(order):
            before[a].update(order[i + 1:])
    if any(a in before[b] for a in keys for b in before[a]):
        return None
    out: list[str] = []
    remaining = list(keys)
    while remaining:
        ready = next(k for k in remaining if not any(k in before[o] for o in remaining if o != k))
        out.append(ready)
        remaining.remove(ready)
    return out


def _merged_element(parts: Sequence[Part], choice: int, notes: list[Generalisation]) -> ast.Pattern:
    """One part of several sentences as one element: their triggers' word forms together, the
    types of an argument's slots as alternatives."""
    elements = [p.choices[min(choice, len(p.choices) - 1)] for p in parts]
    distinct = list(dict.fromkeys(pattern_text(e) for e in elements))
    if len(distinct) == 1:
        return elements[0]
    if all(isinstance(e, ast.WordForms) for e in elements):
        lemmas = tuple(dict.fromkeys(lem for e in elements if isinstance(e, ast.WordForms) for lem in e.lemmas))
        merged: ast.Pattern = ast.WordForms(lemmas, NOWHERE)
    elif all(isinstance(e, ast.Slot) for e in elements):
        slots = [e for e in elements if isinstance(e, ast.Slot)]
        types = list(dict.fromkeys(t.name for s in slots for t in s.types))
        if choice:  # the second try: a Phrase or Name first, so that a lexicon name inside it is not taken alone
            types.sort(key=lambda t: t not in ("Phrase", "Name"))
        nested = list(dict.fromkeys((n.role, n.types[0].name) for s in slots for n in s.nested))
        merged = _slot(slots[0].role or "", types, nested)
    else:
        by_text = {pattern_text(e): e for e in elements}
        merged = ast.Alternation(tuple(by_text[t] for t in distinct), NOWHERE)
    notes.append(Generalisation(Change.ALTERNATIVES, " / ".join(distinct), pattern_text(merged),
                                "the sentences differ here"))
    return merged


def _pattern(layouts: Sequence[Layout], choice: int, notes: list[Generalisation]) -> ast.Pattern:
    """One pattern for every sentence; `choice` picks among the slots an untyped argument may be."""
    order = _merged_order(layouts)
    if order is None:  # the parts come in different orders: one alternative per sentence
        options = list(dict.fromkeys(pattern_text(_pattern([lay], choice, [])) for lay in layouts))
        by_text = {pattern_text(p): p for p in (_pattern([lay], choice, []) for lay in layouts)}
        notes.append(Generalisation(Change.ALTERNATIVES, "", " | ".join(options),
                                    "the sentences give their parts in different orders: one alternative each"))
        return ast.Alternation(tuple(by_text[o] for o in options), NOWHERE) if len(options) > 1 else by_text[options[0]]
    trigger_at = order.index("trigger")
    items: list[ast.Pattern] = []
    for index, key in enumerate(order):
        present = [(lay, i) for lay in layouts for i, p in enumerate(lay.parts) if p.key == key]
        element = _merged_element([lay.parts[i] for lay, i in present], choice, notes)
        if index < trigger_at:   # left of the trigger: the words up to the next part go with it
            between = [lay.connectors[i] for lay, i in present]
            connector = _connector_pattern(between, notes, any(lay.parts[i].untyped for lay, i in present),
                                           any(lay.parts[i + 1].untyped for lay, i in present))
            group = [element] + ([connector] if connector is not None else [])
        elif index > trigger_at:  # right of it: the words from the part before
            between = [lay.connectors[i - 1] for lay, i in present]
            connector = _connector_pattern(between, notes, any(lay.parts[i - 1].untyped for lay, i in present),
                                           any(lay.parts[i].untyped for lay, i in present))
            group = ([connector] if connector is not None else []) + [element]
        else:
            group = [element]
        if len(present) < len(layouts):
            items.append(_optional(_sequence(group)))
            notes.append(Generalisation(Change.OPTIONAL, key, pattern_text(items[-1]),
                                        f"missing in {len(layouts) - len(present)} of {len(layouts)} sentences"))
        else:
            items.extend(group)
    return _sequence(_bounded_ends(layouts, order, items, notes))


def _bounded_ends(layouts: Sequence[Layout], order: list[str], items: list[ast.Pattern],
                  notes: list[Generalisation]) -> list[ast.Pattern]:
    """A Phrase or Name at either end of the pattern, bounded: an article before the first stays
    outside it, and a function word or punctuation after the last is kept."""
    firsts = {lay.before for lay in layouts}
    if len(firsts) == 1 and all(lay.parts[0].key == order[0] and lay.parts[0].untyped for lay in layouts):
        word = next(iter(firsts))
        if word in DETERMINERS:  # required: left of the anchor, the slot next to it would take an optional one
            items = [_kept_word(word), *items]
            notes.append(Generalisation(Change.KEPT, word, pattern_text(items[0]),
                                        "an article before the argument stays outside it"))
        elif word and (word in FUNCTION_WORDS or not word[:1].isalnum()) and not _dash(word):
            items = [_kept_word(word), *items]
            notes.append(Generalisation(Change.KEPT, word, pattern_text(items[0]), "the word before the first "
                                        "argument fixes where it starts"))
    lasts = {lay.after for lay in layouts}
    if len(lasts) == 1 and all(lay.parts[-1].key == order[-1] and lay.parts[-1].untyped for lay in layouts):
        word = next(iter(lasts))
        if word and (word in FUNCTION_WORDS or not word[:1].isalnum()) and not _dash(word):
            items = [*items, _kept_word(word)]
            notes.append(Generalisation(Change.KEPT, word, pattern_text(items[-1]), "the word after the last "
                                        "argument fixes where it ends"))
    return items


# ---- rule text, compiling and checking ------------------------------------------------------------

def quoted(text: str) -> str:
    """A string of the rule language: backslash escapes for quotes, backslashes and control characters."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029\x85":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def example_text(sentence: MarkedSentence, expected: Sequence[MarkedArgument]) -> str:
    """An `example:` clause: the sentence and the arguments it must give."""
    lines = [f"  example: {quoted(sentence.text)}"]
    for arg in sorted(expected, key=lambda a: a.span.start):
        lines.append(f"    {arg.role} = {quoted(sentence.text[arg.span.start:arg.span.end])}")
    return "\n".join(lines)


def _rule_id(pack: Pack | None, event_type: str, trigger: str) -> str:
    """`suggested.attack_launch`, with a number when the pack has that id already."""
    word = re.sub(r"[^a-z0-9]+", "_", trigger.lower()).strip("_") or "rule"
    base = f"suggested.{event_type.lower()}_{word}"[:60]
    taken = {r.local_id for r in pack.rules} if pack is not None else set()
    return next(f"{base}_{n}" if n else base for n in itertools.count() if (f"{base}_{n}" if n else base) not in taken)


@dataclass(frozen=True)
class CompiledRuleFile:
    """A suggested rule file compiled alone with a pack's lexicons: the pack it makes, or the errors."""
    pack: Pack | None
    errors: tuple[str, ...] = ()


def compile_rule(pack: Pack | None, text: str) -> CompiledRuleFile:
    """The rule file compiled with the pack's lexicons (its rules and defines are left out: the rule
    uses none), or the errors. The pack's alias index is reused, so this takes milliseconds."""
    from .parser import parse_file  # Lark loads only when rule text is parsed
    bag = DiagnosticBag()
    source = SourceFile(FILE_NAME, text)
    bag.sources = {FILE_NAME: source}
    rule_file = parse_file(source, bag)
    if pack is not None:
        manifest = replace(pack.program.manifest, dateline=None, dateline_span=None)
        lexicons, aliases = pack.program.lexicons, pack.program.aliases
    else:
        from .program import alias_index
        manifest, lexicons, aliases = Manifest("suggest"), (), alias_index((), set())
    loaded = LoadedPack(manifest, (rule_file,), lexicons, {FILE_NAME: source})
    if not bag.errors:
        resolved = resolve(loaded, bag)
    if bag.errors:
        return CompiledRuleFile(None, tuple(d.render(bag.sources) for d in bag.errors))
    compiled = compile_pack(resolved, bag)
    if bag.errors:
        return CompiledRuleFile(None, tuple(d.render(bag.sources) for d in bag.errors))
    return CompiledRuleFile(Pack(build_program(manifest, compiled, lexicons, (), aliases)))


def _found(match: Match) -> tuple[FoundArgument, ...]:
    return tuple(FoundArgument(a.role, a.text, a.start, a.end, a.type) for a in match.arguments)


def check_sentence(compiled: Pack, sentence: MarkedSentence, expected: Sequence[MarkedArgument]) -> ExampleCheck:
    """Run the compiled rule on a marked sentence: the match at its trigger and its arguments."""
    result = match_document(compiled.program, Document("example", sentence.text, sentence.date))
    at_trigger = [m for m in result.matches if m.start < sentence.trigger.end and sentence.trigger.start < m.end]
    problems = [p.message for p in result.problems]
    if not at_trigger:
        found = [f"matched {m.text!r}, not at the trigger" for m in result.matches] or ["no match"]
        return ExampleCheck(sentence.text, False, False, False, (), tuple(problems + found))
    marked = {(a.role, a.span.start, a.span.end) for a in sentence.arguments}
    wanted = {(a.role, a.span.start, a.span.end) for a in expected}

    def agreement(match: Match) -> tuple[int, int]:
        got = {(a.role, a.start, a.end) for a in match.arguments}
        return len(got & marked), -len(got - marked)
    best = max(at_trigger, key=agreement)
    got = {(a.role, a.start, a.end) for a in best.arguments}
    for role, start, end in sorted(marked - got):
        problems.append(f"{role}: expected {sentence.text[start:end]!r}, "
                        + ("not found" if not any(r == role for r, _, _ in got) else "got " + ", ".join(
                            repr(sentence.text[s:e]) for r, s, e in sorted(got) if r == role)))
    for role, start, end in sorted(got - marked):
        problems.append(f"{role}: {sentence.text[start:end]!r} was not marked")
    return ExampleCheck(sentence.text, True, wanted <= got, got == marked, _found(best), tuple(problems))


def _merged_triggers(elements: Sequence[ast.Pattern]) -> ast.Pattern:
    """Several triggers as one element: their word forms together, else alternatives."""
    by_text = {pattern_text(e): e for e in elements}
    if all(isinstance(e, ast.WordForms) for e in by_text.values()):
        return ast.WordForms(tuple(dict.fromkeys(lem for e in by_text.values() if isinstance(e, ast.WordForms)
                                                 for lem in e.lemmas)), NOWHERE)
    options = tuple(by_text.values())
    return options[0] if len(options) == 1 else ast.Alternation(options, NOWHERE)


def _rule_file(rule_id: str, layouts: Sequence[Layout], pattern: ast.Pattern) -> tuple[str, tuple[str, ...]]:
    event_type = layouts[0].sentence.event_type
    words = rule_id.replace(".", "_") + "_" + WORDS_DEFINE
    slot_type = re.compile(r"(?<=[:|])" + WORDS_DEFINE + r"(\d+)\b")
    text = slot_type.sub(lambda m: words + m.group(1), pattern_text(pattern))
    sizes = sorted({int(n) for n in re.findall(r"(?<=[:|])" + words + r"(\d+)", text)})
    defines = [f"define: {words}{n} = _{{1,{n}}}" for n in sizes]
    trigger = rule_id.replace(".", "_") + "_" + TRIGGER_DEFINE
    text, uses = re.subn(r"(?<=[:|])" + TRIGGER_DEFINE + r"(?=[|}\s])", trigger, text)
    if uses:
        triggers = [lay.trigger for lay in layouts if lay.trigger is not None
                    and any(p.kind is Kind.TRIGGER and p.role for p in lay.parts)]
        defines.append(f"define: {trigger} = {pattern_text(_merged_triggers(triggers))}")
    lines = defines + [f"event: {event_type}", "",
                                                                  f"rule: {rule_id}", f"  pattern: {text}"]
    searches = list(dict.fromkeys((s.after, pattern_text(s.pattern)) for lay in layouts for _, s in lay.searches))
    lines += [f"  find {'after' if after else 'before'} in sentence: {text}" for after, text in searches]
    examples = tuple(example_text(lay.sentence, lay.expected) for lay in layouts)
    return "\n".join(lines + list(examples)) + "\n", examples


def suggest(pack: Pack | None, examples: Sequence[MarkedSentence]) -> Suggestion:
    """One rule for the marked sentences (all of one event type), compiled with the pack's lexicons
    and checked on them. When an argument could be a Phrase or a Name, each is tried and the first
    rule that gives every marked argument is kept (else the one that matches the most sentences)."""
    if not examples:
        raise MarkError("no marked sentence")
    types = {s.event_type for s in examples}
    if len(types) > 1:
        raise MarkError(f"the sentences are of different event types ({', '.join(sorted(types))}): one rule finds one")
    layouts = [layout(pack, s) for s in examples]
    first = examples[0]
    rule_id = _rule_id(pack, first.event_type, first.text[first.trigger.start:first.trigger.end])
    best, _ = _search(pack, rule_id, layouts)
    if len(layouts) > 1 and not best.check.exact_all:
        # one alternative per sentence, each the best rule for it alone, when that does better
        singles = [_search(pack, rule_id, [lay]) for lay in layouts]
        by_text = {pattern_text(pattern): pattern for _, pattern in singles}
        notes = [n for found, _ in singles for n in found.notes]
        notes.append(Generalisation(Change.ALTERNATIVES, "", " | ".join(by_text), "one rule for all the sentences "
                                    "gave fewer of their arguments: one alternative per sentence"))
        pattern = next(iter(by_text.values())) if len(by_text) == 1 else ast.Alternation(tuple(by_text.values()), NOWHERE)
        found = _attempt(pack, rule_id, layouts, pattern, notes)
        if _score(found) > _score(best):
            best = found
    return best


def _search(pack: Pack | None, rule_id: str, layouts: Sequence[Layout]) -> tuple[Suggestion, ast.Pattern]:
    """The best rule for the layouts and its pattern: the slots an untyped argument may be are tried
    in turn, until one gives every marked argument."""
    best: tuple[Suggestion, ast.Pattern] | None = None
    for choice in range(4 if any(len(p.choices) > 1 for lay in layouts for p in lay.parts) else 1):
        notes: list[Generalisation] = [n for lay in layouts for n in lay.notes]
        pattern = _pattern(layouts, choice, notes)
        found = _attempt(pack, rule_id, layouts, pattern, notes)
        if best is None or _score(found) > _score(best[0]):
            best = found, pattern
        if found.check.exact_all:
            break
    assert best is not None
    return best


def _attempt(pack: Pack | None, rule_id: str, layouts: Sequence[Layout], pattern: ast.Pattern,
             notes: Sequence[Generalisation]) -> Suggestion:
    """The rule with this pattern, compiled and checked on the layouts' sentences."""
    text, example_lines = _rule_file(rule_id, layouts, pattern)
    made = compile_rule(pack, text)
    compiled, errors = made.pack, made.errors
    if not any(isinstance(node, ast.Slot) and node.role for node in ast.walk(pattern)):
        notes = [*notes, Generalisation(Change.TRIGGER_ONLY, "", pattern_text(pattern), TRIGGER_ONLY_WHY)]
    checks = tuple(check_sentence(compiled, lay.sentence, lay.expected) for lay in layouts) if compiled else ()
    return Suggestion(rule_id, layouts[0].sentence.event_type, text, example_lines, tuple(dict.fromkeys(notes)),
                      CheckResult(compiled is not None, errors, checks), tuple(lay.sentence for lay in layouts), compiled)


# Judged on the adjudicated dev sentences (benchmarks/judge_suggest.py), such rules made 861 of
# the 1,040 corpus hits of the suggested rules, most of them the wrong event.
TRIGGER_ONLY_WHY = ("the rule holds no argument, only the trigger: it matches every sentence with one of these "
                    "words; mark an argument near the trigger to tighten it")


def _score(suggestion: Suggestion) -> tuple[int, int, int, int]:
    check = suggestion.check
    return (check.compiled, sum(e.exact for e in check.examples), sum(e.passes for e in check.examples),
            sum(e.matched for e in check.examples))


# ---- what the rule finds elsewhere ---------------------------------------------------------------

SENTENCE_ENDS = " .,;:!?\"'\u201c\u201d\u2018\u2019"


def corpus_hits(suggestion: Suggestion, documents: Iterable[Document], limit: int = 20,
                context: int = 60) -> list[CorpusHit]:
    """The suggested rule's matches in the documents, outside the marked sentences, up to `limit`,
    each with `context` characters either side: what to look at to tighten the rule."""
    if suggestion.compiled is None or limit <= 0:
        return []
    # a marked sentence copied from a document may have lost its quotes or gained a full stop
    marked = {" ".join(s.text.split()).strip(SENTENCE_ENDS) for s in suggestion.sentences}
    out: list[CorpusHit] = []
    for document in documents:
        for match in match_document(suggestion.compiled.program, document).matches:
            sentence = document.text[match.provenance.sentence[0]:match.provenance.sentence[1]]
            if " ".join(sentence.split()) in marked or any(m in " ".join(sentence.split()) for m in marked):
                continue
            text = document.text
            out.append(CorpusHit(document.id, match.start, match.end,
                                 " ".join(text[max(0, match.start - context):match.start].split()),
                                 " ".join(match.text.split()), " ".join(text[match.end:match.end + context].split()),
                                 _found(match)))
            if len(out) >= limit:
                return out
    return out


def render_hit(hit: CorpusHit, width: int = 60) -> str:
    """A hit as one keyword-in-context line: `doc  ...left [match] right...  role="text"`."""
    args = " ".join(f"{a.role}={json.dumps(a.text, ensure_ascii=False)}" for a in hit.arguments)
    return f"{hit.doc}  {hit.left[-width:]:>{width}} [{hit.text}] {hit.right[:width]}" + (f"   {args}" if args else "")


# ---- marks as the command line and JSONL give them --------------------------------------------------

def marked_sentence(text: str, trigger: str | Sequence[int], arguments: Sequence[tuple[str, str | Sequence[int]]],
                    event_type: str, date: str | dt.date | None = None) -> MarkedSentence:
    """A MarkedSentence from marks given as `locate` reads them (or `[start, end]` lists); MarkError
    on a bad one, a bad date included."""
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date[:10])
        except ValueError:
            raise MarkError(f"date {date!r} is not YYYY-MM-DD") from None
    return MarkedSentence(text, _span(text, trigger, "trigger"),
                          tuple(MarkedArgument(role, _span(text, mark, role)) for role, mark in arguments),
                          event_type, date)


def _span(text: str, mark: str | Sequence[int], what: str) -> TextSpan:
    if isinstance(mark, str):
        try:
            return locate(text, mark)
        except MarkError as err:
            raise MarkError(f"{what}: {err}") from None
    if isinstance(mark, (list, tuple)) and len(mark) == 2 and all(isinstance(n, int) and not isinstance(n, bool) for n in mark):
        return TextSpan(mark[0], mark[1])
    raise MarkError(f"{what}: a mark is words (`launched`, `launched@2`), `START:END` or [start, end], not {mark!r}")


def argument_mark(text: str) -> tuple[str, str]:
    """`role=mark` as the command line gives an argument."""
    role, sep, mark = text.partition("=")
    if not sep or not role.strip() or not mark:
        raise MarkError(f"an argument is ROLE=MARK (attacker=Hamas, place=Gaza@2, weapon=12:20), not {text!r}")
    return role.strip(), mark


def sentence_from_record(record: object) -> MarkedSentence:
    """One line of a marked-sentences JSONL file:
    `{"text": ..., "type": "Attack", "trigger": "launched", "arguments": [{"role": "attacker", "mark": "Hamas"},
    {"role": "weapon", "span": [20, 27]}], "date": "2020-01-08"}` (date optional)."""
    if not isinstance(record, dict):
        raise MarkError("a line must be a JSON object with text, type, trigger and arguments")
    missing = [k for k in ("text", "type", "trigger") if k not in record]
    if missing:
        raise MarkError(f"missing {', '.join(missing)}")
    text, event_type = record["text"], record["type"]
    if not isinstance(text, str) or not isinstance(event_type, str):
        raise MarkError("text and type must be strings")
    arguments: list[tuple[str, str | Sequence[int]]] = []
    for item in record.get("arguments") or []:
        if not isinstance(item, dict) or not isinstance(item.get("role"), str) or ("mark" in item) == ("span" in item):
            raise MarkError(f"an argument is {{\"role\": ..., \"mark\": \"words\"}} or {{\"role\": ..., \"span\": "
                            f"[start, end]}}, not {item!r}")
        arguments.append((item["role"], item["mark"] if "mark" in item else item["span"]))
    date = record.get("date")
    if date is not None and not isinstance(date, str):
        raise MarkError("date must be a YYYY-MM-DD string")
    return marked_sentence(text, record["trigger"], arguments, event_type, date)
