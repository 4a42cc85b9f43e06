"""The TextMate grammar for editors (editors/rulex.tmLanguage.json): it is valid JSON, every
regex compiles, and a small TextMate tokenizer written here scopes keywords, strings, slots,
word forms and comments as an editor would, with nothing marked invalid in the examples."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex

from .conftest import ROOT

GRAMMAR_FILE = ROOT / "editors" / "rulex.tmLanguage.json"
GRAMMAR = json.loads(GRAMMAR_FILE.read_text(encoding="utf-8"))
EXAMPLES = (sorted((ROOT / "grammar" / "examples").glob("*.rulex")) + sorted((ROOT / "docs" / "examples").rglob("*.rulex"))
            + sorted((ROOT / "rules" / "conflict").glob("*.rulex")))


def every_rule(node):
    """Every rule object of the grammar (the top level, the repository and nested patterns)."""
    if isinstance(node, dict):
        if any(key in node for key in ("match", "begin", "include", "patterns")):
            yield node
        for key in ("patterns", "repository"):
            value = node.get(key)
            if isinstance(value, list):
                for item in value:
                    yield from every_rule(item)
            elif isinstance(value, dict):
                for item in value.values():
                    yield from every_rule(item)


def compile_oniguruma(source: str) -> regex.Pattern:
    """An Oniguruma regex of the grammar as a Python `regex` pattern (the syntax used is common to both)."""
    return regex.compile(source, regex.MULTILINE)


def test_the_grammar_is_json_for_rulex_files():
    assert GRAMMAR["scopeName"] == "source.rulex"
    assert GRAMMAR["fileTypes"] == ["rulex"]
    assert GRAMMAR["patterns"] and GRAMMAR["repository"]


def test_every_regex_of_the_grammar_compiles():
    count = 0
    for rule in every_rule(GRAMMAR):
        for key in ("match", "begin", "end"):
            if key in rule:
                compile_oniguruma(rule[key])
                count += 1
    assert count >= 30


def test_every_include_names_a_repository_entry():
    for rule in every_rule(GRAMMAR):
        if "include" in rule and rule["include"] != "$self":
            assert rule["include"].lstrip("#") in GRAMMAR["repository"], rule["include"]


# ---- a small TextMate tokenizer ---------------------------------------------------------------

class Tokenizer:
    """Enough of TextMate's algorithm for this grammar: match and begin/end rules, captures,
    includes, and the end pattern of the innermost begin rule tried before its patterns."""

    def __init__(self, grammar: dict):
        self.grammar = grammar
        self.cache: dict[str, regex.Pattern] = {}

    def rx(self, source: str) -> regex.Pattern:
        if source not in self.cache:
            self.cache[source] = compile_oniguruma(source)
        return self.cache[source]

    def flatten(self, patterns: list) -> list[dict]:
        out = []
        for rule in patterns:
            if "include" in rule:
                name = rule["include"]
                target = self.grammar if name == "$self" else self.grammar["repository"][name.lstrip("#")]
                out += self.flatten(target["patterns"]) if "match" not in target and "begin" not in target else [target]
            elif "match" in rule or "begin" in rule:
                out.append(rule)
            else:
                out += self.flatten(rule.get("patterns", []))
        return out

    def tokenize(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """(text, scopes) for every piece of the text, scopes outermost first."""
        tokens: list[tuple[str, tuple[str, ...]]] = []
        stack: list[tuple[dict, regex.Pattern, tuple[str, ...]]] = []   # (begin rule, end regex, scopes)
        for line in text.splitlines(keepends=True):
            pos = 0
            while pos < len(line):
                scopes = stack[-1][2] if stack else ("source.rulex",)
                patterns = self.flatten(stack[-1][0].get("patterns", []) if stack else self.grammar["patterns"])
                best, best_rule = None, None
                if stack:
                    end = stack[-1][1].search(line, pos)
                    if end is not None:
                        best, best_rule = end, "end"
                for rule in patterns:
                    m = self.rx(rule.get("match") or rule["begin"]).search(line, pos)
                    if m is not None and (best is None or m.start() < best.start()):
                        best, best_rule = m, rule
                if best is None:
                    tokens.append((line[pos:], scopes))
                    break
                if best.start() > pos:
                    tokens.append((line[pos:best.start()], scopes))
                if best_rule == "end":          # may be zero-width: the state changes, go on from there
                    rule = stack.pop()[0]
                    self.emit(tokens, best, rule.get("endCaptures", {}), scopes, None)
                elif "match" in best_rule:
                    self.emit(tokens, best, best_rule.get("captures", {}), scopes, best_rule.get("name"))
                else:
                    inner = scopes + ((best_rule["name"],) if "name" in best_rule else ())
                    self.emit(tokens, best, best_rule.get("beginCaptures", {}), inner, None)
                    stack.append((best_rule, self.rx(best_rule["end"]), inner))
                if best.end() == pos and best_rule != "end":
                    raise AssertionError(f"a zero-width {best_rule} at {pos} of {line!r}")
                pos = best.end()
        return [(t, s) for t, s in tokens if t]

    @staticmethod
    def emit(tokens, m, captures: dict, scopes: tuple[str, ...], name: str | None) -> None:
        outer = scopes + ((name,) if name else ())
        pieces, pos = [], m.start()
        groups = sorted((m.start(int(k)), m.end(int(k)), v["name"]) for k, v in captures.items()
                        if k != "0" and m.start(int(k)) >= 0)
        if "0" in captures:
            outer = outer + (captures["0"]["name"],)
        for start, end, scope in groups:
            if start > pos:
                pieces.append((m.string[pos:start], outer))
            pieces.append((m.string[start:end], outer + (scope,)))
            pos = max(pos, end)
        if pos < m.end():
            pieces.append((m.string[pos:m.end()], outer))
        tokens.extend(pieces)


TOKENIZER = Tokenizer(GRAMMAR)


def scopes_of(tokens, text: str) -> tuple[str, ...]:
    """The scopes of the first token whose text is `text`."""
    for piece, scopes in tokens:
        if piece == text:
            return scopes
    raise AssertionError(f"no token {text!r} in {[t for t, _ in tokens]}")


def has(scopes: tuple[str, ...], prefix: str) -> bool:
    return any(scope.startswith(prefix) for scope in scopes)


SAMPLE = '''# Attacks
define: fired = <fire> | <launch>
event: Attack

rule: attack.launch
  pattern: {attacker:Actor} {fired} {count:Quantity}? of? {weapon:Weapon} _{0,4}
           (against | at) {target:Place|Phrase} =US "'s" /\\d+N/
  priority: 5
  example: "Iran launched missiles at Erbil"
    attacker = "Iran" -> Iran
    count = "13" -> {min: 13, max: 13}
  counter: "Iran sold missiles"

rule: attack.template
  template: "X fired W" where X: Actor as attacker, W: Weapon as weapon
'''


def test_keywords_are_scoped():
    tokens = TOKENIZER.tokenize(SAMPLE)
    for keyword in ("define", "event", "rule", "pattern", "priority", "example", "counter", "template"):
        assert has(scopes_of(tokens, keyword), "keyword") or has(scopes_of(tokens, keyword), "storage"), keyword
    assert has(scopes_of(tokens, "where"), "keyword")
    assert has(scopes_of(tokens, "as"), "keyword")
    assert has(scopes_of(tokens, "Attack"), "entity.name.type")
    assert has(scopes_of(tokens, "attack.launch"), "entity.name.function")
    assert has(scopes_of(tokens, "fired"), "entity.name.function")


def test_strings_are_scoped():
    tokens = TOKENIZER.tokenize(SAMPLE)
    assert any(has(s, "string.quoted.double") and "Iran launched missiles at Erbil" in t for t, s in tokens)
    assert any(has(s, "string.quoted.double") and "'s" in t for t, s in tokens)
    assert any(has(s, "string.regexp") for t, s in tokens if "N/" in t)


def test_slots_are_scoped():
    tokens = TOKENIZER.tokenize(SAMPLE)
    assert has(scopes_of(tokens, "attacker"), "variable.parameter.role")
    assert has(scopes_of(tokens, "Actor"), "entity.name.type")
    assert has(scopes_of(tokens, "Quantity"), "entity.name.type")
    assert has(scopes_of(tokens, "Phrase"), "entity.name.type")
    assert has(scopes_of(tokens, "{0,4}"), "keyword.operator.quantifier")
    assert has(scopes_of(tokens, "_"), "variable.language.any-word")


def test_word_forms_are_scoped():
    tokens = TOKENIZER.tokenize(SAMPLE)
    assert has(scopes_of(tokens, "fire"), "support.function.word-form")
    assert has(scopes_of(tokens, "launch"), "support.function.word-form")


def test_comments_and_example_lines_are_scoped():
    tokens = TOKENIZER.tokenize(SAMPLE)
    assert has(scopes_of(tokens, "# Attacks"), "comment.line")
    values = [(t, s) for t, s in tokens if t == "Iran" and has(s, "constant.other.value")]
    assert values, "the value after -> is a constant"
    assert has(scopes_of(tokens, "min"), "variable.other.key")
    assert has(scopes_of(tokens, "13"), "string.quoted")          # the text "13" of the example line
    assert any(t == "13" and has(s, "constant.numeric") for t, s in tokens)


def test_searches_attributes_and_links_are_scoped():
    from .test_docs_highlight import NEW  # a nested capture, find:, set: and a link, as the lexer's test has them
    tokens = TOKENIZER.tokenize(NEW)
    assert not [t for t, s in tokens if has(s, "invalid")]
    expected = {"find after in clause": "keyword.other.clause", "find": "keyword.other.clause",
                "set": "keyword.other.clause", "events": "keyword.other.clause", "joined by": "keyword.other.clause",
                "share": "keyword.other.clause", "link": "storage.type", "attack_kill": "entity.name.function",
                "with": "keyword", "casualties": "variable.parameter.role", "injury": "variable.other.attribute",
                "true": "constant.other.value", "Attack": "entity.name.type", "killer": "variable.parameter.role",
                "place": "variable.parameter.role"}
    for text, scope in expected.items():
        assert has(scopes_of(tokens, text), scope), (text, scopes_of(tokens, text))
    assert all(has(s, "entity.name.type") for t, s in tokens if t == "Kill")   # event:, events:, Kill.place
    assert any(t == "Kabul" and has(s, "constant.other.value") for t, s in tokens)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.relative_to(ROOT).as_posix() for p in EXAMPLES])
def test_the_example_files_have_nothing_invalid(path: Path):
    tokens = TOKENIZER.tokenize(path.read_text(encoding="utf-8"))
    invalid = [t for t, s in tokens if has(s, "invalid")]
    assert not invalid, invalid
    keywords = [t for t, s in tokens if has(s, "keyword.other.clause") or has(s, "storage.type")]
    assert keywords, "no keyword scoped"


def test_a_misspelt_clause_is_marked_invalid():
    tokens = TOKENIZER.tokenize("event: Attack\nrule: a\n  patern: {x:Actor} fired\n")
    assert has(scopes_of(tokens, "patern"), "invalid")


def test_the_rulex_blocks_of_the_docs_have_nothing_invalid():
    from .test_docs import BLOCKS, included, section_text
    for page, line, body, _ in BLOCKS:
        texts = [section_text(path, section) for path, section in included(body)] or [body]
        for text in texts:
            invalid = [t for t, s in TOKENIZER.tokenize(text) if has(s, "invalid")]
            assert not invalid, f"{page}:{line}: {invalid}"
