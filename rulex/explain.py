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
from .builtins import BUILTINS
from .compiler import BUILTIN_NAMES, FLAGS, _RuleCompiler, _flatten, word_forms
from .document import Document
from .match import Match
from .matcher import builtin_mentions, find_mentions, match_document
from .pack import Pack
from .printer import pattern_text
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
class Miss:
    """How far a rule's pattern got in one sentence, and what stopped it."""
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
        out_rules = []
        for r in self.rules:
            item = {"rule": r.rule, "rule_file": r.file, "rule_line": r.line, "status": r.status, "tried": r.tried,
                    "matches": [m.to_dict() for m in r.matches]}
            if r.dropped_by:
                item["dropped_by"] = [{"rule": m.rule, "start": m.start, "end": m.end, "text": m.text} for m in r.dropped_by]
            if r.miss is not None:
                miss = r.miss
                item["nearest_miss"] = {
                    "sentence": span(miss.sentence), "reached": miss.reached, "elements": miss.total,
                    "matched": span(miss.matched), "failed_element": miss.element, "expected": miss.expected,
                    "failed_at": span(miss.at), "elsewhere": [span(s) for s in miss.elsewhere],
                    "alternative": miss.alternative, "note": miss.note or None}
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
        tried = _tried(rule, lowered)
        mine = tuple(m for m in kept if m.rule == rule.id)
        if mine:
            reports.append(RuleReport(rule.id, rule.file, rule.line, "matched", tried, mine))
            continue
        if own:
            winners = tuple(k for k in kept if k.type == own[0].type and any(k.start < o.end and o.start < k.end for o in own))
            reports.append(RuleReport(rule.id, rule.file, rule.line, "dropped", tried, own, winners))
            continue
        if not (rule_ids or every_rule or tried):
            continue
        miss = nearest_miss(program, resolved, asts[rule.id], normalised, lowered, sentences, date)
        status = "rejected" if miss.reached == miss.total else "missed"
        reports.append(RuleReport(rule.id, rule.file, rule.line, status, tried, miss=miss))
    return Explanation(text, date, sentences, tokens, found, tuple(reports))


def _tried(rule, lowered: str) -> bool:
    """Whether one of the rule's anchor words occurs as a word (lexicon anchors count as present)."""
    if rule.anchors is None:
        return True
    for kind, value in rule.anchors:
        if kind != "word":
            return True
        if regex.search(rf"(?<!\w){regex.escape(value)}(?!\w)", lowered):
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


def nearest_miss(program, resolved: ResolvedPack, rule: ast.Rule, normalised: str, lowered: str,
                 sentences, date: dt.date | None) -> Miss:
    """The furthest any alternative of the rule got in any sentence."""
    options = rule.pattern.options if isinstance(rule.pattern, ast.Alternation) else (rule.pattern,)
    best: Miss | None = None
    for number, option in enumerate(options, start=1):
        items = _flatten(option)
        for start, end in sentences:
            mentions = find_mentions(program, normalised, lowered, start, end, date)
            mentions += builtin_mentions(program, normalised, lowered, start, end, set(BUILTIN_NAMES))
            view = SentenceView(normalised, start, end, sorted(mentions, key=lambda m: (m.start, -m.end)))
            miss = _prefix_miss(resolved, rule, items, view, normalised)
            miss = replace(miss, alternative=number if len(options) > 1 else None)
            if best is None or (miss.reached, -miss.sentence[0]) > (best.reached, -best.sentence[0]):
                best = miss
    return best


def _prefix_miss(resolved: ResolvedPack, rule: ast.Rule, items: list[ast.Pattern], view: SentenceView,
                 normalised: str) -> Miss:
    compiler = _RuleCompiler(resolved, rule)
    reached, covered = 0, None
    for k in range(1, len(items) + 1):
        source, _ = compiler.sequence_parts(items[:k], 0)
        found = _search(source, view.text)
        if found is None:
            break
        reached, covered = k, view.doc_span(found.start(), found.end())
    total = len(items)
    sentence = (view.start, view.end)
    if reached == total:
        return Miss(sentence, reached, total, covered, "", "",
                    None, note=_context_note(rule))
    element = items[reached]
    at = _word_after(normalised, covered[1] if covered else view.start, view.end)
    alone, _ = compiler.sequence_parts([_required(element)], 0)
    elsewhere = tuple(view.doc_span(m.start(), m.end()) for m in _finditer(alone, view.text))
    return Miss(sentence, reached, total, covered, pattern_text(element), describe(resolved, element), at, elsewhere)


def _required(node: ast.Pattern) -> ast.Pattern:
    """An optional element as if it were required (to look for it alone)."""
    if isinstance(node, ast.Repeat) and node.min == 0:
        return ast.Repeat(node.item, 1, node.max, node.span) if node.max != 1 else node.item
    return node


def _context_note(rule: ast.Rule) -> str:
    conditions = [name for name, node in (("not preceded by", rule.not_preceded_by),
                                          ("not followed by", rule.not_followed_by)) if node is not None]
    if conditions:
        return "the whole pattern matches, but " + " or ".join(f"`{c}`" for c in conditions) + " rejected it"
    return "the whole pattern matches here, but not as one match of the rule (see the other sentences)"


def _search(source: str, text: str):
    try:
        return regex.compile(source, FLAGS, ignore_unused=True, **NAMED_LISTS).search(text, timeout=1.0)
    except (TimeoutError, regex.error):
        return None


def _finditer(source: str, text: str):
    try:
        return list(regex.compile(source, FLAGS, ignore_unused=True, **NAMED_LISTS).finditer(text, timeout=1.0))
    except (TimeoutError, regex.error):
        return []


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
                parts.append(f"a {lexicon.type} from lexicon `{lexicon.name}` ({len(lexicon.entries)} entries, "
                             f"e.g. {sample})")
        elif meaning.kind == "builtin":
            parts.append(f"a {name}: {BUILTINS[name].description}")
        elif meaning.kind == "generic":
            parts.append(f"a {name}: {generic_types()[name][0]}")
        elif meaning.kind == "define":
            parts.append(f"the sub-pattern `{name}`: {pattern_text(resolved.defines[name].pattern)}")
        elif meaning.kind == "rules":
            parts.append(f"a {name} found by rule(s) " + ", ".join(f"`{r}`" for r in meaning.rules))
    return "; ".join(parts) or f"a {name}"



def miss_summary(miss: Miss, text: str) -> str:
    """The nearest miss in one line, as `rulex test` reports it."""
    if miss.reached == miss.total:
        return miss.note
    where = f'"{text[miss.at[0]:miss.at[1]]}"' if miss.at else "the end of the sentence"
    got = f' ("{text[miss.matched[0]:miss.matched[1]]}")' if miss.matched else ""
    return f"got {miss.reached} of {miss.total} elements{got}; {miss.element} failed at {where}; expected {miss.expected}"


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
                mark = style("✓ matched", fg="green") if report.status == "matched" else style("~ matched, then dropped", fg="yellow")
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
            continue
        miss = report.miss
        if not report.tried:
            lines.append(style("  not tried: none of its required words occur in the text", fg="yellow"))
        if report.status == "rejected":
            lines.append(style("  ✗ no match: ", fg="red") + miss.note)
            continue
        got = f"{miss.reached} of {miss.total} elements" + (f" ({quote(miss.matched)})" if miss.matched else "")
        alt = f" (alternative {miss.alternative})" if miss.alternative else ""
        lines.append(style("  ✗ no match", fg="red") + f"{alt}: got {got}")
        where = f"at {quote(miss.at)} (char {miss.at[0]})" if miss.at else "at the end of the sentence"
        lines.append(f"    then {style(miss.element, fg='magenta')} failed {where}")
        lines.append(f"    expected: {miss.expected}")
        for other in miss.elsewhere[:3]:
            gap = _words_between(explanation, miss.at, other)
            hint = f", {gap} word(s) further on" if gap else ""
            lines.append(f"    {miss.element} does match {quote(other)} ({other[0]}-{other[1]}){hint}")
    return "\n".join(lines)


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
