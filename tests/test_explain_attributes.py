"""`rulex explain` says why each true attribute is true: the cue and the word it governs, or the rule's `set:`."""
from __future__ import annotations

import rulex
from rulex.explain import explain, render
from rulex.pack import resolve_pack

from .conftest import ROOT

NEWS = ROOT / "docs" / "examples" / "news"          # the cookbook's pack: cue attributes and `set: injury = true`
EXAMPLES = ROOT / "grammar" / "examples"            # the spec's pack: `set: injury = true, severity = "light"`


def _attrs_lines(pack_dir, sentence: str, rule: str) -> list[str]:
    """The `attrs:` lines that `rulex explain PACK SENTENCE --rule RULE` prints for the rule's matches."""
    explanation = explain(rulex.load(pack_dir), resolve_pack(pack_dir), sentence, rule_ids=[rule])
    [report] = explanation.rules
    assert report.status == "matched", report
    return [line.strip() for line in render(explanation).splitlines() if line.strip().startswith("attrs:")]


def test_a_cue_attribute_shows_its_cue_and_the_word_it_governs():
    lines = _attrs_lines(NEWS, "Tehran denied that the IRGC fired missiles at Erbil.", "attributes.fired")
    assert lines == ['attrs: negated (cue "denied", governs "fired")']


def test_an_attribute_set_by_the_rule_says_so_and_false_ones_are_left_out():
    sentence = "Tehran denied that the IRGC fired missiles at Erbil, wounding six people."
    # the comma ends the scope of "denied": the wounding is not negated, only an injury
    assert _attrs_lines(NEWS, sentence, "injuries.wounded") == ["attrs: injury (set by the rule)"]


def test_a_set_value_that_is_not_true_is_shown_with_its_value():
    lines = _attrs_lines(EXAMPLES, "Two soldiers were lightly wounded", "set.lightly_wounded")
    assert lines == ['attrs: injury (set by the rule), severity = "light" (set by the rule)']


def test_an_event_with_no_true_attribute_has_no_attrs_line():
    assert _attrs_lines(NEWS, "The IRGC fired missiles at Erbil.", "attributes.fired") == []
