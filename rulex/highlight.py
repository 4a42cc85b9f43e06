"""A Pygments lexer for the rulex rule language (``.rulex`` files, ```` ```rulex ```` blocks).

Registered through the ``pygments.lexers`` entry point (pyproject.toml), so once rulex is
installed ``pygmentize -l rulex attack.rulex``, Markdown's codehilite and pymdownx.highlight
(the docs) all find it by its alias ``rulex``.

It follows grammar/rulex.lark token for token, and scopes:

| what | example | token |
| --- | --- | --- |
| item and clause keywords | ``rule:``, ``link:``, ``pattern:``, ``not preceded by:``, ``find after in clause:`` | ``Keyword`` (``Keyword.Namespace`` for ``import:``) |
| template and slot keywords | ``where``, ``as``, ``{victim:Phrase with casualties:Quantity}`` | ``Keyword`` |
| event and entity types, slot types | ``event: Attack``, ``{attacker:Actor}``, ``events: Attack, Kill``, ``Kill.place =`` | ``Name.Class`` |
| rule and link ids, define names | ``rule: attack.launch``, ``link: attack_kill``, ``define: fired =`` | ``Name.Function`` |
| roles | ``{attacker:Actor}``, ``attacker = "Iran"``, ``share: attacker = killer`` | ``Name.Variable`` |
| fixed attributes | ``set: injury = true`` | ``Name.Attribute`` (the value as an expected value) |
| word forms | ``<launch|fire>`` | ``Name.Tag`` |
| quoted phrases, examples | ``"'s"``, ``example: "Iran fired..."`` | ``String`` |
| raw regexes | ``/\\d+N/`` | ``String.Regex`` |
| the any-word gap | ``_{0,4}`` | ``Keyword.Pseudo`` and ``Number`` |
| operators | ``|``, ``?``, ``=`` (exact case), ``->`` | ``Operator`` |
| expected values | ``-> Iran``, ``-> {min: 13}`` | ``Name.Constant``, ``Number``, ``Name.Attribute`` |
| comments | ``# ...`` | ``Comment.Single`` |

Bare words of a pattern are plain ``Text``: the highlighted parts are the structure around them.
"""
from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

__all__ = ["RulexLexer"]

_WS = r"[ \t]*"
# find, find after, find before in sentence, ... (the grammar's FIND_KW)
_FIND = r"find(?:\s+(?:before|after))?(?:\s+in\s+(?:clause|sentence))?"
# Every item and clause keyword of the grammar; the lookahead that ends a template, example,
# set, events or share state.
_CLAUSE = (r"(?:import|define|events|event|entity|rule|link|pattern|template|priority|overlap|case|"
           r"(?:not\s+)?preceded\s+by|(?:not\s+)?followed\s+by|example|counter|set|" + _FIND + r"|"
           r"joined\s+by|share)" + _WS + r":")
_WORD = r"[^\W_][\w'-]*(?:\.[^\W_][\w'-]*)*\.?"
_DQ = r'"(?:[^"\\\n]|\\.)*"'
_SQ = r"'(?:[^'\\\n]|\\.)*'"
_NAME = r"[a-z_][a-z0-9_]*"
_TYPE = r"[A-Z][A-Za-z0-9_]*"
_RULE_ID = r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*"
_VALUE_NAME = r"[A-Za-z_][\w.\-]*"
_NUMBER = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"


def _nothing(lexer, match):
    """The action of a lookahead that only leaves a state: no token."""
    return iter(())


class RulexLexer(RegexLexer):
    """Lexer for rulex rule files."""

    name = "rulex"
    aliases = ["rulex"]
    filenames = ["*.rulex"]
    mimetypes = ["text/x-rulex"]

    tokens = {
        "common": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
        ],
        "strings": [
            (r"(=)(" + _DQ + ")", bygroups(Operator, String.Double)),
            (r"(=)(" + _SQ + ")", bygroups(Operator, String.Single)),
            (_DQ, String.Double),
            (_SQ, String.Single),
        ],
        "keywords": [
            (r"(import" + _WS + ":)", Keyword.Namespace),
            (r"(define" + _WS + r":)(\s*)(" + _NAME + r")(\s*)(=)",
             bygroups(Keyword.Declaration, Whitespace, Name.Function, Whitespace, Operator)),
            (r"((?:event|entity)" + _WS + r":)(\s*)(" + _TYPE + ")",
             bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (r"((?:rule|link)" + _WS + r":)(\s*)(" + _RULE_ID + ")",
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r"(priority" + _WS + r":)(\s*)([+-]?\d+)", bygroups(Keyword, Whitespace, Number.Integer)),
            (r"((?:overlap|case)" + _WS + r":)(\s*)(" + _NAME + ")", bygroups(Keyword, Whitespace, Name.Constant)),
            (r"(?:pattern|(?:not\s+)?preceded\s+by|(?:not\s+)?followed\s+by|counter|joined\s+by|" + _FIND + ")" + _WS + ":",
             Keyword),
            (r"set" + _WS + ":", Keyword, "set"),
            (r"events" + _WS + ":", Keyword, "events"),
            (r"share" + _WS + ":", Keyword, "share"),
            (r"template" + _WS + ":", Keyword, "template"),
            (r"example" + _WS + ":", Keyword, "example"),
            # a lower-case word ending in a colon is a misspelt keyword (RX100)
            (r"[a-z][a-z_]*" + _WS + r":(?!\S)", Error),
        ],
        "root": [
            include("common"),
            include("keywords"),
            include("pattern"),
        ],
        "pattern": [
            include("strings"),
            (r"\{\s*\d*\s*(?:,\s*\d*\s*)?\}", Number.Integer),        # repetition {2} {1,3} {,3}
            (r"\{", Punctuation, "slot"),
            (r"<", Name.Tag, "forms"),
            (r"/(?:[^/\\\n]|\\.)+/", String.Regex),
            (r"(=)(" + _WORD + ")", bygroups(Operator, Text)),        # =US: exactly this case
            (_WORD, Text),
            (r"_", Keyword.Pseudo),                                     # any one word; _{0,4} a gap
            (r"[?*+|]", Operator),
            (r"[()]", Punctuation),
        ],
        "slot": [
            (r"\s+", Whitespace),
            (r"with\b(?!\s*:)", Keyword),                               # {victim:Phrase with casualties:Quantity}
            (r"(" + _NAME + r")(\s*)(:)", bygroups(Name.Variable, Whitespace, Punctuation)),
            (_TYPE, Name.Class),
            (_NAME, Name.Class),                                        # a lexicon or a sub-pattern
            (r"\|", Operator),
            (r"\}", Punctuation, "#pop"),
        ],
        "forms": [
            (r"\s+", Whitespace),
            (_WORD, Name.Tag),
            (r"\|", Operator),
            (r">", Name.Tag, "#pop"),
        ],
        "template": [
            (r"(?=" + _CLAUSE + ")", _nothing, "#pop"),
            include("common"),
            include("strings"),
            (r"where\b", Keyword),
            (r"([A-Z][A-Z0-9_]*)(\??)(\s*)(:)(\s*)(" + _TYPE + "|" + _NAME + ")",
             bygroups(Name.Variable, Operator, Whitespace, Punctuation, Whitespace, Name.Class)),
            (r"(\|)(\s*)(" + _TYPE + "|" + _NAME + ")", bygroups(Operator, Whitespace, Name.Class)),
            (r"(as)(\s+)(" + _NAME + ")", bygroups(Keyword, Whitespace, Name.Variable)),
            (r",", Punctuation),
        ],
        "example": [
            (r"(?=" + _CLAUSE + ")", _nothing, "#pop"),
            include("common"),
            include("strings"),
            (r"(" + _NAME + r")(\s*)(=)", bygroups(Name.Variable, Whitespace, Operator)),
            (r"(" + _TYPE + r")(\.)(" + _NAME + r")(\s*)(=)",                # a link's Kill.place = "..."
             bygroups(Name.Class, Punctuation, Name.Variable, Whitespace, Operator)),
            (r"->", Operator, "value"),
        ],
        "set": [                                                        # set: injury = true, kind = "x"
            (r"(?=" + _CLAUSE + ")", _nothing, "#pop"),
            include("common"),
            (r"(" + _NAME + r")(\s*)(=)", bygroups(Name.Attribute, Whitespace, Operator), "value"),
            (r",", Punctuation),
        ],
        "events": [                                                     # events: Attack, Kill
            (r"(?=" + _CLAUSE + ")", _nothing, "#pop"),
            include("common"),
            (_TYPE, Name.Class),
            (r",", Punctuation),
        ],
        "share": [                                                      # share: attacker = killer, place
            (r"(?=" + _CLAUSE + ")", _nothing, "#pop"),
            include("common"),
            (r"(" + _NAME + r")(\s*)(=)(\s*)(" + _NAME + ")",
             bygroups(Name.Variable, Whitespace, Operator, Whitespace, Name.Variable)),
            (_NAME, Name.Variable),
            (r",", Punctuation),
        ],
        "value": [
            (r"[ \t]+", Whitespace),
            include("strings_pop"),
            (_NUMBER, Number, "#pop"),
            (_VALUE_NAME, Name.Constant, "#pop"),
            (r"\{", Punctuation, ("#pop", "object")),
        ],
        "strings_pop": [
            (_DQ, String.Double, "#pop"),
            (_SQ, String.Single, "#pop"),
        ],
        "object": [
            (r"\s+", Whitespace),
            (r"(" + _NAME + r")(\s*)(:)", bygroups(Name.Attribute, Whitespace, Punctuation)),
            (_DQ, String.Double),
            (_SQ, String.Single),
            (_NUMBER, Number),
            (_VALUE_NAME, Name.Constant),
            (r"\{", Punctuation, "#push"),
            (r",", Punctuation),
            (r"\}", Punctuation, "#pop"),
        ],
    }
