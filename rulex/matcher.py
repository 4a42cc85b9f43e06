"""Run a Program over a document: scan, pick sentences, run rules there, build Matches.

1. normalise the text (same length, so offsets stay exact) and lower-case it; a long document
   a window of whole paragraphs at a time (`segment.windows`), each matched on its own and
   its matches' offsets moved to the document's (`match.shifted`);
2. one literal scan (`scanner.py`) finds every rule's anchor words; only paragraphs holding one are
   split into sentences, and a rule is tried only in the sentences holding its anchors;
   a rule whose pattern needs a lexicon mention or a word within a few words of its anchor
   (`CompiledRule.near`) is skipped where no occurrence of the anchor has one (`_viable`:
   a look at the words around the occurrence, then a small alias scan there), and a
   paragraph is split only for a rule that is not skipped in it;
3. in those sentences, lexicon aliases (another literal scan) and the built-in types
   the rules need are found and marked: the `SentenceView`;
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
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import regex

from .attributes import event_attributes
from .budget import CLOCK_EVERY, BudgetExceeded, document_budget, over_document
from .builtins import BUILTINS
from .compiler import BUILTIN_NAMES, PREFIX_GROUP, CompiledRule, CompiledSearch, Group, compiled_regex
from .document import Document
from .fuzzy import closest_alias
from .lexicons import Lexicon, alias_key
from .links import link_events
from .match import Argument, DocResult, Match, Problem, Provenance, RuleTime, shifted
from .program import Program
from .reach import nested_arguments, searched_arguments
from .scanner import LiteralScanner
from .segment import Paragraphs, bounded, lowercase_view, normalise, sentences_in, windows
from .view import Mention, SentenceView


@dataclass
class _Plan:
    """Where in a document which rules will run, and the lexicon mentions found so far."""
    sentences: list[tuple[int, int]]
    starts: list[int]                        # sentence starts, for bisect
    candidates: dict[int, set[int]]          # sentence index -> rule indices
    by_sentence: dict[int, list[Mention]]    # sentence index -> lexicon mentions in it
    mentions: list[Mention]
    skip: dict[int, set[int]] = field(default_factory=dict)  # sentence index -> candidates that cannot match there

    def sentence_of(self, offset: int) -> int:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index if index >= 0 and offset < self.sentences[index][1] else -1


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
    costs: dict[int, list] = {}  # rule index -> [seconds, sentences, matches], when profiling
    over = False  # the document ran out of its budget
    anything = False
    # A long document is planned and matched a window of whole paragraphs at a time, each with
    # views of its own text: its anchor hits, mentions, sentences and views are freed before the
    # next window's are made, and the views of the whole text are never held.
    for window in _windows(program, doc):
        plan = _plan(program, window.normalised, window.lowered, window.doc.date)
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
    times = tuple(RuleTime(program.rules[r].id, *cost) for r, cost in sorted(costs.items()))
    return DocResult(tuple(kept), tuple(problems), times)


def _windows(program: Program, doc: Document):
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


def _match_sentences(program: Program, whole: Document, window: _Window, plan: _Plan,
                     rules: set[int] | None, profile: bool, doc_deadline: float, sentence_budget: float,
                     timeout: float, costs: dict[int, list], matches: list[Match], problems: list[Problem]) -> bool:
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
                    cost = costs.setdefault(rule_index, [0.0, 0, 0])
                    cost[0] += clock() - started
                    cost[1] += 1
                    cost[2] += sum(m is not None for m in found or ())
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


def _plan(program: Program, normalised: str, lowered: str, date: dt.date | None = None) -> _Plan:
    """The plan of a text (a document, or a window of one: whole paragraphs, see `windows`).
    Anchor words (and lexicon aliases, for rules anchored on them) pick the paragraphs worth
    splitting into sentences and the rules worth trying in each; most text is never split.
    A rule stays a candidate in a sentence only if each of its required clauses is met there.
    A candidate rule with a `near` condition is skipped (`_Plan.skip`) where no occurrence of its
    anchor has the lexicon mentions its pattern needs next to it, and a paragraph is split only
    for a rule that is not skipped there; skipped rules still count for what a view marks."""
    hits: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
    found: list[tuple[int, tuple[int, Any]]] = []
    if program.word_anchors is not None:  # whole words only: "met" is not in "method"
        found = program.word_anchors.iter(lowered)
        hits = [(end, *value) for end, (_, value) in found]
    everywhere = bool(program.lexicon_anchors or program.manifest.output)
    mentions = find_mentions(program, normalised, lowered, 0, None, date) if everywhere else []
    hits += [(m.start, program.lexicon_anchors[m.source], ()) for m in mentions
             if m.source in program.lexicon_anchors]
    if not hits and not mentions and not program.every_sentence:
        return _Plan([], [], defaultdict(set), defaultdict(list), mentions)
    # paragraphs are found around the places asked about, or all at once where many will be
    chunks = Paragraphs(normalised, bool(program.every_sentence), len(found) > _MANY_HITS)
    near = program.near
    viable = None
    if found and program.near_specs and normalised.isascii() and program.fuzzy is None \
            and program.alias_scanner is not None:
        present = {r for _, rule_ids, _ in hits for r in rule_ids}  # a rule is tried only where it has a whole-word hit
        viable = _viable(program, normalised, lowered, found, chunks, present)
    if program.every_sentence:
        wanted = chunks.spans
    else:
        positions = [m.start for m in mentions]  # output entities need their sentence
        if viable is None:
            positions += [at for at, ids, _ in hits if ids]
        else:
            in_chunk = {r: {chunks.span(at) for at in starts} for r, starts in viable.items()}
            open_rules = program.unconditioned.union(viable)  # rules with no `near` or a viable occurrence
            for at, rule_ids, _ in hits:
                if rule_ids and not open_rules.isdisjoint(rule_ids):
                    chunk = chunks.span(at)
                    if any(near[r] is None or chunk in in_chunk.get(r, ()) for r in rule_ids):
                        positions.append(at)
        if not positions:
            return _Plan([], [], defaultdict(set), defaultdict(list), mentions)
        wanted = sorted({chunks.span(at) for at in positions})
    del found, chunks
    sentences = [s for chunk in wanted for s in bounded(sentences_in(normalised, *chunk), normalised)]
    plan = _Plan(sentences, [s for s, _ in sentences], defaultdict(set), defaultdict(list), mentions)
    met: dict[int, set[int]] = defaultdict(set)   # sentence index -> clauses met there
    for at, rule_ids, clauses in hits:
        index = plan.sentence_of(at)
        if index >= 0:
            if rule_ids:
                plan.candidates[index].update(rule_ids)
            if clauses:
                met[index].update(clauses)
    for index in range(len(sentences)) if program.every_sentence else ():
        plan.candidates[index].update(program.every_sentence)
    for index, candidate_ids in plan.candidates.items():  # clauses of words only: no need to look for mentions
        clauses_met = met.get(index, set())
        candidate_ids.intersection_update([r for r in candidate_ids if program.rule_word_clauses[r] <= clauses_met])
    if viable is not None:
        in_sentence = {r: {plan.sentence_of(at) for at in starts} for r, starts in viable.items()}
        for index, candidate_ids in plan.candidates.items():
            skip = [r for r in candidate_ids if near[r] is not None and index not in in_sentence.get(r, ())]
            if skip:
                plan.skip[index] = set(skip)
    if not everywhere:
        plan.mentions = [m for index in sorted(plan.candidates) if plan.candidates[index]
                         and not plan.candidates[index] <= plan.skip.get(index, set())
                         for m in find_mentions(program, normalised, lowered, *sentences[index], date)]
    for mention in plan.mentions:
        index = plan.sentence_of(mention.start)
        if index >= 0 and mention.end <= sentences[index][1]:
            plan.by_sentence[index].append(mention)
            met[index].update(program.lexicon_clauses.get(mention.source, ()))
    for index, candidate_ids in plan.candidates.items():
        clauses_met = met.get(index, set())
        candidate_ids.intersection_update([r for r in candidate_ids if program.rule_clauses[r] <= clauses_met])
    return plan


_RUNS_BEFORE = [regex.compile(r"(?r)\s*(?:\S+\s*){0,%d}" % k) for k in range(8)]
_RUNS_AFTER = [re.compile(r"\s*(?:\S+\s*){0,%d}" % k) for k in range(8)]


def _runs_before(k: int) -> regex.Pattern[str]:
    """Matched backwards from an offset: spaces, then at most k runs of other characters each with the
    spaces before it."""
    return _RUNS_BEFORE[k] if k < len(_RUNS_BEFORE) else regex.compile(r"(?r)\s*(?:\S+\s*){0,%d}" % k)


def _runs_after(k: int) -> re.Pattern[str]:
    """Spaces, then at most k runs of other characters each with the spaces after it."""
    return _RUNS_AFTER[k] if k < len(_RUNS_AFTER) else re.compile(r"\s*(?:\S+\s*){0,%d}" % k)


_ALNUM = re.compile(r"[^\W_]+")
_MANY_HITS = 12  # anchor hits in a document above which all its paragraphs are found at once


def _viable(program: Program, normalised: str, lowered: str, found: list,
            chunks: Paragraphs, present: set[int]) -> dict[int, list[int]]:
    """For each rule with a `near` condition (see `compiler._near`) that has a whole-word anchor hit
    (`present`): the occurrences of its anchor (start offsets) that meet every condition on
    both sides. `found` holds whole-word occurrences only: one inside a longer word (the
    "launch" of "launched") could not be matched, since a rule's words end at word boundaries
    or separators and no mention marker can make one there (no mention starts or ends between
    two letters or digits: aliases and built-in values are whole words).

    A condition's words must be among the words of the text within reach; an alias counts where
    `find_mentions` could find it (whole words, in the anchor's paragraph; capitals where the
    alias needs them), whatever its period, and is first looked for by its first or last word.
    So a rule is only ever skipped where its regex cannot match. Only for ASCII text, where
    lower-casing and the regex module's case-insensitive matching agree, and in packs without
    fuzzy aliases (which no scan here finds)."""
    assert program.near_specs is not None and program.alias_scanner is not None  # the caller's conditions
    by_rules, specs = program.near_specs
    scanner, longest = program.alias_scanner, program.longest_alias
    viable: dict[int, list[int]] = {}
    memo: list[dict[int, bool]] = [{} for _ in specs]
    chunk: list = []

    def words_in(window: str) -> list[str]:
        words = window.split()
        return words if "".join(words).isalnum() else _ALNUM.findall(window)

    def alias_before(lexicons: frozenset[int], runs: int, start: int) -> bool:
        """An alias of `lexicons` that ends at most `runs` runs before `start`, in its paragraph."""
        if not chunk or not chunk[0] <= start < chunk[1]:
            chunk[:] = chunks.span(start)
        lo = chunk[0]
        if runs:
            i = _runs_before(runs).search(normalised, lo, start).start()  # type: ignore[union-attr]  # always matches
        else:
            i = start
            while i > lo and normalised[i - 1].isspace():
                i -= 1
        for last, (n, entries) in scanner.iter(lowered, max(lo, i - longest), start):
            if last < i - 1:
                continue
            first = last - n + 1
            if any(e[0] in lexicons and (not e[2] or normalised[first:last + 1].isupper()) for e in entries):
                return True
        return False

    def alias_after(lexicons: frozenset[int], runs: int, start: int, end: int) -> bool:
        """An alias of `lexicons` that starts at most `runs` runs after `end`, in its paragraph."""
        if not chunk or not chunk[0] <= start < chunk[1]:
            chunk[:] = chunks.span(start)
        hi = chunk[1]
        i = _runs_after(runs).match(normalised, end, hi).end()  # type: ignore[union-attr]  # always matches
        for last, (n, entries) in scanner.iter(lowered, end, min(hi, i + longest)):
            first = last - n + 1
            if first > i:
                continue
            if any(e[0] in lexicons and (not e[2] or normalised[first:last + 1].isupper()) for e in entries):
                return True
        return False

    # Each condition is first looked at quickly, across paragraphs, in a window of the text that
    # holds every word that could meet it (and maybe more): a word condition is met or not there;
    # an alias must have one of the words its lexicons' aliases end (start) with, or another
    # character they end (start) with, in the window before (after) it is looked for.
    todo_of: dict[tuple, tuple | list] = {}  # an anchor's rule ids -> its rules with conditions, those in `present`
    for last, (length, (rule_ids, _)) in found:
        todo = todo_of.get(rule_ids)
        if todo is None:
            todo = by_rules.get(rule_ids, ())
            if not present.issuperset(rule_ids):
                todo = [t for t in todo if t[0] in present]
            todo_of[rule_ids] = todo
        if not todo:
            continue
        start, end = last - length + 1, last + 1
        for r, lefts, rights in todo:
            for c in lefts:
                ok = memo[c].get(start)
                if ok is None:
                    kind, values, runs, edges = specs[c]
                    if runs:
                        i = _runs_before(runs).search(normalised, 0, start).start()  # type: ignore[union-attr]  # always matches
                    else:
                        i = start
                        while i and normalised[i - 1].isspace():
                            i -= 1
                    window = lowered[lowered.rfind(" ", 0, i) + 1:start]
                    if kind:
                        ok = not values.isdisjoint(words_in(window))
                    elif edges is not None and edges[1][0].isdisjoint(words_in(window)) \
                            and edges[1][1].isdisjoint(window):
                        ok = False
                    else:
                        ok = alias_before(values, runs, start)
                    memo[c][start] = ok
                if not ok:
                    break
            else:
                for c in rights:
                    ok = memo[c].get(end)
                    if ok is None:
                        kind, values, runs, edges = specs[c]
                        i = _runs_after(runs).match(normalised, end).end()  # type: ignore[union-attr]  # always matches
                        j = lowered.find(" ", i)
                        window = lowered[end:j] if j >= 0 else lowered[end:]
                        if kind:
                            ok = not values.isdisjoint(words_in(window))
                        elif edges is not None and edges[0][0].isdisjoint(words_in(window)) \
                                and edges[0][1].isdisjoint(window):
                            ok = False
                        else:
                            ok = alias_after(values, runs, start, end)
                        memo[c][end] = ok
                    if not ok:
                        break
                else:
                    viable.setdefault(r, []).append(start)
    return viable


def find_mentions(program: Program, normalised: str, lowered: str, start: int = 0, end: int | None = None,
                  date: dt.date | None = None) -> list[Mention]:
    """Every alias of every lexicon in the text (or in text[start:end]), on word boundaries; entries
    that do not hold on the document's date are left out, and so are second entries of one
    lexicon on one span (entries with disjoint periods, in an undated document)."""
    if program.alias_scanner is None:
        return []
    out: list[Mention] = []
    size = len(lowered)
    stop = size if end is None else end
    for end_index, (length, entries) in program.alias_scanner.iter(lowered, start, stop):
        first, last = end_index - length + 1, end_index + 1
        taken = -1
        for lexicon, entry, capitals_only, dated in entries:
            if lexicon == taken or (capitals_only and not normalised[first:last].isupper()):
                continue
            if dated and not program.lexicons[lexicon].entries[entry].valid_on(date):
                continue
            out.append(Mention(first, last, lexicon, entry))
            taken = lexicon
    if program.fuzzy is not None:
        exact = {(m.start, m.end, m.source) for m in out}
        near = program.fuzzy.find(normalised, lowered, start, stop, lambda _: True)
        for first, last, lexicon, entry in sorted(near, key=lambda f: (f[0] - f[1], f[0])):  # longest first
            if (first, last, lexicon) in exact or not program.lexicons[lexicon].entries[entry].valid_on(date):
                continue
            if any(m.source == lexicon and m.start < last and first < m.end
                   and not (first <= m.start and m.end <= last and last - first > m.end - m.start) for m in out):
                continue  # an alias of the same lexicon overlaps and is not inside it: that one wins
            out.append(Mention(first, last, lexicon, entry))
            exact.add((first, last, lexicon))
    out.sort(key=lambda m: (m.start, -m.end))
    return out


def run_rule(rule: CompiledRule, text: str, timeout: float, deadline: float | None = None) -> list:
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


def _run_from_starts(rule: CompiledRule, text: str, timeout: float, deadline: float | None = None) -> list:
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


DIGIT = re.compile(r"\d")


@cache
def builtin_regex(name: str) -> tuple[LiteralScanner | None, regex.Pattern]:
    """The type's cue words (None if it has none: its matches hold a digit) and its regex."""
    return LiteralScanner.build({word: word for word in BUILTINS[name].cues}), compiled_regex(BUILTINS[name].pattern)


def has_cue(cues: LiteralScanner | None, lowered: str, start: int, end: int) -> bool:
    """A digit, or a cue word starting a word ("one" in "twenty-one", not in "money")."""
    if DIGIT.search(lowered, start, end) is not None:
        return True
    if cues is None:
        return False
    for last, (length, _) in cues.iter(lowered, start, end):
        at = last - length + 1
        if at == 0 or not lowered[at - 1].isalnum():
            return True
    return False


def _inside_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] starts or ends between two letters or digits ("4" of "4½")."""
    return (start > 0 and text[start - 1].isalnum() and text[start].isalnum()) \
        or (end < len(text) and text[end].isalnum() and text[end - 1].isalnum())


def builtin_mentions(program: Program, text: str, lowered: str, start: int, end: int, names: set[str]) -> list[Mention]:
    """Matches of built-in types (Quantity, Time, ...) in one sentence, as mentions: whole words only."""
    out: list[Mention] = []
    first = len(program.lexicons)
    for name in sorted(names):
        cues, pattern = builtin_regex(name)
        if not has_cue(cues, lowered, start, end):  # most sentences hold no number or date at all
            continue
        source, marks = first + BUILTIN_NAMES.index(name), BUILTINS[name].marks
        for m in pattern.finditer(text, start, end):
            if not _inside_word(text, m.start(), m.end()):
                spans = marks(m.group()) if marks is not None else ((0, m.end() - m.start()),)
                out.extend(Mention(m.start() + a, m.start() + b, source, -1) for a, b in spans)
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def build_match(program: Program, rule: CompiledRule, m, view: SentenceView, doc: Document) -> Match | None:
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
    cues: tuple[dict, ...] = ()
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


def _argument(program, rule: CompiledRule | CompiledSearch, group: Group, m, span, view: SentenceView,
              doc: Document) -> Argument | None:
    assert group.role is not None  # an "arg" group
    start, end = _trim(doc.text, *view.doc_span(*span))
    if start >= end:
        return None
    text = doc.text[start:end]
    chosen, chosen_span, index = None, None, 0
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
    how: dict = {"via": chosen.meaning, "type": chosen.type, "rule_element": f"{chosen.span}"}
    value, has_value = None, False
    if chosen.meaning == "lexicon":
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
        for inner in rule.groups:
            if inner.kind == "arg" and inner.parent == chosen.name and inner.role == "value":
                for inner_span in m.spans(inner.name):
                    assert chosen_span is not None
                    if chosen_span[0] <= inner_span[0] and inner_span[1] <= chosen_span[1]:
                        sub_arg = _argument(program, rule, inner, m, inner_span, view, doc)
                        if sub_arg is not None:
                            value, has_value = sub_arg.value, sub_arg.has_value
                            how["value_from"] = sub_arg.derivation
    elif chosen.meaning == "define":
        how["sub_pattern"] = chosen.type
    return Argument(group.role, text, start, end, chosen.type or "", value, has_value, how)


def _lexicon_value(program: Program, source: int, entry: int, text: str) -> tuple[object, bool, dict]:
    """A lexicon mention's value (its entry's id) and derivation."""
    lexicon = program.lexicons[source]
    return lexicon.entries[entry].output, True, lexicon_derivation(lexicon, entry, text)


def lexicon_derivation(lexicon: Lexicon, index: int, text: str) -> dict:
    """How a lexicon mention was found: the entry, where it is written, its attributes and
    period if it has them, and the alias it nearly matches when found by fuzzy matching."""
    entry = lexicon.entries[index]
    how: dict = {"lexicon": lexicon.name, "entry": entry.id, "entry_file": entry.span.file,
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


def entity_matches(program: Program, doc: Document, plan: _Plan) -> list[Match]:
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

    def rank(match: Match):
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
