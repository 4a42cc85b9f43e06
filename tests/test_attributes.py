"""Event attributes (negated, hedged, future) set by cue words a pack declares."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import rulex
from rulex.attributes import DEFAULT_WINDOW, Attribute, event_attributes

RULES = """
event: Attack
rule: launch
  pattern: {attacker:Actor} <launch|fire> {weapon:Weapon} at {target:Place}
"""
ATTRIBUTES = """
attributes:
  negated: {cues: [not, no, never, denied, did not, "didn't"], window: 6}
  hedged: {cues: [reportedly, allegedly, unofficial reports said]}
  future: {cues: [vowed to, will, would], window: 4}
"""
MANIFEST = "name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*.yaml']\noutput: [Place]\n"


@pytest.fixture
def pack(make_pack, lexicons):
    return rulex.load(make_pack({"rules.rulex": RULES, **lexicons}, MANIFEST + ATTRIBUTES), cache=False)


def attrs(pack, text):
    [event] = [m for m in pack.extract(text) if m.kind == "event"]
    return {name for name, value in event.attrs.items() if value}, event


@pytest.mark.parametrize("text, expected", [
    ("Iran launched missiles at Erbil.", set()),
    ("Officials denied that Iran launched missiles at Erbil.", {"negated"}),
    ("Officials didn\u2019t let Iran launch missiles at Erbil.", {"negated"}),    # typographic apostrophe
    ("Officials didn\u2019t say Iran launched missiles at Erbil.", set()),       # a reporting verb breaks the scope
    ("Unofficial reports said Iran fired missiles at Erbil.", {"hedged"}),
    ("Tehran vowed to ensure Iran fires missiles at Erbil.", {"future"}),
    ("Tehran vowed to make very sure that Iran fires missiles at Erbil.", set()),  # 6 words back: beyond 4
    ("Nobody was hurt when Iran launched missiles at Erbil.", set()),             # "no" only as a word
    ("Officials denied nothing; Iran launched missiles at Erbil.", set()),        # a clause break stops it
    ("Allegedly (so they say) Iran launched missiles at Erbil.", set()),          # ... and so does a bracket
    ("No one expected that after many weeks of talks Iran launched missiles at Erbil.", set()),  # 9 words back
    ("Officials denied today that Iran launched missiles at Erbil.", {"negated"}),  # the cue's own "that"
])
def test_attributes_come_from_cues_before_the_event_in_its_clause(pack, text, expected):
    assert attrs(pack, text)[0] == expected


def test_every_declared_attribute_is_present_and_the_cue_is_in_provenance(pack):
    text = "Reportedly, officials denied Iran launched missiles at Erbil."
    found, event = attrs(pack, text)
    assert event.attrs == {"negated": True, "hedged": True, "future": False}
    cues = {c["attribute"]: c for c in event.provenance.attributes}
    assert cues["negated"]["cue"] == "denied" and text[cues["negated"]["start"]:cues["negated"]["end"]] == "denied"
    assert cues["hedged"]["cue"] == "Reportedly"
    assert event.to_dict()["provenance"]["attributes"] == list(event.provenance.attributes)
    [place] = [m for m in pack.extract(text) if m.kind == "entity"]
    assert place.attrs == {}  # entities carry no attributes


def test_a_pack_without_attributes_gives_empty_attrs(make_pack, lexicons):
    pack = rulex.load(make_pack({"rules.rulex": RULES, **lexicons}, MANIFEST), cache=False)
    [event] = [m for m in pack.extract("Officials denied Iran launched missiles at Erbil.") if m.kind == "event"]
    assert event.attrs == {} and "attributes" not in event.to_dict()["provenance"]


@pytest.mark.parametrize("block, message, line", [
    ("attributes:\n  negated: {window: 3}\n", "attribute `negated` needs `cues:`", 6),
    ("attributes:\n  negated: {cues: [not], window: 99}\n", "must be between 0 and 50", 6),
    ("attributes:\n  negated: {cues: [not], scope: clause}\n", "unknown key `scope`", 6),
    ("attributes: [negated]\n", "must be a mapping", 5),
    # `breakers:`, and the words of `cues:`
    ("attributes:\n  negated:\n    cues: [not]\n    breakers: {only: 1}\n", "`breakers` must be a list", 8),
    ("attributes:\n  negated:\n    cues: [not]\n    breakers:\n      - only\n      - [just]\n",
     "every item of `breakers` must be text", 10),
    ("attributes:\n  negated:\n    cues: [not]\n    breakers:\n      - only\n      - '--'\n", "must hold a word", 10),
    ("attributes:\n  negated:\n    cues: [not, never]\n    breakers: [only, Never]\n", "`Never` is both a cue and a breaker", 8),
    ("attributes:\n  negated:\n    cues: [not]\n    breakers:\n", "`breakers` of attribute `negated` must be a list", 8),
    ("attributes:\n  negated: {cues: ['', not]}\n", "every item of `cues` of attribute `negated` must hold a word", 6),
])
def test_bad_attribute_settings_are_reported_where_they_are(make_pack, lexicons, block, message, line):
    root = make_pack({"rules.rulex": RULES, **lexicons}, MANIFEST + block)
    problems = [d for d in rulex.check(root)[0] if d.severity.value == "error"]
    code = "RX202" if "unknown key" in message else "RX203"
    assert [(message in d.message, d.code, d.span.line) for d in problems] == [(True, code, line)]


# ---- the scope of a cue, on real sentences, with the conflict pack's own cues and breakers --------

CONFLICT_PACK = Path(__file__).resolve().parent.parent / "rules" / "conflict" / "pack.yaml"


def conflict_attributes() -> tuple[Attribute, ...]:
    declared = yaml.safe_load(CONFLICT_PACK.read_text(encoding="utf-8"))["attributes"]
    return tuple(Attribute(name, tuple(spec["cues"]), spec.get("window", DEFAULT_WINDOW), None,
                           tuple(spec.get("breakers", ()))) for name, spec in declared.items())


CONFLICT_ATTRIBUTES = conflict_attributes()


def marked(sentence: str) -> tuple[str, tuple[int, int], tuple[tuple[int, int], ...]]:
    """A sentence with its event in [brackets] and its arguments in {braces}: the plain text,
    the event's span and the arguments' spans."""
    text, event, arguments, opened = "", None, [], {}
    for ch in sentence:
        if ch in "[{":
            opened[ch] = len(text)
        elif ch == "]":
            event = (opened.pop("["), len(text))
        elif ch == "}":
            arguments.append((opened.pop("{"), len(text)))
        else:
            text += ch
    return text, event, tuple(arguments)


def governing_cue(sentence: str, attribute: str):
    text, (start, end), arguments = marked(sentence)
    values, evidence = event_attributes(CONFLICT_ATTRIBUTES, text, 0, start, end, arguments)
    found = [e for e in evidence if e["attribute"] == attribute]
    assert values[attribute] == bool(found)
    return found[0] if found else None


# (sentence with the [event] and its {arguments}, attribute, expected value, expected cue)
SCOPE_CASES = [
    # negation that governs the event
    ("No one was [hurt] in the blast.", "negated", True, "No"),
    ("The PKK Kurdish rebel group has not [launched] any major attacks.", "negated", True, "not"),
    ("The bomb failed to [explode].", "negated", True, "failed"),
    ("Police foiled an [attack] on the embassy.", "negated", True, "foiled"),
    ("Ten people were killed in Colombia during a thwarted [attack] against a councilman.", "negated", True, "thwarted"),
    ("Security forces prevented an [attack] on the airport.", "negated", True, "prevented"),
    ("Soldiers prevented the gunmen from [attacking] the village.", "negated", True, "prevented"),  # "from" + -ing
    ("Fuentes is unable to [strike] back.", "negated", True, "unable to"),
    ("The Guatemala army denied that guerrillas [attacked] the farm.", "negated", True, "denied"),
    ("The army denied today that its planes had [bombed] a refugee camp.", "negated", True, "denied"),
    # ... and negation that belongs to another phrase: one case per kind of breaker
    ("She never let her spirit die after her former husband [sprayed] acid on her face.", "negated", False, None),
    ("The agency had not determined whether the [stabbings] were related to the bombing.", "negated", False, None),
    ("It is not ruled out that those responsible are involved in the [assassination] attempt.", "negated", False, None),
    ("The spokesman did not say the [bombing] was over.", "negated", False, None),                 # reporting verb
    ("The council was not attacked but there was an [attack] on the offices.", "negated", False, None),  # but
    ("Police found the car not far from the scene of the [attack].", "negated", False, None),       # far from
    ("There was no immediate claim of responsibility for Monday's [attacks].", "negated", False, None),  # for
    ("No injuries were reported during that [attack].", "negated", False, None),                   # during
    ("One of his bodyguards, whom the authorities did not identify, [died] on the spot.", "negated", False, None),  # comma
    ("The sources did not mention the buildings that were [attacked].", "negated", False, None),   # relative pronoun
    ("Police said it was a never-before-seen [attack] on the city.", "negated", False, None),       # "before"
    # ... and the pack's own breakers
    ("This is not just another [attack].", "negated", False, None),
    ("I feel that this was not only an [attack] against Pizarro but against the country.", "negated", False, None),
    ("That figure does not include [deaths] in active battlefields.", "negated", False, None),
    ("We have no doubt that army soldiers [killed] them.", "negated", False, None),
    ("Military Detachment No. 4 reported that a terrorist was [killed].", "negated", False, None),  # a number
    # future, intended, conditional
    ("He believes the U.S. should continue [airstrikes] to disrupt IS.", "future", True, "should"),
    ("The children could have been [killed].", "future", True, "could"),
    ("The group has an interest in [attacking] both Egypt and Russia.", "future", True, "interest in"),
    ("Women are determined to come to the front line in order to execute the [attacks].", "future", True, "in order to"),
    ("That criticism was stoked by the threat of further [attacks] by Islamic State.", "future", True, "threat of"),
    ("The drone triggered fears of potential terrorist [attacks].", "future", True, "potential"),
    ("Police are concerned about the prospect of new [attacks].", "future", True, "prospect of"),
    ("The police have intelligence on leftist plans to [attack] police stations.", "future", True, "plans to"),
    ("The group makes no exceptions when it wants to [kill] someone.", "future", True, "wants to"),
    ("The rebels promised to [attack] the capital.", "future", True, "promised to"),
    ("The aircraft are capable of [dropping] bombs of 500 pounds.", "future", True, "capable of"),
    ("Investigators say he was involved in the attempted [murder] of presidential candidates.", "future", True, "attempted"),
    ("Police foiled an [attack] on the embassy.", "future", True, "foiled"),
    ("They were charged with conspiracy to [explode] bombs.", "future", True, "conspiracy to"),
    ("Al-Qaida [warned it would mount new attacks].", "future", True, "would"),   # a cue inside the event
    ("We will not be deterred by these [attacks].", "future", False, None),           # by
    ("As they tried to storm parliament, police in response [fired] tear gas at them.", "future", False, None),
    # hedged
    ("The town has a police force accused of fatally [shooting] an innocent black man.", "hedged", True, "accused of"),
    ("Police responded to multiple reports of a [shooting] at a graduation party.", "hedged", True, "reports of"),
    ("Reportedly, the rebels [attacked] the convoy.", "hedged", True, "Reportedly"),  # a sentence adverb
    ("The CIA reportedly believe the crown prince ordered Khashoggi's [killing].", "hedged", False, None),
]


@pytest.mark.parametrize("sentence, attribute, expected, cue", SCOPE_CASES)
def test_a_cue_counts_only_when_its_scope_reaches_the_event(sentence, attribute, expected, cue):
    found = governing_cue(sentence, attribute)
    assert (found is not None) == expected, found
    if expected:
        assert found["cue"] == cue


def test_breakers_inside_the_events_own_arguments_do_not_end_the_scope():
    text, (start, end), arguments = marked("Officials denied that [{the men who were arrested} fired] rockets.")
    assert event_attributes(CONFLICT_ATTRIBUTES, text, 0, start, end, arguments)[0]["negated"] is True
    text, (start, end), arguments = marked("Officials denied that the men who were arrested [fired] rockets.")
    assert event_attributes(CONFLICT_ATTRIBUTES, text, 0, start, end, arguments)[0]["negated"] is False


def test_provenance_names_the_cue_the_words_its_scope_covered_and_the_event_word():
    text, (start, end), _ = marked("The rebels did not [launch] the offensive.")
    _, [evidence] = event_attributes(CONFLICT_ATTRIBUTES, text, 0, start, end)
    assert evidence == {"attribute": "negated", "cue": "did not", "start": 11, "end": 18,
                        "scope": {"text": "did not launch", "start": 11, "end": 25}, "governs": "launch"}
    text, (start, end), args = marked("[{Al-Qaida} warned {it} would mount new attacks].")
    _, [evidence] = event_attributes(CONFLICT_ATTRIBUTES, text, 0, start, end, args)
    assert evidence["cue"] == "would" and evidence["governs"] == "warned"
    assert evidence["scope"]["text"] == "warned it would"


def test_the_pack_passes_the_events_arguments_to_the_attribute_step(pack):
    # "who" inside the attacker phrase does not end the scope of "denied"; the test pack's
    # Actor is a lexicon name, so the breaker sits in a relative clause the rule takes as its target
    text = "Officials denied Iran fired missiles at Erbil, which is in Iraq."
    found, event = attrs(pack, text)
    assert found == {"negated"}
    [cue] = event.provenance.attributes
    assert cue["governs"] == "fired" and text[cue["scope"]["start"]:cue["scope"]["end"]] == cue["scope"]["text"]


def test_a_pack_breaker_ends_the_scope_of_its_own_attribute_only(make_pack, lexicons):
    block = ("attributes:\n  negated: {cues: [not], breakers: [ensure]}\n"
             "  future: {cues: [vowed to]}\n")
    pack = rulex.load(make_pack({"rules.rulex": RULES, **lexicons}, MANIFEST + block), cache=False)
    found, _ = attrs(pack, "Tehran vowed to ensure Iran fires missiles at Erbil.")
    assert found == {"future"}
    found, _ = attrs(pack, "Tehran did not ensure Iran fires missiles at Erbil.")
    assert found == set()


# ---- any text: no exception, and every cue and scope lies inside the text ------------------------

PIECES = ["not", "no", "never", "did not", "would", "threat of", "in order to", "reportedly", "No.", "4",
          "that", "whether", "from", "attacking", "far from", "said", "but", "only", ",", ".", ";", ":",
          "(", ")", " - ", "\u2014", "\u2019", "didn\u2019t", "Iran", "fired", "\n", "  ", "-", "\u00a0", "\ufeff"]


def check_evidence(text, start, end, arguments):
    for sentence_start in (0, start):
        values, evidence = event_attributes(CONFLICT_ATTRIBUTES, text, sentence_start, start, end, arguments)
        assert set(values) == {a.name for a in CONFLICT_ATTRIBUTES}
        assert {e["attribute"] for e in evidence} == {name for name, on in values.items() if on}
        for e in evidence:
            assert 0 <= e["start"] < e["end"] <= len(text) and text[e["start"]:e["end"]] == e["cue"]
            scope = e["scope"]
            assert 0 <= scope["start"] <= scope["end"] <= len(text)
            assert text[scope["start"]:scope["end"]] == scope["text"]


@st.composite
def texts_with_an_event(draw, words: bool):
    if words:
        text = "".join(draw(st.lists(st.sampled_from(PIECES).map(lambda p: p + draw(st.sampled_from(["", " "]))),
                                     max_size=40)))
    else:
        text = draw(st.text(max_size=80))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    arguments = tuple(sorted(draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, len(text)))
                                           .map(sorted).map(tuple), max_size=3))))
    return text, start, end, arguments


@settings(max_examples=300, deadline=None)
@given(texts_with_an_event(words=True))
def test_any_text_of_cue_words_gives_cues_inside_the_text(case):
    check_evidence(*case)


@settings(max_examples=300, deadline=None)
@given(texts_with_an_event(words=False))
def test_any_text_gives_attributes_without_exceptions(case):
    check_evidence(*case)
