"""Planning (rulex/planning.py): what a rule needs, where it is placed, and that leaving rules out
of sentences never changes what a pack finds."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re

import pytest

import rulex
from rulex import planning
from rulex.builtins import BUILTIN_NAMES
from rulex.document import Document
from rulex.matcher import match_document, run_rule
from rulex.mentions import builtin_mentions, find_mentions
from rulex.planning import Anchor, AnchorKind, Near, NearCondition, Placement
from rulex.segment import lowercase_view, normalise, split_sentences
from rulex.view import SentenceView

from .conftest import CONFLICT, SAMPLES, SHARED
from .test_language import load

ADJUDICATED = SHARED / "gold" / "adjudicated" / "adjudicated_sentences.dev.jsonl"

RULE = "event: Attack\nrule: r\n  pattern: {attacker:Actor} <launch> {weapon:Weapon} against {target:Phrase}\n"


def unplanned(program: rulex.Program) -> rulex.Program:
    """The program with every rule tried on every sentence: no anchors, clauses or near conditions."""
    count = len(program.rules)
    none = (frozenset(),) * count
    placement = Placement(word_anchors=None, every_sentence=tuple(range(count)), rule_clauses=none,
                          rule_word_clauses=none, near=(None,) * count, unconditioned=frozenset(range(count)))
    return dataclasses.replace(program, placement=placement)


def test_a_rule_knows_its_anchors_clauses_and_near_conditions(make_pack, lexicons):
    pack = load(make_pack, lexicons, RULE)
    [rule] = pack.program.rules
    actors, weapons = (next(i for i, lx in enumerate(pack.program.lexicons) if lx.type == t) for t in ("Actor", "Weapon"))
    assert rule.anchors == (Anchor.word("against"),)  # the rarest required item: one long word
    launch = tuple(Anchor.word(w) for w in ("launch", "launched", "launches", "launching"))
    assert rule.requires == ((Anchor.lexicon(actors),), launch, (Anchor.lexicon(weapons),), (Anchor.word("against"),))
    # right before "against": a weapon; after it, a Phrase, which is unbounded: nothing known
    assert rule.near == Near(before=(NearCondition(AnchorKind.LEXICON, frozenset({weapons}), 0),), after=())


def test_near_conditions_skip_an_anchor_with_nothing_it_needs_beside_it(make_pack, lexicons):
    pack = load(make_pack, lexicons, RULE)
    text = normalise("Iran launched missiles against the base. Officials launched an inquiry against fraud.")
    plan = planning.plan(pack.program, text, lowercase_view(text))
    tried = [text[slice(*plan.sentences[i])] for i, ids in sorted(plan.candidates.items()) if ids - plan.skip.get(i, set())]
    assert tried == ["Iran launched missiles against the base."]


def test_alias_edges_are_the_words_and_signs_aliases_start_and_end_with():
    edges = planning.alias_edges([("us", [0]), ("u.s.", [0]), ("$", [1]), ("al-qaeda", [2, 0])])
    assert edges[0].first == planning.Edge(frozenset({"us", "u", "al"}), frozenset())
    assert edges[0].last == planning.Edge(frozenset({"us", "qaeda"}), frozenset({"."}))
    assert edges[1].first == edges[1].last == planning.Edge(frozenset(), frozenset({"$"}))
    assert planning.alias_edges([("us", [0]), (" padded", [0])]) == {}  # nothing known: every alias is looked for


@pytest.mark.skipif(not ADJUDICATED.exists(), reason="../shared is not beside the project")
def test_planning_leaves_a_rule_out_only_where_it_cannot_match():
    """The conflict pack over the sample articles and the adjudicated sentences: the same matches,
    byte for byte, as when every rule is tried on every sentence."""
    program = rulex.load(CONFLICT).program
    everywhere = unplanned(program)
    docs = [Document(path.stem, path.read_text(encoding="utf-8")) for path in sorted(SAMPLES.glob("*.txt"))]
    for line in ADJUDICATED.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        date = dt.date.fromisoformat(row["doc_date"]) if row.get("doc_date") else None
        docs.append(Document(row["id"], row["text"], date))
    assert len(docs) > 250
    found = 0
    for doc in docs:
        planned = [m.to_dict() for m in match_document(program, doc).matches]
        assert planned == [m.to_dict() for m in match_document(everywhere, doc).matches], doc.id
        found += len(planned)
    assert found > 300  # the comparison is about real matches


def test_an_outline_is_a_rules_words_in_order_and_near_enough(make_pack, lexicons):
    rule = ("event: Attack\nrule: r\n  pattern: death toll (in | from) (the | a)? {weapon:Weapon} _{0,2} {attacker:Actor}\n"
            "  example: \"the death toll from the ballistic missiles fired by Iran\"\n")
    pack = load(make_pack, lexicons, rule)
    [compiled] = pack.program.rules
    outline = re.compile(str(compiled.outline))
    assert outline.search("the death toll from the ballistic missiles fired by iran")
    assert outline.search("the death toll in missile strikes by irgc")  # at most 2 words between
    assert not outline.search("the death of a toll from missiles by iran")      # not in order
    # too far apart: an Actor (aliases of up to 5 words) ends at most 2 + 5 words after the weapon
    assert not outline.search("the death toll from the missile that was fired at the base on monday and later by iran")
    assert not outline.search("the death tolls from missiles by iran")          # whole words only
    text = normalise("The death toll of the crash rose. The death toll from the missiles fired by Iran rose.")
    plan = planning.plan(pack.program, text, lowercase_view(text))
    tried = [text[slice(*plan.sentences[i])] for i, ids in sorted(plan.candidates.items()) if ids - plan.skip.get(i, set())]
    assert tried == ["The death toll from the missiles fired by Iran rose."]


def test_an_unknown_outline_leaves_a_rule_to_its_other_conditions(make_pack, lexicons):
    pack = load(make_pack, lexicons, "event: Attack\nrule: r\n  pattern: {attacker:Phrase} /fir(ed|es)/ _\n")
    assert pack.program.rules[0].outline is None  # a raw regex: nothing known


@pytest.mark.skipif(not ADJUDICATED.exists(), reason="../shared is not beside the project")
def test_a_rule_never_matches_a_sentence_its_outline_does_not():
    """Every rule of the conflict pack, in every ASCII sentence of the samples and the adjudicated
    sentences, with every mention marked: where its outline does not match, its regex does not."""
    program = rulex.load(CONFLICT).program
    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))]
    texts += [json.loads(line)["text"] for line in ADJUDICATED.read_text(encoding="utf-8").splitlines()]
    builtins = set(BUILTIN_NAMES)
    checked = skipped = 0
    for text in texts:
        normalised = normalise(text)
        lowered = lowercase_view(normalised)
        for start, end in split_sentences(normalised):
            if not lowered[start:end].isascii():
                continue
            found = find_mentions(program, normalised, lowered, start, end)
            found += builtin_mentions(program, normalised, lowered, start, end, builtins)
            view = SentenceView(normalised, start, end, sorted(found, key=lambda m: (m.start, -m.end)))
            for rule in program.rules:
                if rule.outline is None:
                    continue
                checked += 1
                if re.search(rule.outline, lowered[start:end]) is None:
                    skipped += 1
                    assert not run_rule(rule, view.text, 1.0), (rule.id, normalised[start:end])
    assert skipped > checked / 2  # outlines do leave most rules out


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# pattern items, each with texts it may match (or not quite)
ITEMS = {"fired": ["fired", "fires"], "missiles": ["missiles", "missile"], "death toll": ["death toll", "death-toll"],
         "<launch>": ["launched", "launch", "launching"], "{weapon:Weapon}": ["missiles", "ballistic missiles"],
         "{attacker:Actor}": ["Iran", "US", "U.S.", "IRGC Aerospace Force"], "{place:Place}": ["Erbil", "western Iraq"],
         "{Phrase}": ["the base", "people"], "_": ["it", ",", "3"], "_{0,2}": ["", "a b", "x"], "(at | on)": ["at", "on"],
         "(the | a)?": ["the", ""], "(fired | {Weapon})": ["fired", "missile"], "at?": ["at", ""],
         "{Quantity}": ["two", "3", "3 km"], "(in {Place})?": ["in Erbil", ""]}
WORDS = ["fired", "missiles", "death", "toll", "at", "the", "Iran", "U.S.", "Erbil", "two", "-", ",", "'s", "by"]


@st.composite
def patterns_and_texts(draw) -> tuple[str, list[str]]:
    items = draw(st.lists(st.sampled_from(sorted(ITEMS)), min_size=1, max_size=5))
    texts = []
    for _ in range(draw(st.integers(1, 4))):
        words: list[str] = []
        for item in items:
            words += draw(st.lists(st.sampled_from(WORDS), max_size=2))
            words.append(draw(st.sampled_from(ITEMS[item])))
        texts.append(" ".join(w for w in words + draw(st.lists(st.sampled_from(WORDS), max_size=2)) if w))
    return " ".join(items), texts


@settings(max_examples=int(os.environ.get("RULEX_PLANNING_EXAMPLES", 60)), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=patterns_and_texts())
def test_outlines_never_leave_out_a_match_property(make_pack, lexicons, case):
    """Any pattern of words, lexicon slots, gaps and options over any sentence of their words: where
    the rule matches, its outline does, and planning finds what trying it everywhere finds."""
    pattern, texts = case
    try:
        pack = load(make_pack, lexicons, f"event: Attack\nrule: r\n  pattern: {pattern}\n")
    except rulex.RulexError:  # e.g. a pattern of gaps only
        return
    everywhere = unplanned(pack.program)
    outline = pack.program.rules[0].outline
    for text in texts:
        expected = match_document(everywhere, Document("d", text)).matches
        if expected and outline is not None and text.isascii():
            assert re.search(outline, lowercase_view(normalise(text))), (pattern, text)
        assert match_document(pack.program, Document("d", text)).matches == expected, (pattern, text)


def test_a_rule_tried_everywhere_that_will_not_run_splits_no_paragraph():
    """The conflict pack's dateline rule has no anchor (every sentence) but runs apart from the
    others: a text without anchor words is split into sentences only when it is not said what runs."""
    program = rulex.load(CONFLICT).program
    text = normalise("The weather was fine on Tuesday.\n\nMarkets closed higher.")
    lowered = lowercase_view(text)
    assert planning.plan(program, text, lowered).sentences  # the dateline rule is a candidate everywhere
    assert planning.plan(program, text, lowered, running=program.standalone).sentences == []
    assert not match_document(program, Document("d", text)).matches
