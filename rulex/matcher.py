"""Run a Program over a document: scan, pick sentences, run rules there, build Matches.

1. normalise the text (same length, so offsets stay exact) and lower-case it; a long document
   a window of whole paragraphs at a time (`segment.windows`), each matched on its own and
   its matches' offsets moved to the document's (`match.shifted`);
2. planning (`planning.plan`) picks the sentences worth splitting and the rules worth trying
   in each: those whose anchor words occur there, with their required words and mentions and
   what must stand next to the anchor;
3. in those sentences, lexicon aliases and the built-in types the rules need are found
   (`mentions.py`) and marked: the `SentenceView`;
4. a rule split at its anchor is tried at each occurrence of the anchor, others over the
   sentence; raw regexes run under a time limit; groups become Arguments with provenance;
5. a rule's `find:` clauses and nested captures add arguments around and inside its matches
   (`reach.py`);
6. overlapping matches of one type are settled by the overlap policy, and linked events share
   their arguments (`links.py`).

Work is bounded: one regex call by the pack's `timeout_ms`, one sentence by `sentence_budget_ms`
and one document by `document_budget_ms` (per million characters). The clock is read once per
rule tried in a sentence, and every few regex calls or matches within one; a sentence or
document over its budget is an RX501 problem, its unfinished matches are dropped and the run
goes on.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import regex

from . import planning
from .attributes import event_attributes
from .budget import CLOCK_EVERY, BudgetExceeded, document_budget, over_document
from .builtins import BUILTINS
from .compiler import PREFIX_GROUP, CompiledRule, CompiledSearch, Group
from .document import Document
from .fuzzy import closest_alias
from .lexicons import Lexicon, alias_key
from .links import link_events
from .match import Argument, DocResult, Match, Problem, Provenance, RuleTime, shifted
from .mentions import builtin_mentions, find_mentions
from .planning import Plan
from .program import Program
from .reach import nested_arguments, searched_arguments
from .regexcode import compiled_regex
from .segment import lowercase_view, normalise, windows
from .view import SentenceView


@dataclass(frozen=True)
class _Window:
    """A window of whole paragraphs of a document (see `segment.windows`), matched on its own:
    `doc` holds the window's text, `offset` is where it starts in the whole document, and
    `normalised` and `lowered` are views of the window's text alone."""
    doc: Document
    offset: int
    normalised: str
    lowered: str


def match_document(program: Program, doc: Document, rules: set[int] | None = None, profile: bool = False) -> DocResult:
    """Every match of the program's standalone rules (or of the rule indices in `rules`) in one
    document; with `profile`, also what each rule cost (`DocResult.rule_times`). A sentence that
    takes longer than `sentence_budget_ms` loses its matches, a document that takes longer than
    its budget (`document_budget`) those of the sentences not finished: each is an RX501 problem."""
    clock = time.perf_counter
    doc_deadline = clock() + document_budget(program, len(doc.text))
    sentence_budget = program.manifest.sentence_budget_ms / 1000
    text = doc.text
    if not text or text.isspace():
        return DocResult(())
    matches: list[Match] = []
    entities: list[Match] = []  # after the rules' matches, as if the document were planned at once
    problems: list[Problem] = []
    timeout = program.manifest.timeout_ms / 1000
    costs: dict[int, RuleTime] = {}  # rule index -> what it cost so far, when profiling
    over = False  # the document ran out of its budget
    anything = False
    # A long document is planned and matched a window of whole paragraphs at a time, each with
    # views of its own text: its anchor hits, mentions, sentences and views are freed before the
    # next window's are made, and the views of the whole text are never held.
    for window in _windows(program, doc):
        plan = planning.plan(program, window.normalised, window.lowered, window.doc.date,
                             program.standalone if rules is None else rules)
        if not plan.candidates and not plan.mentions:  # most documents: nothing to run, nothing to output
            continue
        anything = True
        if not over:
            found: list[Match] = []
            over = _match_sentences(program, doc, window, plan, rules, profile, doc_deadline,
                                    sentence_budget, timeout, costs, found, problems)
            matches.extend(shifted(m, window.offset) for m in found)
        # also after the budget ran out, as before
        entities.extend(shifted(m, window.offset) for m in entity_matches(program, window.doc, plan))
        del plan, window
    if not anything:
        return DocResult(())
    matches.extend(entities)
    del entities
    kept = settle_overlaps(matches, program.overlap, program.manifest.overlap) if matches else []
    del matches
    if not over and clock() > doc_deadline:
        over = True
        problems.append(over_document(program, doc, len(text)))
    if not over:  # links compare the events of a type pairwise: not for a document already out of time
        kept = link_events(program.links, kept, text)
    kept.sort(key=lambda m: (m.start, m.rule, m.end))
    times = tuple(cost for _, cost in sorted(costs.items()))
    return DocResult(tuple(kept), tuple(problems), times)


def _windows(program: Program, doc: Document) -> Iterator[_Window]:
    """The document's windows (`segment.windows`), one at a time, each with views of its own
    text: the views of the whole text are never made, unless the document is one window (most).
    An undated document is dated by the pack's dateline rule in its first window, and every
    window carries that date."""
    spans = windows(doc.text)
    for lo, hi in spans:
        here = doc if len(spans) == 1 else replace(doc, text=doc.text[lo:hi])
        normalised = normalise(here.text)
        lowered = lowercase_view(normalised)
        if lo == 0 and doc.date is None and program.dateline is not None:
            here = dated_by_dateline(program, here, normalised, lowered)
            doc = replace(doc, date=here.date, date_source=here.date_source)
        yield _Window(here, lo, normalised, lowered)
        del here, normalised, lowered


def _match_sentences(program: Program, whole: Document, window: _Window, plan: Plan,
                     rules: set[int] | None, profile: bool, doc_deadline: float, sentence_budget: float,
                     timeout: float, costs: dict[int, RuleTime], matches: list[Match], problems: list[Problem]) -> bool:
    """The rules' matches in the plan's sentences of the window, added to `matches` with the
    window's offsets (problems to `problems`, with the whole document's); True if the document
    ran out of its budget."""
    clock = time.perf_counter
    doc, normalised, lowered, offset = window.doc, window.normalised, window.lowered, window.offset
    over = False
    for index in sorted(plan.candidates):
        rule_ids = plan.candidates[index] & (program.standalone if rules is None else rules)
        if not rule_ids:
            continue
        skip = plan.skip.get(index)
        if skip is not None and rule_ids <= skip:
            continue
        start, end = plan.sentences[index]
        now = clock()
        if now > doc_deadline:
            over = True
            problems.append(over_document(program, whole, offset + start))
            break
        deadline = min(now + sentence_budget, doc_deadline)
        here: list[Match] = []  # this sentence's matches, kept only if it finishes within budget
        wanted = set().union(*(program.rules[r].lexicons for r in rule_ids))  # only marks some rule can use
        found_here = [m for m in plan.by_sentence.get(index, ()) if m.source in wanted]
        needed = {name for r in rule_ids for name in program.rules[r].builtins}
        if needed:
            found_here = found_here + builtin_mentions(program, normalised, lowered, start, end, needed)
            found_here.sort(key=lambda m: (m.start, -m.end))
        view = SentenceView(normalised, start, end, found_here)
        for rule_index in sorted(rule_ids if skip is None else rule_ids - skip):
            rule = program.rules[rule_index]
            started = clock()  # once a rule call: the budgets' clock, and the profile's
            found: list[Match | None] | None = None
            try:
                if started > deadline:
                    raise BudgetExceeded
                found = []
                for count, m in enumerate(run_rule(rule, view.text, timeout, deadline), 1):
                    found.append(build_match(program, rule, m, view, doc))
                    if count % CLOCK_EVERY == 0 and clock() > deadline:
                        raise BudgetExceeded
            except TimeoutError as err:  # a regex call cut short by the deadline is over budget too
                if isinstance(err, BudgetExceeded) or clock() > deadline:
                    over = deadline == doc_deadline and clock() > doc_deadline
                    problems.append(over_document(program, whole, offset + start) if over else
                                    Problem(doc.id, "RX501", f"a sentence of {end - start} characters ran out of "
                                            f"its time ({program.manifest.sentence_budget_ms} ms, sentence_budget_ms); "
                                            "its matches are dropped", rule.id, (offset + start, offset + end)))
                    here = []
                    break
                found = None
                problems.append(Problem(doc.id, "RX501", f"rule {rule.id} ran out of time "
                                        f"({program.manifest.timeout_ms} ms) on a sentence of {end - start} "
                                        "characters; its matches there are dropped", rule.id,
                                        (offset + start, offset + end)))
            finally:
                if profile:
                    cost = costs.get(rule_index) or RuleTime(rule.id, 0.0, 0, 0)
                    costs[rule_index] = replace(cost, seconds=cost.seconds + clock() - started,
                                                sentences=cost.sentences + 1,
                                                matches=cost.matches + sum(m is not None for m in found or ()))
            if found:
                here.extend(m for m in found if m is not None)
        matches.extend(here)
        if over:
            break
    return over


DATELINE_CHARS = 300  # a dateline is looked for this near the start of a document
FULL_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def dated_by_dateline(program: Program, doc: Document, normalised: str, lowered: str) -> Document:
    """The document dated by the first full date the pack's dateline rule finds near its start."""
    assert program.dateline is not None
    rule = program.rules[program.dateline]
    end = min(len(normalised), DATELINE_CHARS)
    found = [m for m in find_mentions(program, normalised, lowered, 0, end) if m.source in rule.lexicons]
    found += builtin_mentions(program, normalised, lowered, 0, end, set(rule.builtins))
    view = SentenceView(normalised, 0, end, sorted(found, key=lambda m: (m.start, -m.end)))
    try:
        for m in run_rule(rule, view.text, program.manifest.timeout_ms / 1000):
            match = build_match(program, rule, m, view, doc)
            for arg in match.arguments if match else ():
                if arg.type == "Time" and isinstance(arg.value, str) and FULL_DATE.fullmatch(arg.value[:10]):
                    return replace(doc, date=dt.date.fromisoformat(arg.value[:10]),
                                   date_source=f"dateline {arg.start}-{arg.end} ({rule.id})")
    except TimeoutError:
        pass  # an undated document stays undated
    return doc


def run_rule(rule: CompiledRule, text: str, timeout: float, deadline: float | None = None) -> list[regex.Match[str]]:
    """The rule's regex matches in one sentence view: where its anchor occurs, for a split rule;
    where a match can start (as `finditer` finds them), for a rule with a `starts` finder. All
    are found before the caller builds anything from them, so the time limit (TimeoutError)
    counts the regex's own time only. With a `deadline` (a `time.perf_counter()` value), no regex
    call runs past it (TimeoutError) and the clock is read every CLOCK_EVERY of them
    (BudgetExceeded once past it)."""
    if deadline is not None:
        timeout = max(0.001, min(timeout, deadline - time.perf_counter()))
    # every rule has the time limit: a raw regex, or gaps and phrases, can backtrack for long
    if rule.finder is None:
        return list(rule.regex.finditer(text, timeout=timeout))
    if rule.starts:
        return _run_from_starts(rule, text, timeout, deadline)
    pattern, finder, last, found = rule.regex, compiled_regex(rule.finder), -1, []
    for count, occurrence in enumerate(finder.finditer(text, timeout=timeout), 1):
        if deadline is not None and count % CLOCK_EVERY == 0 and time.perf_counter() > deadline:
            raise BudgetExceeded
        m = pattern.match(text, occurrence.start(), timeout=timeout)
        if m is not None and m.end() > last:  # one match per anchor, none inside the previous one
            last = m.end()
            found.append(m)
    return found


def _run_from_starts(rule: CompiledRule, text: str, timeout: float,
                     deadline: float | None = None) -> list[regex.Match[str]]:
    """`rule.regex.finditer(text)`, but trying the regex only where the finder matches: from each
    place a match can start, left to right, none before the end of the previous match."""
    assert rule.finder is not None
    pattern, last, found = rule.regex, 0, []
    for count, occurrence in enumerate(compiled_regex(rule.finder).finditer(text, overlapped=True, timeout=timeout), 1):
        if deadline is not None and count % CLOCK_EVERY == 0 and time.perf_counter() > deadline:
            raise BudgetExceeded
        at = occurrence.start()
        if at < last:
            continue
        m = pattern.match(text, at, timeout=timeout)
        if m is not None:
            if m.end() == at:  # finditer has its own ways with empty matches: leave them to it
                return list(pattern.finditer(text, timeout=timeout))
            last = m.end()
            found.append(m)
    return found


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def build_match(program: Program, rule: CompiledRule, m: regex.Match[str], view: SentenceView,
                doc: Document) -> Match | None:
    """A Match from one regex match, with every argument's value and derivation."""
    start = m.start()
    if rule.finder is not None and not rule.starts and m.start(PREFIX_GROUP) >= 0:
        start = m.start(PREFIX_GROUP)
    start, end = _trim(doc.text, *view.doc_span(start, m.end()))
    if start >= end:
        return None
    arguments: list[Argument] = []
    value, has_value = None, False
    holders: list[tuple[Group, Argument]] = []  # arguments with nested captures
    for group in rule.groups:
        if group.kind != "arg" or group.depth != 0:
            continue
        for span in m.spans(group.name):
            arg = _argument(program, rule, group, m, span, view, doc)
            if arg is None:
                continue
            arguments.append(arg)
            if group.nested:
                holders.append((group, arg))
    filled = {a.role for a in arguments}
    for group, arg in holders:
        arguments.extend(nested_arguments(group, arg, view, doc,
                                          lambda lx, en, text: _lexicon_value(program, lx, en, text), filled))
    if rule.searches:
        prefixed = rule.finder is not None and not rule.starts and m.start(PREFIX_GROUP) >= 0
        view_start = m.start(PREFIX_GROUP) if prefixed else m.start()
        arguments.extend(searched_arguments(
            rule.searches, view, (view_start, m.end()), filled,
            lambda search, group, hit, span: _argument(program, search, group, hit, span, view, doc),
            program.manifest.timeout_ms / 1000))
    arguments.sort(key=lambda a: a.start)  # in text order, also when one group matched twice (a repeat)
    for fixed in rule.values:  # `set: count = 1`: the rule gives these arguments their value
        arguments = [replace(a, value=fixed.value, has_value=True,
                             derivation={**a.derivation, "value_set_by": f"{rule.file}:{fixed.span.line}"})
                     if a.role == fixed.name else a for a in arguments]
    alternative = next((g.alternative for g in rule.groups if g.kind == "alternative" and m.spans(g.name)), None)
    derivation = tuple({"role": a.role, "text": a.text, **a.derivation} for a in arguments)
    if rule.kind == "entity":
        inner = next((a for a in arguments if a.role == "value"), None)
        value, has_value = (inner.value, inner.has_value) if inner else (None, False)
    attrs: dict[str, Any] = {}
    cues: tuple[dict[str, Any], ...] = ()
    if rule.kind == "event":
        attrs, cues = event_attributes(program.manifest.attributes, doc.text, view.start, start, end,
                                       tuple((a.start, a.end) for a in arguments))
        if rule.sets or rule.type in program.attribute_defaults:
            attrs = {**program.attribute_defaults.get(rule.type, {}), **attrs, **{f.name: f.value for f in rule.sets}}
            cues = cues + tuple({"attribute": f.name, "set_by": "rule", "value": f.value} for f in rule.sets)
    return Match(
        doc=doc.id, type=rule.type, rule=rule.id, text=doc.text[start:end], start=start, end=end,
        arguments=tuple(arguments), kind=rule.kind, priority=rule.priority, value=value, has_value=has_value,
        provenance=Provenance(program.manifest.name, program.manifest.version, rule.file, rule.line,
                              (view.start, view.end), alternative, derivation, cues),
        attrs=attrs, meta=doc.meta)


def _argument(program: Program, rule: CompiledRule | CompiledSearch, group: Group, m: regex.Match[str],
              span: tuple[int, int], view: SentenceView, doc: Document) -> Argument | None:
    assert group.role is not None  # an "arg" group
    start, end = _trim(doc.text, *view.doc_span(*span))
    if start >= end:
        return None
    text = doc.text[start:end]
    chosen: Group | None = None
    chosen_span: tuple[int, int] | None = None
    index = 0
    for candidate in rule.groups:
        if candidate.kind == "type" and candidate.parent == group.name:
            for i, inner in enumerate(m.spans(candidate.name)):
                if span[0] <= inner[0] and inner[1] <= span[1]:
                    chosen, chosen_span, index = candidate, inner, i
                    break
        if chosen is not None:
            break
    if chosen is None:
        return Argument(group.role, text, start, end, group.type or "", derivation={"via": "pattern"})
    how: dict[str, Any] = {"via": chosen.meaning, "type": chosen.type, "rule_element": f"{chosen.span}"}
    value, has_value = None, False
    if chosen.meaning == "lexicon":
        assert chosen.id_group is not None  # a lexicon's "type" group has one
        mention = view.mention(m.captures(chosen.id_group)[index])
        lexicon = program.lexicons[mention.source]
        value, has_value = lexicon.entries[mention.entry].output, True
        how.update(lexicon_derivation(lexicon, mention.entry, text))
    elif chosen.meaning == "builtin":
        assert chosen.type is not None  # a "type" group
        result = BUILTINS[chosen.type].normalise(text, doc.date)
        if result is not None:
            value, has_value = result.value, result.value is not None
            how["normaliser"] = result.normaliser
            if result.note:
                how["note"] = result.note
            if doc.date is not None and result.note and "document date" in result.note:
                how["anchor"] = {"date": doc.date.isoformat(), "from": doc.date_source}
    elif chosen.meaning == "rules":
        sub = next(r for r in program.rules if r.local_id == chosen.rule)
        how.update(rule=sub.id, rule_file=sub.file, rule_line=sub.line)
        for inner_group in rule.groups:
            if inner_group.kind == "arg" and inner_group.parent == chosen.name and inner_group.role == "value":
                for inner_span in m.spans(inner_group.name):
                    assert chosen_span is not None
                    if chosen_span[0] <= inner_span[0] and inner_span[1] <= chosen_span[1]:
                        sub_arg = _argument(program, rule, inner_group, m, inner_span, view, doc)
                        if sub_arg is not None:
                            value, has_value = sub_arg.value, sub_arg.has_value
                            how["value_from"] = sub_arg.derivation
    elif chosen.meaning == "define":
        how["sub_pattern"] = chosen.type
    return Argument(group.role, text, start, end, chosen.type or "", value, has_value, how)


def _lexicon_value(program: Program, source: int, entry: int, text: str) -> tuple[object, bool, dict[str, Any]]:
    """A lexicon mention's value (its entry's id) and derivation."""
    lexicon = program.lexicons[source]
    return lexicon.entries[entry].output, True, lexicon_derivation(lexicon, entry, text)


def lexicon_derivation(lexicon: Lexicon, index: int, text: str) -> dict[str, Any]:
    """How a lexicon mention was found: the entry, where it is written, its attributes and
    period if it has them, and the alias it nearly matches when found by fuzzy matching."""
    entry = lexicon.entries[index]
    how: dict[str, Any] = {"lexicon": lexicon.name, "entry": entry.id, "entry_file": entry.span.file,
                 "entry_line": entry.span.line}
    if entry.attrs:
        how["entry_attrs"] = dict(entry.attrs)
    if entry.valid_from or entry.valid_to:
        how["entry_valid"] = [entry.valid_from and entry.valid_from.isoformat(),
                              entry.valid_to and entry.valid_to.isoformat()]
    if alias_key(text) not in lexicon.keys:
        alias, edits = closest_alias(lexicon, index, text)
        how["fuzzy"] = {"alias": alias, "edits": edits}
    return how


def entity_matches(program: Program, doc: Document, plan: Plan) -> list[Match]:
    """Lexicon mentions of the types the pack outputs, as entity matches with empty args."""
    wanted = set(program.manifest.output)
    if not wanted:
        return []
    out = []
    for mention in plan.mentions:
        lexicon = program.lexicons[mention.source]
        if lexicon.type not in wanted and lexicon.name not in wanted:
            continue
        entry = lexicon.entries[mention.entry]
        index = plan.sentence_of(mention.start)
        sentence = plan.sentences[index] if index >= 0 else (mention.start, mention.end)
        text = doc.text[mention.start:mention.end]
        how = {"via": "lexicon", **lexicon_derivation(lexicon, mention.entry, text)}
        out.append(Match(doc.id, lexicon.type, f"{program.manifest.name}.lexicon.{lexicon.name}",
                         text, mention.start, mention.end, (),
                         Provenance(program.manifest.name, program.manifest.version, entry.span.file,
                                    entry.span.line, sentence, None, (how,)),
                         kind="entity", value=entry.id, has_value=True, meta=doc.meta))
    return out


def settle_overlaps(matches: list[Match], policies: dict[str, str], default: str) -> list[Match]:
    """Among overlapping matches of one type keep the best by each rule's policy; `all` keeps all."""
    keep: list[Match] = []
    contest: dict[str, list[Match]] = defaultdict(list)
    for match in matches:
        policy = policies.get(match.rule, default)
        (keep if policy == "all" else contest[match.type]).append(match)

    def rank(match: Match) -> tuple[int, int, int, str]:
        length = match.end - match.start
        if policies.get(match.rule, default) == "priority":
            return (-match.priority, -length, match.start, match.rule)
        return (-length, -match.priority, match.start, match.rule)

    for group in contest.values():
        chosen: list[Match] = []
        starts: list[int] = []  # of the chosen matches, which never overlap: kept in text order
        ends: list[int] = []
        for match in sorted(group, key=rank):
            at = bisect.bisect_right(starts, match.start)  # the chosen match before it, and the one after
            if (at == 0 or ends[at - 1] <= match.start) and (at == len(starts) or match.end <= starts[at]):
                chosen.append(match)
                starts.insert(at, match.start)
                ends.insert(at, match.end)
        keep.extend(chosen)
    return keep
