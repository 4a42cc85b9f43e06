"""Why did a rule match a sentence, or not? The data behind `rulex explain`.

For each rule: its matches with their arguments and derivations; a match the overlap policy
dropped (and what won); or, for a rule that did not match, the nearest miss. The nearest
miss is found by matching ever longer prefixes of the rule's pattern (its top-level
elements, in order) against the marked-up sentence: the longest prefix that matches
somewhere says how far the rule got, the next element is the one that failed, the word
after the prefix is where it failed, and the places where that element alone does match
say what the rule author probably has to change (a gap, another word form).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace

import regex

from . import ast
from .builtins import BUILTIN_NAMES, BUILTINS
from .compiler import _flatten, _RuleCompiler
from .document import Document
from .forms import word_forms
from .match import Match
from .matcher import match_document
from .mentions import builtin_mentions, find_mentions
from .pack import Pack
from .planning import AnchorKind, rarest_item
from .printer import pattern_text
from .regexcode import FLAGS
from .resolve import ResolvedPack
from .segment import lowercase_view, normalise, paragraphs, sentences_in, tokenize
from .view import NAMED_LISTS, SentenceView, generic_types


@dataclass(frozen=True)
class Found:
    """A mention in the sentence: a lexicon alias or a built-in type's match."""
    text: str
    start: int
    end: int
    type: str
    source: str            # the lexicon's name, or "built-in"
    value: object = None
    where: str = ""        # the lexicon entry's file:line


@dataclass(frozen=True)
class SlotEdge:
    """The slot (argument, gap, built-in, lexicon mention) before a failed element, when it ended
    where that element could not follow: early, the text going on with words it did not take
    before the element's next match; or late, having taken words where the element matches."""
    element: str                       # the slot as written in the rule
    took: tuple[int, int]              # the words it took
    early: bool
    rest: tuple[int, int]              # early: the words after it up to the element's match; late: that match


@dataclass(frozen=True)
class Miss:
    """How far a rule's pattern got in one sentence (or at one occurrence of its anchor), and what stopped it."""
    sentence: tuple[int, int]
    reached: int                       # elements matched, in order
    total: int
    matched: tuple[int, int] | None    # the span the matched elements cover
    element: str                       # the element that failed, as written in the rule
    expected: str                      # what that element wants, in words
    at: tuple[int, int] | None         # the word where it failed (None: at the sentence end)
    elsewhere: tuple[tuple[int, int], ...] = ()  # where the element alone matches in the sentence
    alternative: int | None = None
    note: str = ""
    slot_edge: SlotEdge | None = None
    anchor: tuple[int, int] | None = None  # an attempt's: the occurrence of the anchor element it was tried at
    before: bool = False               # the element failed before the matched part (matched right to left from the anchor)


@dataclass(frozen=True)
class RuleReport:
    rule: str
    file: str
    line: int
    status: str                        # "matched" | "dropped" | "rejected" | "missed"
    tried: bool                        # whether the rule's required words occur (the matcher tries it)
    matches: tuple[Match, ...] = ()
    dropped_by: tuple[Match, ...] = ()  # for "dropped": the matches that won the overlap
    miss: Miss | None = None
    attempts: tuple[Miss, ...] = ()    # every occurrence of the anchor where the rule failed, and why


@dataclass(frozen=True)
class Explanation:
    text: str
    date: dt.date | None
    sentences: tuple[tuple[int, int], ...]
    tokens: tuple[tuple[int, int], ...]
    found: tuple[Found, ...]
    rules: tuple[RuleReport, ...] = field(default=())

    def to_dict(self) -> dict:
        def span(s):
            return None if s is None else {"start": s[0], "end": s[1], "text": self.text[s[0]:s[1]]}

        def miss_dict(miss: Miss) -> dict:
            edge = miss.slot_edge
            return {"sentence": span(miss.sentence), "reached": miss.reached, "elements": miss.total,
                    "matched": span(miss.matched), "failed_element": miss.element, "expected": miss.expected,
                    "failed_at": span(miss.at), "failed_before_match": miss.before,
                    "elsewhere": [span(s) for s in miss.elsewhere],
                    "alternative": miss.alternative, "note": miss.note or None, "anchor": span(miss.anchor),
                    "slot_edge": None if edge is None else {
                        "element": edge.element, "took": span(edge.took),
                        "ended": "early" if edge.early else "late", "rest": span(edge.rest)}}
        out_rules = []
        for r in self.rules:
            item = {"rule": r.rule, "rule_file": r.file, "rule_line": r.line, "status": r.status, "tried": r.tried,
                    "matches": [m.to_dict() for m in r.matches]}
            if r.dropped_by:
                item["dropped_by"] = [{"rule": m.rule, "start": m.start, "end": m.end, "text": m.text} for m in r.dropped_by]
            if r.miss is not None:
                item["nearest_miss"] = miss_dict(r.miss)
            item["attempts"] = [miss_dict(a) for a in r.attempts]
            out_rules.append(item)
        return {"text": self.text, "date": self.date.isoformat() if self.date else None,
                "sentences": [span(s) for s in self.sentences], "tokens": [span(t) for t in self.tokens],
                "found": [{"text": f.text, "start": f.start, "end": f.end, "type": f.type, "source": f.source,
                           "value": f.value, "where": f.where or None} for f in self.found],
                "rules": out_rules}


def explain(pack: Pack, resolved: ResolvedPack, text: str, date: dt.date | None = None,
            rule_ids: list[str] | None = None, every_rule: bool = False) -> Explanation:
    """Explain the pack's rules on `text`: all rules with a match or whose words occur in it, or
    the rules named in `rule_ids` (pack-qualified or local ids), or every rule."""
    program = pack.program
    doc = Document("explain", text, date)
    normalised = normalise(text)
    lowered = lowercase_view(normalised)
    sentences = tuple(s for chunk in paragraphs(normalised) for s in sentences_in(normalised, *chunk))
    tokens = tuple((t.start, t.end) for t in tokenize(text))
    everything = set(BUILTIN_NAMES)
    mentions = find_mentions(program, normalised, lowered, date=date)
    builtins = [m for s, e in sentences for m in builtin_mentions(program, normalised, lowered, s, e, everything)]
    found = tuple(_found(program, doc, m) for m in sorted(mentions + builtins, key=lambda m: (m.start, -m.end)))

    kept = match_document(program, doc).matches
    asts = {f"{program.manifest.name}.{r.id}": r for r in resolved.rules}
    reports = []
    for index, rule in enumerate(program.rules):
        if not rule.standalone:
            continue
        if rule_ids and not any(wanted in (rule.id, rule.local_id) for wanted in rule_ids):
            continue
        own = match_document(program, doc, rules={index}).matches
        tried = anchors_occur(rule, lowered)
        mine = tuple(m for m in kept if m.rule == rule.id)
        if not (mine or own or rule_ids or every_rule or tried):
            continue
        failed = attempts(program, resolved, asts[rule.id], normalised, lowered, sentences, date, own)
        if mine:
            reports.append(RuleReport(rule.id, rule.file, rule.line, "matched", tried, mine, attempts=failed))
            continue
        if own:
            winners = tuple(k for k in kept if k.type == own[0].type and any(k.start < o.end and o.start < k.end for o in own))
            reports.append(RuleReport(rule.id, rule.file, rule.line, "dropped", tried, own, winners, attempts=failed))
            continue
        miss = nearest_miss(program, resolved, asts[rule.id], normalised, lowered, sentences, date)
        status = "rejected" if miss is not None and miss.reached == miss.total else "missed"
        reports.append(RuleReport(rule.id, rule.file, rule.line, status, tried, miss=miss, attempts=failed))
    return Explanation(text, date, sentences, tokens, found, tuple(reports))


def anchors_occur(rule, lowered: str) -> bool:
    """Whether one of the rule's anchor words occurs as a word (lexicon anchors count as present)."""
    if rule.anchors is None:
        return True
    for anchor in rule.anchors:
        if anchor.kind is not AnchorKind.WORD:
            return True
        if regex.search(rf"(?<!\w){regex.escape(str(anchor.value))}(?!\w)", lowered):
            return True
    return False


def _found(program, doc: Document, mention) -> Found:
    text = doc.text[mention.start:mention.end]
    if mention.entry >= 0:
        lexicon = program.lexicons[mention.source]
        entry = lexicon.entries[mention.entry]
        return Found(text, mention.start, mention.end, lexicon.type, lexicon.name, entry.id,
                     f"{entry.span.file}:{entry.span.line}")
    name = BUILTIN_NAMES[mention.source - len(program.lexicons)]
    result = BUILTINS[name].normalise(text, doc.date)
    return Found(text, mention.start, mention.end, name, "built-in", result.value if result else None)


def _options(rule: ast.Rule) -> tuple[ast.Pattern, ...]:
    return rule.pattern.options if isinstance(rule.pattern, ast.Alternation) else (rule.pattern,)


def _sentence_view(program, normalised: str, lowered: str, start: int, end: int, date) -> SentenceView:
    """The sentence marked up with its lexicon and built-in mentions, as the rules' regexes see it."""
    mentions = find_mentions(program, normalised, lowered, start, end, date)
    mentions += builtin_mentions(program, normalised, lowered, start, end, set(BUILTIN_NAMES))
    return SentenceView(normalised, start, end, sorted(mentions, key=lambda m: (m.start, -m.end)))


def nearest_miss(program, resolved: ResolvedPack, rule: ast.Rule, normalised: str, lowered: str,
                 sentences, date: dt.date | None) -> Miss | None:
    """The furthest any alternative of the rule got in any sentence; None if the text has none."""
    options = _options(rule)
    best: Miss | None = None
    for number, option in enumerate(options, start=1):
        items = _flatten(option)
        for start, end in sentences:
            view = _sentence_view(program, normalised, lowered, start, end, date)
            miss = _prefix_miss(resolved, rule, items, view, normalised)
            miss = replace(miss, alternative=number if len(options) > 1 else None)
            if best is None or (miss.reached, -miss.sentence[0]) > (best.reached, -best.sentence[0]):
                best = miss
    return best


def _prefix_miss(resolved: ResolvedPack, rule: ast.Rule, items: list[ast.Pattern], view: SentenceView,
                 normalised: str) -> Miss:
    reached, covered = 0, None
    for k in range(1, len(items) + 1):
        source, _ = _RuleCompiler(resolved, rule).sequence_parts(items[:k], 0)
        found = _search(source, view.text)
        if found is None:
            break
        reached, covered = k, view.doc_span(found.start(), found.end())
    total = len(items)
    sentence = (view.start, view.end)
    if reached == total:
        return Miss(sentence, reached, total, covered, "", "",
                    None, note=_context_note(rule))
    return _failure(resolved, rule, items, 0, reached, view, normalised, covered, None)


def _failure(resolved: ResolvedPack, rule: ast.Rule, items: list[ast.Pattern], first: int, failed: int,
             view: SentenceView, normalised: str, covered, pos: int | None, **more) -> Miss:
    """Items `first` to `failed` matched (at view offset `pos`, or anywhere), covering `covered`;
    item `failed` did not: where it failed, where it matches alone, and the slot that ended wrong."""
    element = items[failed]
    at = _word_after(normalised, covered[1] if covered else view.start, view.end)
    alone, _ = _RuleCompiler(resolved, rule).sequence_parts([_required(element)], 0)
    elsewhere = tuple(view.doc_span(m.start(), m.end()) for m in _finditer(alone, view.text))
    edge = _slot_edge(resolved, rule, items, first, failed, view, normalised, pos, at, elsewhere)
    return Miss((view.start, view.end), failed - first + more.pop("left", 0), len(items), covered,
                pattern_text(element), describe(resolved, element), at, elsewhere, slot_edge=edge, **more)


EDGE_GROUP = "edge"


def _slot_edge(resolved: ResolvedPack, rule: ast.Rule, items: list[ast.Pattern], first: int, failed: int,
               view: SentenceView, normalised: str, pos: int | None, at, elsewhere) -> SlotEdge | None:
    """The slot before item `failed` (optional words between skipped) if it ended where the item
    could not follow: its words hold a match of the item (late), or the item matches further on,
    after words the slot did not take (early). Found by matching items `first` to `failed` again
    with the slot in a group of its own."""
    index = failed - 1
    while index > first and _optional_words(items[index]):
        index -= 1
    if index < first:
        return None
    slot = items[index]
    inner = slot.item if isinstance(slot, ast.Repeat) else slot
    if not isinstance(inner, (ast.Slot, ast.AnyWord)):
        return None
    compiler = _RuleCompiler(resolved, rule)
    head, need = compiler.sequence_parts(items[first:index], 0)
    middle, need = compiler.sequence_parts([slot], 0, need_sep=need)
    tail, _ = compiler.sequence_parts(items[index + 1:failed], 0, need_sep=need)
    source = f"{head}(?P<{EDGE_GROUP}>{middle}){tail}"
    found = _match(source, view.text, pos) if pos is not None else _search(source, view.text)
    if found is None or found.start(EDGE_GROUP) < 0:
        return None
    span = view.doc_span(*found.span(EDGE_GROUP))
    words = [t for t in tokenize(normalised, view.start, view.end) if span[0] <= t.start and t.end <= span[1]]
    if not words:
        return None
    took = (words[0].start, words[-1].end)
    inside = [s for s in elsewhere if took[0] < s[0] < took[1]]
    if inside:
        return SlotEdge(pattern_text(slot), took, False, inside[0])
    later = [s for s in elsewhere if at is not None and s[0] > at[0]]
    if later:
        rest = [t for t in tokenize(normalised, at[0], later[0][0])]
        if rest:
            return SlotEdge(pattern_text(slot), took, True, (rest[0].start, rest[-1].end))
    return None


def _optional_words(node: ast.Pattern) -> bool:
    """An optional item of fixed words (`of?`), which may have matched nothing."""
    return isinstance(node, ast.Repeat) and node.min == 0 and not isinstance(node.item, (ast.Slot, ast.AnyWord))


MAX_ATTEMPTS = 50  # per rule: a generic anchor (a Name) can occur at every capitalised word


def attempts(program, resolved: ResolvedPack, rule: ast.Rule, normalised: str, lowered: str, sentences,
             date: dt.date | None, matches: tuple[Match, ...]) -> tuple[Miss, ...]:
    """Every place the rule was tried and failed: each occurrence of its anchor element (the
    required element with the rarest words, as the matcher splits the rule; else its first
    required element) outside the rule's `matches`, with how far the pattern got around it."""
    options = _options(rule)
    out: list[Miss] = []
    for number, option in enumerate(options, start=1):
        items = _flatten(option)
        anchor = rarest_item(items, resolved)
        if anchor is None:
            anchor = next((i for i, item in enumerate(items) if not (isinstance(item, ast.Repeat) and item.min == 0)), None)
        if anchor is None:
            continue
        anchor_source = _RuleCompiler(resolved, rule).node(items[anchor], 0)
        for start, end in sentences:
            view = _sentence_view(program, normalised, lowered, start, end, date)
            starts = dict.fromkeys(m.start() for m in _finditer(anchor_source, view.text, overlapped=True))
            for pos in starts:
                hit = _match(anchor_source, view.text, pos)
                where = view.doc_span(hit.start(), hit.end())
                if any(m.start <= where[0] < m.end for m in matches):
                    continue
                attempt = _attempt(resolved, rule, items, anchor, pos, where, view, normalised)
                out.append(replace(attempt, alternative=number if len(options) > 1 else None))
                if len(out) >= MAX_ATTEMPTS:
                    return tuple(out)
    return tuple(sorted(out, key=lambda a: (a.anchor, a.alternative or 0)))


def _attempt(resolved: ResolvedPack, rule: ast.Rule, items: list[ast.Pattern], anchor: int, pos: int,
             where: tuple[int, int], view: SentenceView, normalised: str) -> Miss:
    """The rule tried at one occurrence of its anchor (view offset `pos`): the items after it
    matched left to right from there, those before it right to left, as the matcher does."""
    right, right_end = 0, pos
    for k in range(anchor + 1, len(items) + 1):
        source, _ = _RuleCompiler(resolved, rule).sequence_parts(items[anchor:k], 0)
        found = _match(source, view.text, pos)
        if found is None:
            break
        right, right_end = k - anchor, found.end()
    left, left_start = 0, pos
    for j in range(1, anchor + 1):
        compiler = _RuleCompiler(resolved, rule)
        with compiler.reversed():
            prefix, need = compiler.sequence_parts(items[anchor - j:anchor], 0)
            lead = compiler.sep if need else ""
        found = _match(f"(?<=(?P<{EDGE_GROUP}>{prefix}{lead}))", view.text, pos)
        if found is None:
            break
        left, left_start = j, found.start(EDGE_GROUP)
    covered = view.doc_span(left_start, right_end)
    if left < anchor:
        element = items[anchor - left - 1]
        before = [t for t in tokenize(normalised, view.start, covered[0])]
        return Miss((view.start, view.end), left + right, len(items), covered, pattern_text(element),
                    describe(resolved, element), (before[-1].start, before[-1].end) if before else None,
                    anchor=where, before=True)
    if anchor + right < len(items):
        return _failure(resolved, rule, items, anchor, anchor + right, view, normalised, covered, pos,
                        left=left, anchor=where)
    return Miss((view.start, view.end), len(items), len(items), covered, "", "", None,
                note=_context_note(rule), anchor=where)


def _required(node: ast.Pattern) -> ast.Pattern:
    """An optional element as if it were required (to look for it alone)."""
    if isinstance(node, ast.Repeat) and node.min == 0:
        return ast.Repeat(node.item, 1, node.max, node.span) if node.max != 1 else node.item
    return node


def _context_note(rule: ast.Rule) -> str:
    conditions = [c.keyword for c in ast.context_conditions(rule)]
    if conditions:
        return ("the whole pattern matches, but its context does not hold: "
                + " or ".join(f"`{c}:`" for c in conditions))
    return "the whole pattern matches here, but not as one match of the rule (see the other sentences)"


def _pattern(source: str) -> regex.Pattern[str]:
    """A piece of a rule's regex, compiled as the rule's own is (not kept: explain makes many)."""
    return regex.compile(source, FLAGS, ignore_unused=True, **NAMED_LISTS)  # type: ignore[arg-type]  # the stubs type no named lists


def _search(source: str, text: str):
    try:
        return _pattern(source).search(text, timeout=1.0)
    except (TimeoutError, regex.error):
        return None


def _finditer(source: str, text: str, overlapped: bool = False):
    try:
        return list(_pattern(source).finditer(text, overlapped=overlapped, timeout=1.0))
    except (TimeoutError, regex.error):
        return []


def _match(source: str, text: str, pos: int):
    """A match of `source` that starts at `pos` in `text`, or None."""
    try:
        return _pattern(source).match(text, pos, timeout=1.0)
    except (TimeoutError, regex.error):
        return None


def _word_after(text: str, at: int, end: int) -> tuple[int, int] | None:
    """The first token at or after `at` in the sentence, or None at its end."""
    for token in tokenize(text, at, end):
        return token.start, token.end
    return None


def describe(resolved: ResolvedPack, node: ast.Pattern) -> str:
    """What a pattern element wants, in words an analyst reads."""
    if isinstance(node, ast.Repeat):
        inner = describe(resolved, node.item)
        if isinstance(node.item, ast.AnyWord):
            return f"a gap of {node.min} to {node.max} words"
        return inner if (node.min, node.max) == (0, 1) else f"{inner}, {node.min} to {node.max} times"
    if isinstance(node, ast.Literal):
        return f"the word(s) \"{node.text}\"" + (" in this exact case" if node.case_sensitive else "")
    if isinstance(node, ast.WordForms):
        forms = sorted({f for lemma in node.lemmas for f in word_forms(lemma)})
        return "a form of " + " or ".join(node.lemmas) + ": " + ", ".join(forms[:12]) + (" ..." if len(forms) > 12 else "")
    if isinstance(node, ast.AnyWord):
        return "any one word"
    if isinstance(node, ast.RawRegex):
        return f"text matching the regular expression /{node.source}/"
    if isinstance(node, ast.Alternation):
        return "one of: " + "; ".join(describe(resolved, o) for o in node.options)
    if isinstance(node, ast.Sequence):
        return "in a row: " + "; ".join(describe(resolved, i) for i in node.items)
    if isinstance(node, ast.Slot):
        return " or ".join(_describe_type(resolved, t.name) for t in node.types)
    return pattern_text(node)


def _describe_type(resolved: ResolvedPack, name: str) -> str:
    parts = []
    for meaning in resolved.names.get(name, ()):
        if meaning.kind == "lexicon":
            for index in meaning.lexicons:
                lexicon = resolved.lexicons[index]
                sample = ", ".join(a for e in lexicon.entries[:3] for a in e.aliases[:1])
                parts.append(f"{with_article(lexicon.type)} from lexicon `{lexicon.name}` ({len(lexicon.entries)} entries, "
                             f"e.g. {sample})")
        elif meaning.kind == "builtin":
            parts.append(f"{with_article(name)}: {BUILTINS[name].description}")
        elif meaning.kind == "generic":
            parts.append(f"{with_article(name)}: {generic_types()[name][0]}")
        elif meaning.kind == "define":
            parts.append(f"the sub-pattern `{name}`: {pattern_text(resolved.defines[name].pattern)}")
        elif meaning.kind == "rules":
            parts.append(f"{with_article(name)} found by rule(s) " + ", ".join(f"`{r}`" for r in meaning.rules))
    return "; ".join(parts) or with_article(name)


VOWEL_SOUND_EXCEPTIONS = ("hour", "honest", "honor", "honour", "heir")          # a silent h: "an hour"
CONSONANT_SOUND_EXCEPTIONS = ("uni", "use", "usu", "uti", "ura", "eu", "ewe", "one", "once")  # "a unit", "a European"


def with_article(word: str) -> str:
    """`word` after "a" or "an", by its first sound as its spelling suggests: "an Actor", "a Weapon",
    "an hour", "a Unit"; an all-capital acronym by its first letter's name ("an NGO", "a UN force")."""
    lower = word.lower()
    if word.isupper() and len(word) > 1:
        vowel_sound = word[0] in "AEFHILMNORSX"
    elif lower.startswith(VOWEL_SOUND_EXCEPTIONS):
        vowel_sound = True
    elif lower.startswith(CONSONANT_SOUND_EXCEPTIONS):
        vowel_sound = False
    else:
        vowel_sound = lower[:1] in ("a", "e", "i", "o", "u")
    return f"{'an' if vowel_sound else 'a'} {word}"



def miss_summary(miss: Miss, text: str) -> str:
    """The nearest miss in one line, as `rulex test` reports it."""
    if miss.reached == miss.total:
        return miss.note
    where = f'"{text[miss.at[0]:miss.at[1]]}"' if miss.at else "the end of the sentence"
    got = f' ("{text[miss.matched[0]:miss.matched[1]]}")' if miss.matched else ""
    edge = f"; {slot_edge_text(miss.slot_edge, miss.element, text)}" if miss.slot_edge else ""
    return (f"got {miss.reached} of {miss.total} elements{got}; {miss.element} failed at {where}; "
            f"expected {miss.expected}{edge}")


def render(explanation: Explanation, style=lambda text, **_: text) -> str:
    """The explanation as terminal text; `style` is click.style to colour it."""
    text = explanation.text
    quote = lambda s: '"' + text[s[0]:s[1]] + '"'  # noqa: E731
    lines = []
    for number, (start, end) in enumerate(explanation.sentences, start=1):
        lines.append(style(f"sentence {number} ({start}-{end}): ", bold=True) + text[start:end])
        words = [text[s:e] for s, e in explanation.tokens if start <= s and e <= end]
        lines.append("  tokens: " + " · ".join(words))
        for f in (f for f in explanation.found if start <= f.start < end):
            value = "" if f.value is None else f" = {f.value if isinstance(f.value, str) else _json(f.value)}"
            where = f" ({f.source}, {f.where})" if f.where else f" ({f.source})"
            lines.append(f"  found:  \"{f.text}\" {style(f.type, fg='cyan')}{value}{where}")
    if explanation.date:
        lines.append(f"document date: {explanation.date.isoformat()}")
    if not explanation.rules:
        lines.append(style("no rule matched, and no rule's required words occur in the text "
                           "(use --rule ID or --all to see why a rule missed)", fg="yellow"))
    for report in explanation.rules:
        lines.append("")
        lines.append(style(report.rule, bold=True) + f"  {report.file}:{report.line}")
        if report.status in ("matched", "dropped"):
            for m in report.matches:
                mark = (style("✓ matched", fg="green") if report.status == "matched"
                        else style("~ matched, then dropped", fg="yellow"))
                lines.append(f"  {mark} \"{m.text}\" ({m.start}-{m.end})" +
                             (f", alternative {m.provenance.alternative}" if m.provenance.alternative else ""))
                for arg, how in zip(m.arguments, m.provenance.derivation):
                    value = "" if not arg.has_value else f" → {arg.value if isinstance(arg.value, str) else _json(arg.value)}"
                    lines.append(f"      {arg.role} = \"{arg.text}\"{value}   [{_how(how)}{_reach(how, text)}]")
                for note in m.provenance.links:
                    other = note["with"]
                    took = ", ".join(note["roles"]) or "nothing it lacked"
                    lines.append(f"      linked with {other['type']} \"{text[other['start']:other['end']]}\" by "
                                 f"{note['link']} ({note['link_file']}:{note['link_line']}): took {took}")
                true_attrs = [_attribute(name, value, m.provenance.attributes) for name, value in m.attrs.items() if value]
                if true_attrs:
                    lines.append("      attrs: " + ", ".join(true_attrs))
            for winner in report.dropped_by:
                lines.append(f"    overlapped by {winner.rule} \"{winner.text}\", which the overlap policy kept")
            lines += _attempt_lines(explanation, report.attempts, style)
            continue
        miss = report.miss
        if miss is None:  # a text without a sentence (empty, or only spaces)
            lines.append(style("  ✗ no match: the text has no sentence to try it on", fg="red"))
            continue
        if not report.tried:
            lines.append(style("  not tried: none of its required words occur in the text", fg="yellow"))
        if report.status == "rejected":
            lines.append(style("  ✗ no match: ", fg="red") + miss.note)
        else:
            got = f"{miss.reached} of {miss.total} elements" + (f" ({quote(miss.matched)})" if miss.matched else "")
            alt = f" (alternative {miss.alternative})" if miss.alternative else ""
            lines.append(style("  ✗ no match", fg="red") + f"{alt}: got {got}")
            lines += _failure_lines(explanation, miss, style)
            lines.append(f"    expected: {miss.expected}")
            for other in miss.elsewhere[:3]:
                gap = _words_between(explanation, miss.at, other)
                hint = f", {gap} word(s) further on" if gap else ""
                lines.append(f"    {miss.element} does match {quote(other)} ({other[0]}-{other[1]}){hint}")
        shown = (miss.matched, miss.element, miss.at)
        lines += _attempt_lines(explanation, [a for a in report.attempts if (a.matched, a.element, a.at) != shown], style)
    return "\n".join(lines)


def _failure_lines(explanation: Explanation, miss: Miss, style, indent: str = "    ") -> list[str]:
    """Which element failed on which word, and the slot before it that ended early or late."""
    text = explanation.text
    quote = lambda s: '"' + text[s[0]:s[1]] + '"'  # noqa: E731
    if miss.before:
        where = f"at {quote(miss.at)} (char {miss.at[0]}), before the part that matched" if miss.at \
            else "at the start of the sentence"
    else:
        where = f"at {quote(miss.at)} (char {miss.at[0]})" if miss.at else "at the end of the sentence"
    lines = [f"{indent}then {style(miss.element, fg='magenta')} failed {where}"]
    if miss.slot_edge is not None:
        lines.append(indent + slot_edge_text(miss.slot_edge, miss.element, text))
    return lines


def slot_edge_text(edge: SlotEdge, element: str, text: str) -> str:
    """`{loser:Name} ended at "Botic"; the text goes on with "van de Zanschulp"`, or the slot took the element's words."""
    last_word = tokenize(text, edge.took[0], edge.took[1])[-1]
    if edge.early:
        return (f'{edge.element} ended at "{text[last_word.start:last_word.end]}"; the text goes on with '
                f'"{text[edge.rest[0]:edge.rest[1]]}" before {element} matches')
    return (f'{edge.element} took "{text[edge.took[0]:edge.took[1]]}", swallowing '
            f'"{text[edge.rest[0]:edge.rest[1]]}", which the next element ({element}) wanted')


def _attempt_lines(explanation: Explanation, failed, style) -> list[str]:
    """Each other place the rule was tried (an occurrence of its anchor) and why it failed there."""
    text = explanation.text
    lines = []
    for attempt in failed:
        alt = f", alternative {attempt.alternative}" if attempt.alternative else ""
        head = f'  {style("✗ tried", fg="red")} at "{text[attempt.anchor[0]:attempt.anchor[1]]}" (char {attempt.anchor[0]}){alt}'
        if attempt.reached == attempt.total:
            lines.append(f"{head}: {attempt.note}")
            continue
        got = f' ("{text[attempt.matched[0]:attempt.matched[1]]}")' if attempt.matched else ""
        lines.append(f"{head}: got {attempt.reached} of {attempt.total} elements{got}")
        lines += _failure_lines(explanation, attempt, style, indent="      ")
    return lines


def _attribute(name: str, value, notes: tuple[dict, ...]) -> str:
    """A true attribute and why: `negated (cue "did not", governs "explode")`, `injury (set by the rule)`."""
    shown = name if value is True else f"{name} = {_json(value)}"
    why = []
    for note in (n for n in notes if n.get("attribute") == name):
        if note.get("set_by") == "rule":
            why.append("set by the rule")
        elif "cue" in note:
            why.append(f'cue "{note["cue"]}"' + (f', governs "{note["governs"]}"' if note.get("governs") else ""))
    return shown + (f" ({'; '.join(why)})" if why else "")


def _words_between(explanation: Explanation, at, other) -> int:
    if at is None or other[0] < at[0]:
        return 0
    return sum(1 for s, _ in explanation.tokens if at[0] <= s < other[0])


REACH_KEYS = ("found_by", "inside", "find", "find_file", "find_line", "link", "link_file", "link_line",
              "from_event", "from_role")


def _reach(how: dict, text: str) -> str:
    """How an argument beyond the rule's adjacent words was reached: nested, search or link."""
    found_by = how.get("found_by")
    if found_by == "nested":
        return f"; inside {how['inside']} ({how['rule_element']})"
    if found_by == "search":
        return f"; found by `find {how['find']}` at {how['find_file']}:{how['find_line']}"
    if found_by == "link":
        event = how["from_event"]
        return (f"; from {how['from_role']} of the linked {event['type']} \"{text[event['start']:event['end']]}\", "
                f"link {how['link']} at {how['link_file']}:{how['link_line']}")
    return ""


def _how(how: dict) -> str:
    via = how.get("via")
    if via == "lexicon":
        extra = f", fuzzy: {how['fuzzy']['alias']}" if "fuzzy" in how else ""
        return f"lexicon {how['lexicon']}, entry {how['entry']} at {how['entry_file']}:{how['entry_line']}{extra}"
    if via == "builtin":
        note = f": {how['note']}" if "note" in how else ""
        return f"built-in {how.get('type')}, normaliser {how.get('normaliser')}{note}"
    if via == "rules":
        return f"rule {how['rule']} at {how['rule_file']}:{how['rule_line']}"
    return ", ".join(f"{k}: {v}" for k, v in how.items() if k not in ("role", "text", "rule_element") + REACH_KEYS)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
