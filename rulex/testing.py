"""Rule tests: inline examples, annotated corpus files, coverage, and `--update`.

Inline examples live in the rules (`example:` must match with the expected arguments,
`counter:` must not). Annotated corpus files (`tests/*.txt` in a pack, or the manifest's
`tests:` globs) hold real sentences, each after a line saying what must happen:

    # expect: conflict.attack.launch           the rule must be in the pack's output for the next line
    # reject: conflict.attack.launch           ... must not be
    # todo-expect: conflict.kill.died_in       known gaps: reported, never a failure
    Iran launched missiles at the base.

An inline example runs its own rule alone; a corpus line runs the whole pack, so it also
catches a rule that another one beats in the overlap. Rule ids may be local
(`attack.launch`) or pack-qualified, several separated by commas.
"""
from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import ast
from .compiler import CompiledLink, CompiledRule
from .diagnostics import DiagnosticBag
from .document import Document
from .loader import Reach
from .match import Match
from .matcher import match_document
from .pack import Pack
from .printer import example_value_text
from .source import SourceFile

if TYPE_CHECKING:
    from .explain import Miss

ANNOTATION = re.compile(r"^#\s*(todo-)?(expect|reject)\s*:\s*(.+?)\s*$")
ARGUMENT_LINE = re.compile(r"^#\s+((?:[A-Z]\w*\.)?[a-z_]\w*\s*=\s*[\"'].*)$")  # `#   role = "text" -> value`


@dataclass(frozen=True)
class ExampleResult:
    """One inline example or corpus line, run."""
    rule: str
    file: str
    line: int
    text: str
    positive: bool
    failures: tuple[str, ...]
    todo: bool = False
    example: ast.Example | None = None      # inline examples only
    match: Match | None = None              # the rule's match closest to what was expected
    miss: Miss | None = None                # when a positive example found no match
    kind: str = "example"                   # "example" | "corpus" | "link"

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def counts_as_failure(self) -> bool:
        return bool(self.failures) and not self.todo


@dataclass(frozen=True)
class CorpusCase:
    file: str
    line: int
    text: str
    rules: tuple[str, ...]
    expect: bool
    todo: bool
    expected: tuple[ast.ExpectedArg, ...] = ()   # the argument lines under an `expect:`
    problems: tuple[str, ...] = ()               # argument lines that could not be read


@dataclass
class Coverage:
    """What the examples exercised: rules, top-level alternatives, lexicon entries."""
    rules: set[str] = field(default_factory=set)
    alternatives: set[tuple[str, int]] = field(default_factory=set)
    entries: set[tuple[str, str]] = field(default_factory=set)

    def add(self, match: Match) -> None:
        self.rules.add(match.rule)
        if match.provenance.alternative is not None:
            self.alternatives.add((match.rule, match.provenance.alternative))
        for how in match.provenance.derivation:
            self._entries(how)

    def _entries(self, how: dict) -> None:
        if "lexicon" in how and "entry" in how:
            self.entries.add((how["lexicon"], how["entry"]))
        if isinstance(how.get("value_from"), dict):
            self._entries(how["value_from"])


def check_examples(pack: Pack, resolved=None) -> list[ExampleResult]:
    """Run every inline example of every rule; with the resolved pack, misses are explained.
    `resolved` may be a function that gives it: it is called only when an example misses
    (resolving reads the whole pack again, which an edit loop with passing examples skips)."""
    results = []
    for index, rule in enumerate(pack.program.rules):
        for example in rule.examples:
            results.append(check_example(pack, index, rule, example, resolved))
    for link in pack.program.links:
        for example in link.examples:
            results.append(check_link_example(pack, link, example))
    return results


def check_link_example(pack: Pack, link: CompiledLink, example: ast.Example) -> ExampleResult:
    """A link's example runs the whole pack: the link must join two events (a counter: must not),
    and each `Type.role = "text"` must be an argument of an event of that type."""
    matches = list(match_document(pack.program, Document("example", example.text)).matches)
    joined = [m for m in matches if any(note["link"] == link.id for note in m.provenance.links)]
    result = partial(ExampleResult, rule=link.id, file=example.span.file, line=example.span.line, text=example.text,
                     positive=example.positive, example=example, kind="link")
    if not example.positive:
        return result(failures=tuple(f"linked {m.type} {m.text!r} but must not" for m in joined))
    failures = [] if joined else [f"no {link.types[0]} and {link.types[1]} were linked "
                                  f"(found: {', '.join(f'{m.type} {m.text!r}' for m in matches) or 'no event'})"]
    for expected in example.expected:
        type_name, _, role = expected.role.rpartition(".")
        found = [a for m in matches if m.type == type_name for a in m.arguments if a.role == role]
        hits = [a for a in found if a.text == expected.text]
        if not hits:
            failures.append(f"{expected.role}: expected {expected.text!r}, got "
                            f"{', '.join(repr(a.text) for a in found) or 'nothing'}")
        elif expected.has_value and not any(_value_matches(expected.value, a.value) for a in hits):
            failures.append(f"{expected.role}: expected value {expected.value!r}, got "
                            f"{', '.join(repr(a.value) for a in hits)}")
    return result(failures=tuple(failures), match=joined[0] if joined else None)


def check_example(pack: Pack, index: int, rule: CompiledRule, example: ast.Example, resolved=None) -> ExampleResult:
    document = Document("example", example.text)
    matches = [m for m in match_document(pack.program, document, rules={index}).matches if m.rule == rule.id]
    result = partial(ExampleResult, rule=rule.id, file=example.span.file, line=example.span.line, text=example.text,
                     positive=example.positive, example=example)
    if not example.positive:
        return result(failures=tuple(f"matched {m.text!r} but must not" for m in matches))
    if not matches:
        return result(failures=("no match",), miss=_miss(pack, resolved, rule, example.text))
    best = min(matches, key=lambda m: len(_diff(m, example)))
    return result(failures=tuple(_diff(best, example)), match=best)


def _miss(pack: Pack, resolved, rule: CompiledRule, text: str) -> Miss | None:
    if callable(resolved):
        resolved = resolved()
    if resolved is None:
        return None
    from .explain import nearest_miss
    from .segment import lowercase_view, normalise, paragraphs, sentences_in
    normalised = normalise(text)
    sentences = [s for chunk in paragraphs(normalised) for s in sentences_in(normalised, *chunk)]
    source = next(r for r in resolved.rules if r.id == rule.local_id)
    return nearest_miss(pack.program, resolved, source, normalised, lowercase_view(normalised), sentences, None)


def _diff(match: Match, example: ast.Example) -> list[str]:
    out = []
    args = match.args
    for expected in example.expected:
        actual = args.get(expected.role)
        items = actual if isinstance(actual, list) else [actual] if actual else []
        hit = next((a for a in items if a.text == expected.text), None)
        if hit is None:
            got = ", ".join(repr(a.text) for a in items) or "nothing"
            out.append(f"{expected.role}: expected {expected.text!r}, got {got}")
        elif expected.has_value and not _value_matches(expected.value, hit.value):
            out.append(f"{expected.role}: expected value {expected.value!r}, got {hit.value!r}"
                       + _type_hint(expected.value, hit.value))
    return out


def _type_hint(expected, actual) -> str:
    """When a value differs only in kind ("2020" against 2020), how to write the expected one."""
    if isinstance(actual, str) and not isinstance(expected, str) and str(expected) == actual:
        return f' (the value is text: write -> "{actual}")'
    if isinstance(expected, str) and isinstance(actual, (int, float)) and expected == str(actual):
        return f" (the value is a number: write -> {actual})"
    return ""


def _value_matches(expected, actual) -> bool:
    """Dict values match when every expected key agrees ({min: 13} matches {min: 13, approximate: false})."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and _value_matches(v, actual[k]) for k, v in expected.items())
    return expected == actual


# ---- the report of a failure ---------------------------------------------------------------

def render_result(result: ExampleResult, pack_path: str, style=lambda text, **_: text) -> str:
    """One failed (or todo) example: where, the sentence, expected against actual, the nearest miss
    and the `rulex explain` command to see more (`pack_path` as the user gave it; `style` is click.style)."""
    head = {True: "TODO", False: "FAIL"}[result.todo] if not result.ok else "TODO (passes now)"
    what = "example" if result.positive else "counter-example"
    if result.kind == "corpus":
        what = "corpus line, expect" if result.positive else "corpus line, reject"
    lines = [style(head, fg="yellow" if result.todo else "red", bold=True) +
             f" {result.file}:{result.line}: {result.rule} {what}",
             f"  sentence: \"{result.text}\""]
    example = result.example
    match = result.match
    if example is not None and example.positive and example.expected and match is not None \
            and result.kind != "link":  # a link's expectations name several events: its failures say it all
        lines += _argument_table(result, example, match)
    else:
        lines += [f"  {failure}" for failure in result.failures]
    miss = result.miss
    if miss is not None:
        from .explain import miss_summary
        lines.append(f"  nearest miss: {miss_summary(miss, result.text)}")
        lines.append(f"  see: rulex explain {shell_word(pack_path)} {shell_word(result.text)} --rule {result.rule}")
    return "\n".join(lines) + "\n"


def _argument_table(result: ExampleResult, example: ast.Example, match: Match) -> list[str]:
    actual = match.args
    rows = [("role", "expected", "actual", "")]
    for expected in example.expected:
        got = actual.get(expected.role)
        items = got if isinstance(got, list) else [got] if got else []
        shown = " | ".join(_arg_text(a.text, a.value, a.has_value) for a in items) or "(none)"
        want = _arg_text(expected.text, expected.value, expected.has_value)
        ok = not any(f.startswith(expected.role + ":") for f in result.failures)
        rows.append((expected.role, want, shown, "✓" if ok else "✗"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return [("  " + "  ".join(r[i].ljust(widths[i]) for i in range(3)) + f"  {r[3]}").rstrip() for r in rows]


def _arg_text(text: str, value, has_value: bool) -> str:
    return _quoted(text) + (f" -> {example_value_text(value)}" if has_value else "")


def shell_word(text: str) -> str:
    """`text` as one shell word, to paste into a terminal: bare when safe, in double quotes when
    nothing in it is special there, else in single quotes."""
    if text and re.fullmatch(r"[\w./:@%+=,-]+", text):
        return text
    if not re.search(r'["$`\\!]', text):
        return f'"{text}"'
    return shlex.quote(text)


# ---- annotated corpus files ---------------------------------------------------------------

def corpus_files(pack_paths: list[Path], globs: tuple[str, ...], dependencies: tuple[str, ...] = ()) -> list[Path]:
    """The annotated corpus files of the packs: the manifest's `tests:` globs (default tests/*.txt),
    those that resolve (symlinks followed) inside the pack or one of its `dependencies`."""
    found = []
    for root in pack_paths:
        if root.is_dir():
            reach = Reach(root.resolve(), tuple(Path(d) for d in dependencies))
            for pattern in globs:
                found += sorted(p for p in root.glob(pattern) if p.is_file() and reach.admits(p.resolve()))
    return found


def read_corpus(path: Path) -> list[CorpusCase]:
    """The annotated lines of one corpus file; a note applies to the next non-blank, non-# line.
    Under an `expect:` note, lines `#   role = "text" -> value` name arguments the match must have,
    as an inline example's do."""
    from .parser import parse_expected, spans_from
    text = path.read_text(encoding="utf-8")
    source = SourceFile(str(path), text)
    cases: list[CorpusCase] = []
    pending: list[CorpusCase] = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        start, offset = offset, offset + len(line)
        line = line.rstrip("\r\n")
        m = ANNOTATION.match(line.strip())
        if m:
            pending.append(CorpusCase(str(path), number, "", tuple(r.strip() for r in m[3].split(",") if r.strip()),
                                      m[2] == "expect", bool(m[1])))
            continue
        argument = ARGUMENT_LINE.match(line.strip())
        if argument and pending and pending[-1].expect:
            at = start + line.index(argument[1])
            bag = DiagnosticBag()
            found = parse_expected(argument[1], spans_from(source, at), bag)
            last = pending[-1]
            pending[-1] = replace(last, expected=last.expected + ((found,) if found else ()),
                                  problems=last.problems + tuple(f"line {number}: {d.message}" for d in bag.errors))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cases.extend(replace(case, line=number, text=line.strip()) for case in pending)
        pending = []
    return cases


def check_corpus(pack: Pack, cases: list[CorpusCase]) -> list[ExampleResult]:
    results = []
    qualified = {r.local_id: r.id for r in pack.program.rules} | {r.id: r.id for r in pack.program.rules}
    for case in cases:
        matches = pack.extract(case.text, doc_id=f"{Path(case.file).name}:{case.line}")
        for rule in case.rules:
            rule_id = qualified.get(rule)
            if rule_id is None:
                results.append(ExampleResult(rule, case.file, case.line, case.text, case.expect,
                                             (f"no rule `{rule}` in the pack",), False, kind="corpus"))
                continue
            mine = [m for m in matches if m.rule == rule_id]
            if case.expect and mine and case.expected:
                wanted = ast.Example(case.text, True, case.expected[0].span, case.expected)
                closest = min((_diff(m, wanted) for m in mine), key=len)
                failures = case.problems + tuple(closest)
            elif case.expect:
                failures = case.problems + (() if mine else ("not in the pack's output" + _beaten(matches, rule_id),))
            else:
                failures = tuple(f"matched {m.text!r} but must not" for m in mine)
            results.append(ExampleResult(rule_id, case.file, case.line, case.text, case.expect, failures,
                                         case.todo, match=mine[0] if mine else None, kind="corpus"))
    return results


def _beaten(matches: list[Match], rule_id: str) -> str:
    others = sorted({m.rule for m in matches if m.rule != rule_id})
    return f" (the output has: {', '.join(others)})" if others else ""


# ---- coverage -----------------------------------------------------------------------------

def coverage(pack: Pack, results: list[ExampleResult]) -> Coverage:
    found = Coverage()
    for result in results:
        if result.positive and result.ok and result.match is not None:
            found.add(result.match)
    return found


def coverage_report(pack: Pack, found: Coverage) -> list[str]:
    """Lines saying which rules, alternatives and lexicon entries no example exercised."""
    program = pack.program
    rules = program.rules           # every kind: event and entity rules, sub-rules, the dateline rule
    kinds = sorted({r.kind for r in rules})
    named = (lambda r: f"{r.id} ({r.kind})") if len(kinds) > 1 else (lambda r: r.id)  # noqa: E731
    exercised = [r for r in rules if r.id in found.rules]
    per_kind = "; ".join(f"{kind} rules {sum(r.kind == kind for r in exercised)} of {sum(r.kind == kind for r in rules)}"
                         for kind in kinds)
    lines = [f"rules exercised by a passing example: {len(exercised)} of {len(rules)}" +
             (f" ({per_kind})" if len(kinds) > 1 else "")]
    without = [r for r in rules if not any(e.positive for e in r.examples)]
    if without:
        lines.append("rules with no example: " + ", ".join(named(r) for r in without))
    unexercised = [r for r in rules if r.id not in found.rules and r.id not in {w.id for w in without}]
    if unexercised:
        lines.append("rules whose examples all fail: " + ", ".join(named(r) for r in unexercised))
    missing = [f"{rule.id} #{group.alternative}" for rule in rules for group in rule.groups
               if group.kind == "alternative" and (rule.id, group.alternative) not in found.alternatives]
    if missing:
        lines.append("alternatives no example fires: " + ", ".join(missing))
    for lexicon in program.lexicons:
        used = {entry for name, entry in found.entries if name == lexicon.name}
        ids = {e.id for e in lexicon.entries}
        lines.append(f"lexicon {lexicon.name}: {len(used & ids)} of {len(ids)} entries exercised")
    return lines


# ---- --update -----------------------------------------------------------------------------

def update_examples(results: list[ExampleResult]) -> tuple[dict[str, str], list[str]]:
    """New texts of the rule files whose positive examples' expectations differ from the actual
    arguments, with the expectations rewritten from the actual output; and what was skipped."""
    by_file: dict[str, list[ExampleResult]] = {}
    skipped = []
    for result in results:
        if result.kind != "example" or not result.positive or result.match is None or result.example is None:
            continue
        if _expectation_lines(result.match) == _expectation_lines_of(result.example):
            continue
        if not result.file.endswith(".rulex"):
            skipped.append(f"{result.file}:{result.line}: YAML examples are not rewritten; update them by hand")
            continue
        by_file.setdefault(result.file, []).append(result)
    changed = {}
    for path, items in by_file.items():
        lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
        for result in sorted(items, key=lambda r: r.line, reverse=True):  # bottom up: line numbers stay valid
            example, match = result.example, result.match
            assert example is not None and match is not None  # kept above only with both
            first = example.span.line  # 1-based line of the example's sentence
            old = [a.span.line for a in example.expected]
            last = max(old) if old else first
            indent = " " * ((example.expected[0].span.col - 1) if example.expected else
                            (len(lines[first - 1]) - len(lines[first - 1].lstrip()) + 2))
            new = [indent + text + "\n" for text in _expectation_lines(match)]
            lines[first:last] = new
        changed[path] = "".join(lines)
    return changed, skipped


def unified_diff(path: str, new: str) -> str:
    old = Path(path).read_text(encoding="utf-8")
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=path, tofile=path))


def _expectation_lines(match: Match) -> list[str]:
    return [f'{a.role} = {_quoted(a.text)}' + (f" -> {example_value_text(a.value)}" if a.has_value else "")
            for a in match.arguments]


def _expectation_lines_of(example: ast.Example) -> list[str]:
    return [f'{a.role} = {_quoted(a.text)}' + (f" -> {example_value_text(a.value)}" if a.has_value else "")
            for a in example.expected]


def _quoted(text: str) -> str:
    import json
    return json.dumps(text, ensure_ascii=False)
