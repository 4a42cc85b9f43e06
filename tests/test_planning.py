"""Planning (rulex/planning.py): what a rule needs, where it is placed, and that leaving rules out
of sentences never changes what a pack finds."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

import rulex
from rulex import planning
from rulex.document import Document
from rulex.matcher import match_document
from rulex.planning import Anchor, AnchorKind, Near, NearCondition, Placement
from rulex.segment import lowercase_view, normalise

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
