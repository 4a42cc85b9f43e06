"""Parse `.rulex` text and pattern strings into the frozen AST (the only module that imports lark).

A file is split into items at its top-level keywords (`rule:`, `define:`, `event:`,
`entity:`, `import:` at the start of a line) and each item is parsed on its own, so one
syntax error costs one item and every other problem in the file is still reported.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import lark
import regex

from . import ast
from .ast import GRAMMAR_FILE, OVERLAP_POLICIES, grammar_text  # noqa: F401 - part of this module's API
from .diagnostics import DiagnosticBag, did_you_mean
from .source import SourceFile, Span

SpanOf = Callable[[int, int], Span]


def spans_from(source: SourceFile, start: int) -> SpanOf:
    """The spans in `source` of a piece of its text that starts at `start`, by offsets in the piece."""
    return lambda a, b: source.span(start + a, start + b)


ITEM_START = re.compile(r"(?m)^[ \t]*(?:rule|define|event|entity|import|link)[ \t]*:")

# Words a template keeps literally; every other template word matches all its forms.
FUNCTION_WORDS = frozenset("""
a an the this that these those its their his her our my your of in on at to from by with
against near into onto over under after before during since for as than and or but nor
not no some any all each both either neither up down off out about around toward towards
across through between among amid within without while when where which who whom whose
""".split())
DETERMINERS = ("the", "a", "an", "its", "their", "his", "her")

# Lark's terminal names, in the words an analyst would use.
TERMINAL_WORDS = {
    "WORD": "a word", "CASE_WORD": "a word", "STRING": "a quoted phrase", "CASE_STRING": "a quoted phrase",
    "LPAR": "`(`", "RPAR": "`)`", "LBRACE": "`{`", "RBRACE": "`}`", "LESSTHAN": "`<`", "MORETHAN": "`>`",
    "VBAR": "`|`", "COLON": "`:`", "COMMA": "`,`", "EQUAL": "`=`", "QUANT": "`?`", "REPEAT": "`{min,max}`",
    "ANY": "`_`", "REGEX": "a /regex/", "NAME": "a lowercase name", "TYPE_NAME": "a type name",
    "SLOT_NAME": "an UPPERCASE slot name", "RULE_ID": "a rule id", "SIGNED_INT": "a whole number",
    "VALUE_NAME": "a value", "SIGNED_NUMBER": "a number", "$END": "the end of the file",
    "_WHERE": "`where`", "_AS": "`as`", "_WITH": "`with`",
}
CLAUSES = ("pattern", "template", "priority", "overlap", "case", "not preceded by",
           "not followed by", "preceded by", "followed by", "example", "counter", "set", "find", "find before", "find after",
           "find in clause", "find in sentence", "events", "joined by", "share")
BRACKETS = {"(": ")", "{": "}", "<": ">"}
# Limits that keep every later stage (which recurses over patterns) within Python's stack and the
# regex engine's bounds; each is a located diagnostic (grammar/SPEC.md, "Limits").
MAX_NESTING = 100        # groups, options and repetitions within each other in one pattern (RX404)
MAX_REPEAT = 1000        # the largest bound of a repetition `x{min,max}` (RX403)
MAX_REGEX_NESTING = 100  # groups within each other in a raw /regex/ (RX103)


class _TooDeep(Exception):
    """A pattern nests deeper than MAX_NESTING (or than Python's stack allows) at `span`."""

    def __init__(self, span: Span):
        super().__init__(span)
        self.span = span


@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    return lark.Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
                     maybe_placeholders=True, start=["start", "pattern_only", "expect_only"], cache=True)


# ---- entry points ---------------------------------------------------------------------

def _item_bounds(text: str) -> list[tuple[int, int]]:
    """Where each item of a `.rulex` file (`rule:`, `define:`, ... up to the next) starts and ends;
    text before the first item is an item of its own unless it holds only comments."""
    starts = [m.start() for m in ITEM_START.finditer(text)]
    if not starts or text[:starts[0]].strip(" \t\r\n") and not _only_comments(text[:starts[0]]):
        starts.insert(0, 0)
    return list(zip(starts, starts[1:] + [len(text)]))


def parse_file(source: SourceFile, bag: DiagnosticBag) -> ast.RuleFile:
    """Parse a whole `.rulex` file; problems go to `bag`, good items are kept."""
    bounds = _item_bounds(source.text)
    rules, defines, imports, links, unparsed = [], [], [], [], []
    section: tuple[str, str] | None = None
    for start, end in bounds:
        tree = _parse(source.text[start:end], "start", spans_from(source, start), bag)
        if tree is None:
            unparsed.append(source.text[start:end])
            if source.text[start:end].lstrip().startswith(("event", "entity")):
                section = None  # a broken section header: its rules are not reported twice
            continue
        builder = _Builder(spans_from(source, start), bag)
        for item in tree.children:
            kind = item.data
            try:
                if kind == "section":
                    section = (str(item.children[0]).split(":")[0].strip(), str(item.children[1]))
                elif kind == "define":
                    defines.append(builder.define(item))
                elif kind == "import_":
                    imports.append(ast.Import(builder.string(item.children[1]), builder.span(item)))
                elif kind == "rule":
                    rule = builder.rule(item, section)
                    if rule is not None:
                        rules.append(rule)
                    else:
                        unparsed.append(source.text[start:end])
                elif kind == "link":
                    link = builder.link(item)
                    if link is not None:
                        links.append(link)
            except (_TooDeep, RecursionError) as err:  # the item is dropped, the rest of the file kept
                _too_deep(bag, err.span if isinstance(err, _TooDeep) else builder.span(item))
                unparsed.append(source.text[start:end])
    return ast.RuleFile(source.name, tuple(rules), tuple(defines), tuple(imports), tuple(links), tuple(unparsed))


def parse_pattern(text: str, span_of: SpanOf, bag: DiagnosticBag, context: str | None = None) -> ast.Pattern | None:
    """Parse one pattern (e.g. from a YAML string); `span_of` maps string offsets to file spans."""
    tree = _parse(text, "pattern_only", span_of, bag)
    if tree is None:
        return None
    try:
        return _Builder(span_of, bag).pattern(tree.children[0])
    except (_TooDeep, RecursionError) as err:
        _too_deep(bag, err.span if isinstance(err, _TooDeep) else span_of(0, len(text)))
        return None


def parse_expected(text: str, span_of: SpanOf, bag: DiagnosticBag) -> ast.ExpectedArg | None:
    """Parse one expected argument, as an example writes it: `role = "text" -> value`."""
    tree = _parse(text, "expect_only", span_of, bag)
    return None if tree is None else _Builder(span_of, bag).expect(tree.children[0])


def _too_deep(bag: DiagnosticBag, span: Span) -> None:
    bag.add("RX404", f"the pattern nests groups, options and repetitions more than {MAX_NESTING} deep", span,
            "write it flatter: a sub-pattern (define:) can name a part")


def parse_template(text: str, slots: tuple[ast.SlotDecl, ...], span_of: SpanOf, bag: DiagnosticBag) -> ast.Pattern | None:
    """Turn a template sentence into a pattern: slots become arguments, words match their forms.

    Template syntax: `word` (all its forms; function words literally), `word?` (optional),
    `~word` (up to two modifiers may come before it), `a/b` (alternatives), `...` (a gap of
    up to 3 words), and the declared SLOT names.
    """
    declared = {s.name: s for s in slots}
    used: set[str] = set()
    items: list[ast.Pattern] = []
    for m in re.finditer(r"\.\.\.|[^\s,;:()\"]+|[,;:()\"]", text):
        token, span = m.group(), span_of(m.start(), m.end())
        optional = token.endswith("?") and len(token) > 1
        token = token.rstrip("?") if optional else token
        modified = token.startswith("~") and len(token) > 1
        token = token[1:] if modified else token
        if token == "...":
            node: ast.Pattern = ast.Repeat(ast.AnyWord(span), 0, 3, span)
        elif token in declared:
            decl = declared[token]
            used.add(token)
            slot = ast.Slot(decl.role, decl.types, span)
            if all(t.name != "Phrase" for t in decl.types):
                det = ast.Alternation(tuple(ast.Literal(d, span) for d in DETERMINERS), span)
                node = ast.Sequence((ast.Repeat(det, 0, 1, span), slot), span)
            else:
                node = slot
            optional = optional or decl.optional
        elif token.isupper() and len(token) <= 3 and token.isalpha():
            bag.add("RX305", f"template slot `{token}` is not declared", span,
                    f"declare it after the template: where {token}: Phrase as {token.lower()}")
            continue
        else:
            options = tuple(_template_word(w, span) for w in token.split("/") if w)
            node = options[0] if len(options) == 1 else ast.Alternation(options, span)
            if modified:
                node = ast.Sequence((ast.Repeat(ast.AnyWord(span), 0, 2, span), node), span)
        items.append(ast.Repeat(node, 0, 1, span) if optional else node)
    for decl in slots:
        if decl.name not in used:
            bag.add("RX305", f"slot `{decl.name}` is declared but does not occur in the template", decl.span)
    if not items:
        bag.add("RX401", "the template is empty", span_of(0, len(text)))
        return None
    return ast.Sequence(tuple(items), span_of(0, len(text))) if len(items) > 1 else items[0]


def _template_word(word: str, span: Span) -> ast.Pattern:
    if word.lower() in FUNCTION_WORDS or not word.isalpha() or word.isupper():
        return ast.Literal(word, span)
    return ast.WordForms((word.lower(),), span)


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


@lru_cache(maxsize=4096)
def _parse_tree(text: str, start: str):
    """Lark's tree of one item (a syntax error is raised, never kept). Kept by its text, which
    its positions are relative to: after an edit of one item of a file (`rulex serve`, 90 ms to
    parse the conflict pack's attack.rulex whole), only that item is parsed again. Nothing
    changes a tree once built."""
    return _lark().parse(text, start=start)


# ---- syntax errors -----------------------------------------------------------------------

def _parse(text: str, start: str, span_of: SpanOf, bag: DiagnosticBag):
    try:
        return _parse_tree(text, start)
    except lark.UnexpectedInput as err:
        _report_syntax_error(err, text, span_of, bag)
        return None


def _report_syntax_error(err: lark.UnexpectedInput, text: str, span_of: SpanOf, bag: DiagnosticBag) -> None:
    pos = getattr(err, "pos_in_stream", None)
    token = getattr(err, "token", None)
    at_end = isinstance(err, lark.UnexpectedEOF) or (token is not None and token.type == "$END")
    if token is not None and not at_end and getattr(token, "start_pos", None) is not None:
        pos = token.start_pos
    if pos is None or at_end:
        pos = len(text.rstrip())
    opener = _unclosed_bracket(text, pos)
    if opener is not None:
        char, at = opener
        bag.add("RX101", f"unclosed `{char}` opened here", span_of(at, at + 1),
                f"add the closing `{BRACKETS[char]}`")
        return
    if isinstance(err, lark.UnexpectedCharacters):
        char = text[pos] if pos < len(text) else ""
        if char in "\"'":
            bag.add("RX100", "unclosed quoted phrase", span_of(pos, pos + 1),
                    "close it on the same line")
            return
        bag.add("RX100", f"unexpected character `{char}`", span_of(pos, pos + 1),
                "quote words that contain punctuation: \"5:30 p.m.\"" if char in ":;,!?$%&" else None)
        return
    key = re.match(r"([a-z][a-z_]*(?: [a-z]+)*)[ \t]*:(?!\S)", text[pos:pos + 40])
    if key and key.group(1) not in ("http", "https"):
        bag.add("RX100", f"unknown clause `{key.group(1)}:`", span_of(pos, pos + len(key.group(1))),
                did_you_mean(key.group(1), CLAUSES) or "clauses: " + ", ".join(f"{c}:" for c in CLAUSES))
        return
    expected = sorted({_terminal_words(t) for t in getattr(err, "expected", ()) or ()} - {""})
    got = "end of file" if at_end or token is None else f"`{token}`"
    end = token.end_pos if token is not None and token.end_pos else pos + 1
    hint = "expected " + " or ".join(expected[:6]) if expected else None
    if token is not None and not at_end and not str(token).isalnum() and "STRING" in (getattr(err, "expected", ()) or ()):
        # punctuation where a pattern item may stand: "{attacker:Actor} , said"
        hint = f'punctuation in a pattern is written in quotes: `"{token}"`'
    bag.add("RX100", f"unexpected {got}", span_of(pos, end), hint)


def _terminal_words(name: str) -> str:
    if name.endswith("_KW"):
        words = name[:-3].lower().replace("_", " ")  # NOT_PRECEDED_KW -> `not preceded by:`
        return "`" + (words + " by" if words.endswith(("preceded", "followed")) else words) + ":`"
    return TERMINAL_WORDS.get(name, f"`{name}`")


def _unclosed_bracket(text: str, upto: int) -> tuple[str, int] | None:
    """The innermost bracket still open at `upto`, skipping strings, regexes and comments."""
    stack: list[tuple[str, int]] = []
    i = 0
    while i < min(upto + 1, len(text)):
        ch = text[i]
        if ch in "\"'/":
            close = text.find(ch, i + 1)
            newline = text.find("\n", i + 1)
            if close < 0 or (0 <= newline < close):
                i += 1
                continue
            i = close + 1
            continue
        if ch == "#":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline
            continue
        if ch in BRACKETS:
            stack.append((ch, i))
        elif stack and ch == BRACKETS[stack[-1][0]]:
            stack.pop()
        i += 1
    if stack and (upto >= len(text.rstrip()) or text[upto:upto + 1] in (")", "}", ">") or _at_keyword(text, upto)):
        return stack[-1]
    return None


def _at_keyword(text: str, pos: int) -> bool:
    return re.match(r"[a-z][a-z ]*:", text[pos:pos + 40]) is not None


# ---- tree → AST ------------------------------------------------------------------------

def _start(token: lark.Token) -> int:
    """Where a token starts in the parsed text: lark's type allows None, its lexer always sets it."""
    assert token.start_pos is not None
    return token.start_pos


def _end(token: lark.Token) -> int:
    """Where a token ends in the parsed text (as `_start`)."""
    assert token.end_pos is not None
    return token.end_pos


class _Builder:
    """Turns one item's Lark tree into AST nodes with spans in file coordinates."""

    def __init__(self, span_of: SpanOf, bag: DiagnosticBag):
        self.span_of = span_of
        self.bag = bag
        self.empty_reported = False
        self.depth = 0  # of `pattern` nodes being built within each other

    def span(self, node) -> Span:
        if isinstance(node, lark.Token):
            return self.span_of(_start(node), _end(node))
        return self.span_of(node.meta.start_pos, node.meta.end_pos)

    # strings ------------------------------------------------------------------------
    def string(self, token: lark.Token, skip: int = 0) -> str:
        """Unquote a STRING token; report bad escapes (RX102)."""
        raw = str(token)[skip + 1:-1]
        out, i = [], 0
        escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}
        while i < len(raw):
            ch = raw[i]
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            nxt = raw[i + 1:i + 2]
            if nxt in escapes:
                out.append(escapes[nxt])
                i += 2
            elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2:i + 6]):
                out.append(chr(int(raw[i + 2:i + 6], 16)))
                i += 6
            else:
                at = _start(token) + skip + 1 + i
                self.bag.add("RX102", f"bad escape `\\{nxt}` in a quoted phrase", self.span_of(at, at + 2),
                             "escapes: \\\" \\' \\\\ \\n \\t \\uXXXX; write a backslash as \\\\")
                out.append(nxt)
                i += 2
        return "".join(out)

    # items --------------------------------------------------------------------------
    def define(self, tree) -> ast.Define:
        _, name, body = tree.children
        return ast.Define(str(name), self.pattern(body), self.span(name))

    def rule(self, tree, section: tuple[str, str] | None) -> ast.Rule | None:
        header, rule_id, *clauses = tree.children
        span = self.span_of(header.start_pos, rule_id.end_pos)
        if section is None:
            self.bag.add("RX306", f"rule `{rule_id}` is not under an `event:` or `entity:` header", span,
                         "put `event: Attack` (or `entity: Weapon`) on a line before the rule")
            return None
        fields: dict = {"examples": []}
        patterns = []
        for clause in clauses:
            kind, args = clause.data, clause.children
            if kind == "pattern_clause":
                patterns.append((self.pattern(args[1]), self.span(args[0])))
            elif kind == "template_clause":
                template = self.template(args[1], args[2:])
                if template is not None:
                    patterns.append(template)
            elif kind == "priority_clause":
                fields["priority"] = int(args[1])
            elif kind == "overlap_clause":
                fields["overlap"] = self.choice(args[1], OVERLAP_POLICIES, "overlap")
            elif kind == "case_clause":
                fields["case_sensitive"] = self.choice(args[1], ("sensitive", "insensitive"), "case") == "sensitive"
            elif kind == "not_preceded_clause":
                fields["not_preceded_by"] = self.pattern(args[1])
            elif kind == "not_followed_clause":
                fields["not_followed_by"] = self.pattern(args[1])
            elif kind == "preceded_clause":
                fields["preceded_by"] = self.pattern(args[1])
            elif kind == "followed_clause":
                fields["followed_by"] = self.pattern(args[1])
            elif kind == "example_clause":
                fields["examples"].append(ast.Example(self.string(args[1]), True, self.span(args[1]),
                                                      tuple(self.expect(e) for e in args[2:])))
            elif kind == "counter_clause":
                fields["examples"].append(ast.Example(self.string(args[1]), False, self.span(args[1])))
            elif kind == "set_clause":
                fields["sets"] = fields.get("sets", ()) + tuple(
                    ast.FixedValue(str(f.children[0]), self.value(f.children[1]), self.span(f)) for f in args[1:])
            elif kind == "find_clause":
                fields["searches"] = fields.get("searches", ()) + (self.search(args[0], args[1]),)
        if len(patterns) != 1:
            self.bag.add("RX306", f"rule `{rule_id}` has {'no' if not patterns else 'more than one'} pattern",
                         span if not patterns else patterns[1][1],
                         "give each rule exactly one `pattern:` or `template:`")
            if not patterns:
                return None
        pattern, pattern_span = patterns[0][:2]
        template = patterns[0][2] if len(patterns[0]) > 2 else None
        fields["examples"] = tuple(fields["examples"])
        return ast.Rule(str(rule_id), section[0], section[1], pattern, span, template=template,
                        pattern_span=pattern_span, **fields)

    def search(self, keyword: lark.Token, body) -> ast.Search:
        """`find [before|after] [in clause|in sentence]: pattern`."""
        words = str(keyword).rstrip(": \t").split()
        direction = next((ast.Direction(w) for w in words if w in ("before", "after")), ast.Direction.EITHER)
        scope = ast.Scope.SENTENCE if "sentence" in words else ast.Scope.CLAUSE
        return ast.Search(self.pattern(body), direction, scope, self.span(keyword))

    def link(self, tree) -> ast.Link | None:
        """`link: id` with `events: A, B`, `share: ...`, optionally `joined by:` and examples."""
        header, link_id, *clauses = tree.children
        span = self.span_of(header.start_pos, link_id.end_pos)
        types, joined_by, share, examples = None, None, [], []
        for clause in clauses:
            kind, args = clause.data, clause.children
            if kind == "events_clause":
                types = (str(args[1]), str(args[2]))
            elif kind == "joined_clause":
                joined_by = self.pattern(args[1])
            elif kind == "share_clause":
                for pair in args[1:]:
                    first, second = pair.children
                    share.append(ast.SharedRole(str(first), str(second or first), self.span(pair)))
            elif kind == "example_clause":
                examples.append(ast.Example(self.string(args[1]), True, self.span(args[1]),
                                            tuple(self.expect(e) for e in args[2:])))
            elif kind == "counter_clause":
                examples.append(ast.Example(self.string(args[1]), False, self.span(args[1])))
        if types is None or not share:
            missing = "`events: A, B`" if types is None else "`share: role, ...`"
            self.bag.add("RX306", f"link `{link_id}` needs {missing}", span,
                         "a link names two event types and the roles they share: "
                         "`events: Attack, Kill` and `share: attacker = killer, place, time`")
            return None
        return ast.Link(str(link_id), types, joined_by, tuple(share), span, tuple(examples))

    def choice(self, token, allowed: tuple[str, ...], what: str) -> str | None:
        if str(token) in allowed:
            return str(token)
        self.bag.add("RX308", f"unknown {what} `{token}`", self.span(token),
                     "choose one of: " + ", ".join(allowed))
        return None

    def template(self, string_token, decl_trees):
        text = self.string(string_token)
        decls = []
        for d in decl_trees:
            if d is None:
                continue
            name, *rest = d.children
            optional = bool(rest and isinstance(rest[0], lark.Token) and rest[0].type == "OPTIONAL_MARK")
            types = tuple(self.type_ref(t) for t in rest if isinstance(t, lark.Tree))
            role_tok = rest[-1] if rest and isinstance(rest[-1], lark.Token) and rest[-1].type == "NAME" else None
            decls.append(ast.SlotDecl(str(name), types, str(role_tok) if role_tok else str(name).lower(),
                                      optional, self.span(d)))
        base = string_token.start_pos + 1
        template = ast.Template(text, tuple(decls), self.span(string_token))
        pattern = parse_template(text, template.slots, lambda a, b: self.span_of(base + a, base + b), self.bag)
        return (pattern, self.span(string_token), template) if pattern is not None else None

    def expect(self, tree) -> ast.ExpectedArg:
        event_type, role, text, value = tree.children
        name = f"{event_type}.{role}" if event_type is not None else str(role)
        if value is None:
            return ast.ExpectedArg(name, self.string(text), self.span(tree))
        return ast.ExpectedArg(name, self.string(text), self.span(tree), self.value(value), True)

    def value(self, tree):
        kind = tree.data
        if kind == "value_name":
            word = str(tree.children[0])
            return {"true": True, "false": False, "null": None}.get(word, word)
        if kind == "value_string":
            return self.string(tree.children[0])
        if kind == "value_number":
            num = str(tree.children[0])
            return float(num) if any(c in num for c in ".eE") else int(num)
        return {str(p.children[0]): self.value(p.children[1]) for p in tree.children if p is not None}

    # patterns -------------------------------------------------------------------------
    def type_ref(self, tree) -> ast.TypeRef:
        token = tree.children[0]
        return ast.TypeRef(str(token), self.span(token))

    def pattern(self, node) -> ast.Pattern:
        if node.data not in ("alt", "seq", "quantified", "repeated"):
            return self._pattern(node)
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise _TooDeep(self.span(node))
            return self._pattern(node)
        finally:
            self.depth -= 1

    def _pattern(self, node) -> ast.Pattern:
        kind, span = node.data, self.span(node)
        kids = node.children
        if kind == "alt":
            return ast.Alternation(tuple(self.pattern(k) for k in kids), span)
        if kind == "seq":
            return ast.Sequence(tuple(self.pattern(k) for k in kids), span)
        if kind == "quantified":
            item, quant = self.pattern(kids[0]), str(kids[1])
            lo, hi = {"?": (0, 1), "*": (0, None), "+": (1, None)}[quant]
            return ast.Repeat(item, lo, hi, span)
        if kind == "repeated":
            return self.repeat(self.pattern(kids[0]), kids[1], span)
        if kind in ("word", "phrase"):
            token = kids[0]
            case = str(token).startswith("=")
            text = self.string(token, skip=1 if case else 0) if kind == "phrase" else str(token).lstrip("=")
            if not text.strip() and not self.empty_reported:  # once an item: not 50,000 times for a line of quotes
                self.empty_reported = True
                self.bag.add("RX401", "an empty quoted phrase matches nothing", span)
            return ast.Literal(text, span, case)
        if kind == "forms":
            return ast.WordForms(tuple(str(k).lower() for k in kids), span)
        if kind == "slot":
            role = str(kids[0]) if kids[0] is not None else None
            types = tuple(self.type_ref(t) for t in kids[1:] if t.data == "type_ref")
            nested = tuple(ast.NestedSlot(str(n.children[0]), tuple(self.type_ref(t) for t in n.children[1:]),
                                          self.span(n)) for n in kids[1:] if n.data == "nested_slot")
            return ast.Slot(role, types, span, nested)
        if kind == "any_word":
            return ast.AnyWord(span)
        if kind == "raw_regex":
            return self.raw_regex(kids[0])
        if kind in ("pattern_only", "atom"):
            return self.pattern(kids[0])
        raise AssertionError(f"unhandled pattern node {kind}")  # grammar and builder disagree

    def repeat(self, item: ast.Pattern, token: lark.Token, span: Span) -> ast.Pattern:
        inner = str(token)[1:-1].replace(" ", "")
        lo_s, _, hi_s = inner.partition(",")
        if not inner:
            self.bag.add("RX403", "empty repetition `{}`", self.span(token), "write {min,max}, e.g. {1,3}")
            return item
        lo = int(lo_s) if lo_s else 0
        hi = (int(hi_s) if hi_s else None) if "," in inner else lo
        if max(lo, hi or 0) > MAX_REPEAT:
            self.bag.add("RX403", f"repetition `{token}` is too large: at most {MAX_REPEAT}", self.span(token),
                         "a sentence has far fewer words: write e.g. {0,10}")
            return item
        if hi is not None and hi < lo:
            self.bag.add("RX403", f"repetition `{token}` has max below min", self.span(token),
                         f"write {{{hi},{lo}}}")
            return item
        return ast.Repeat(item, lo, hi, span)

    def raw_regex(self, token: lark.Token) -> ast.RawRegex:
        source = str(token)[1:-1].replace("\\/", "/")
        span = self.span(token)
        deepest = _regex_nesting(source)
        if deepest is not None:
            at = _start(token) + 1 + deepest
            self.bag.add("RX103", f"the regular expression nests groups more than {MAX_REGEX_NESTING} deep",
                         self.span_of(at, at + 1), "write it flatter")
            return ast.RawRegex("(?!)", span)
        try:
            compiled = regex.compile(source)
        except regex.error as err:
            pos, msg = err.pos, err.msg  # type: ignore[attr-defined]  # re.error's two, left out of regex's stubs
            at = _start(token) + 1 + (pos or 0)
            self.bag.add("RX103", f"invalid regular expression: {msg}", self.span_of(at, at + 1))
        except (RecursionError, OverflowError, MemoryError) as err:
            self.bag.add("RX103", f"the regular expression cannot be compiled ({type(err).__name__})", span)
        else:
            if compiled.groupindex:
                names = ", ".join(sorted(compiled.groupindex))
                self.bag.add("RX104", f"raw regex defines group name(s) {names}", span,
                             "use (?:...) or a slot {role:Type} to capture an argument")
        return ast.RawRegex(source, span)


def _regex_nesting(source: str) -> int | None:
    """Where a raw regex opens its group number MAX_REGEX_NESTING + 1 within others (an offset in
    `source`), or None: the regex module parses groups recursively, and too deep a nest is a
    RecursionError, not an error message. Escapes and character classes are skipped."""
    depth, i, in_class = 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if source[i + 1:i + 2] == "^":
                i += 1
            if source[i + 1:i + 2] == "]":  # a "]" first in a class is a character of it
                i += 1
        elif ch == "(":
            depth += 1
            if depth > MAX_REGEX_NESTING:
                return i
        elif ch == ")":
            depth = max(0, depth - 1)
        i += 1
    return None
