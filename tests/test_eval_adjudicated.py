"""`rulex eval` on adjudicated gold: the figures and misses of the shared score_adjudicated.py,
per role and per rule too. Each pack runs once per module (module-scoped fixtures)."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rulex.evaluate import detect_format

from .conftest import CONFLICT, SHARED
from .test_cli import rulex

DEV = SHARED / "gold" / "adjudicated" / "adjudicated_sentences.dev.jsonl"
SCORER = SHARED / "tools" / "score_adjudicated.py"
needs_shared = pytest.mark.skipif(not (DEV.exists() and SCORER.exists()),
                                  reason="../shared (adjudicated gold and score_adjudicated.py) is not beside the project")

# A small frozen pack, so the hand-made records below have known predictions.
PACK_FILES = {
    "pack.yaml": """\
name: adj
attributes:
  negated: {cues: ["not"]}
  future: {cues: ["will"]}
""",
    "rules.rulex": """\
event: Attack

rule: attack.shell
  pattern: {attacker:Name} (did not|will)? <shell> {target:Name} (on {time:Time})?
  example: "Rebels shelled Homs on Monday."

rule: attack.rockets
  pattern: {attacker:Name} fired {count:Quantity} rockets
  example: "Rebels fired 3 rockets."

event: Kill

rule: kill.people
  pattern: {casualties:Quantity} people (were|was) killed
  example: "12 people were killed."
""",
}


def at(text: str, words: str, nth: int = 0) -> list[int]:
    """The span of the nth occurrence of `words` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return [start, start + len(words)]


def event(type_: str, trigger: list[int], args: dict | None = None, **attrs) -> dict:
    return {"type": type_, "trigger": trigger, "args": args or {},
            "attrs": {"negated": False, "hedged": False, "future": False, "generic": False, **attrs}}


def hand_made_records() -> list[dict]:
    """One record per counting rule; the comments say what the pack finds and what counts."""
    r1 = "Rebels shelled Homs on Monday."
    r2 = "Rebels fired 3 rockets and 12 people were killed."
    r3 = "Rebels did not shell Homs. Rebels will shell Hama. Rebels shelled Idlib."
    r4 = "Rebels shelled Homs and Rebels shelled Hama."
    r5 = "Rebels shelled Homs."
    return [
        # the pack: attacker Rebels, target Homs, time Monday = 2016-03-07 (from doc_date only)
        {"id": "r1", "doc_date": "2016-03-10", "text": r1, "events": [
            event("Attack", at(r1, "shelled"), {"attacker": [{"span": at(r1, "Rebels")}],
                                                "place": [{"span": at(r1, "Homs")}],   # not target: wrong role
                                                "time": [{"span": at(r1, "Monday"), "value": "2016-03-07"}]})]},
        # values: a quantity's approximate=false is no difference; 12 against 12..13 is
        {"id": "r2", "doc_date": None, "text": r2, "events": [
            event("Attack", at(r2, "fired"), {
                "attacker": [{"span": at(r2, "Rebels")}],
                "count": [{"span": at(r2, "3"), "value": {"min": 3, "max": 3, "approximate": False}}]}),
            event("Kill", at(r2, "killed"), {
                "victim": [{"span": at(r2, "12 people")}],
                "casualties": [{"span": at(r2, "12"), "value": {"min": 12, "max": 13, "approximate": False}}]},
                  injury=False),
            event("Claim", at(r2, "fired"))]},                       # not Attack or Kill: left out
        # negated and future left out on both sides: the pack's negated and future attacks, the
        # gold negated one and the gold future one; left: a missed gold and a spurious prediction
        {"id": "r3", "doc_date": None, "text": r3, "events": [
            event("Attack", at(r3, "shell"), negated=True),
            event("Attack", at(r3, "shell", 1)),
            event("Attack", at(r3, "shelled"), future=True)]},
        # each gold matched once, in the scorer's greedy order: the first prediction takes A,
        # the first gold event it overlaps; the second overlaps only A (and a Kill: other type)
        {"id": "r4", "doc_date": None, "text": r4, "events": [
            event("Attack", [at(r4, "Homs")[0], at(r4, "shelled", 1)[1]]),                 # A
            event("Attack", at(r4, "shelled")),                                            # B
            event("Kill", at(r4, "shelled", 1), injury=True)]},
        # spans are [start, end): a trigger right after the prediction does not overlap it
        {"id": "r5", "doc_date": None, "text": r5, "events": [event("Attack", at(r5, "."))]},
    ]


@dataclass(frozen=True)
class Scored:
    """What `rulex eval` said about one gold file: its JSON, text and errors file."""
    ours: dict
    text: str
    errors: list[dict]


@dataclass(frozen=True)
class Official:
    """What score_adjudicated.py said about `rulex run` output on the same gold."""
    figures: dict
    misses: list[dict]


@dataclass(frozen=True)
class Both:
    """The two scorers on the same gold and pack."""
    ours: Scored
    theirs: Official


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def eval_json(pack: Path, gold: Path, errors: Path) -> dict:
    result = rulex("eval", pack, gold, "--format", "json", "--errors", errors)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def official(pack: Path, gold: Path, tmp: Path) -> Official:
    """The documented way: the scorer makes the input, `rulex run` matches it, the scorer scores."""
    scorer = [sys.executable, str(SCORER)]
    subprocess.run(scorer + ["--make-input", str(gold), str(tmp / "in.jsonl")], check=True)
    run = rulex("run", pack, tmp / "in.jsonl", "--quiet")
    assert run.returncode == 0, run.stderr
    (tmp / "out.jsonl").write_text(run.stdout, encoding="utf-8")
    figures = subprocess.run(scorer + [str(gold), str(tmp / "out.jsonl"), "--json", "--misses", str(tmp / "misses.jsonl")],
                             capture_output=True, text=True, check=True).stdout
    return Official(json.loads(figures), read_jsonl(tmp / "misses.jsonl"))


@pytest.fixture(scope="module")
def small_pack(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("adj") / "pack"
    root.mkdir()
    for name, text in PACK_FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hand_made(small_pack, tmp_path_factory) -> Scored:
    tmp = tmp_path_factory.mktemp("hand_made")
    gold = tmp / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in hand_made_records()), encoding="utf-8")
    ours = eval_json(small_pack, gold, tmp / "errors.jsonl")
    text = rulex("eval", small_pack, gold).stdout
    return Scored(ours, text, read_jsonl(tmp / "errors.jsonl"))


@pytest.fixture(scope="module")
def dev(tmp_path_factory) -> Both:
    if not (DEV.exists() and SCORER.exists()):
        pytest.skip("../shared (adjudicated gold and score_adjudicated.py) is not beside the project")
    tmp = tmp_path_factory.mktemp("dev")
    ours = eval_json(CONFLICT, DEV, tmp / "errors.jsonl")
    return Both(Scored(ours, "", read_jsonl(tmp / "errors.jsonl")), official(CONFLICT, DEV, tmp))


def figures(tp: int, pred: int, gold: int) -> dict:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "pred": pred, "gold": gold}


# ---- the real dev set with the real pack: every number as the shared scorer gives it ---------

def test_eval_gives_every_figure_of_the_shared_scorer_on_the_dev_set(dev):
    ours, theirs = dev.ours, dev.theirs
    assert ours.ours["format"] == "adjudicated"
    assert ours.ours["records"] == len(read_jsonl(DEV))
    assert set(ours.ours["scores"]) == set(theirs.figures) == {"Attack", "Kill", "all"}
    for name, parts in theirs.figures.items():
        assert set(ours.ours["scores"][name]) == set(parts) == {"mentions", "arguments", "values"}
        for part, numbers in parts.items():
            assert ours.ours["scores"][name][part] == numbers, (name, part)
    assert theirs.figures["all"]["mentions"]["tp"] > 0


def test_per_role_and_per_rule_counts_add_up_to_the_totals_on_the_dev_set(dev):
    ours = dev.ours.ours
    total = ours["scores"]["all"]
    for part in ("arguments", "values"):
        for key in ("tp", "pred", "gold"):
            assert sum(role[key] for role in ours["roles"][part].values()) == total[part][key], (part, key)
    for part in ("mentions", "arguments", "values"):
        for key in ("tp", "pred"):
            assert sum(rule[part][key] for rule in ours["rules"].values()) == total[part][key], (part, key)
    assert all(rule.startswith("conflict.") for rule in ours["rules"])


def test_errors_file_lists_the_shared_scorers_misses_with_the_rule_on_the_dev_set(dev):
    ours, theirs = dev.ours, dev.theirs
    assert len(ours.errors) == len(theirs.misses) > 0
    for mine, miss in zip(ours.errors, theirs.misses):
        assert {key: mine[key] for key in miss} == miss
        assert ("rule" in mine) == (mine["kind"] != "missed_mention")
    assert {e["rule"] for e in ours.errors if "rule" in e} <= set(ours.ours["rules"])


# ---- hand-made records: each counting rule ------------------------------------------------------

def test_mentions_overlap_type_negated_future_and_one_match_per_gold(hand_made):
    scores = hand_made.ours["scores"]
    # Attack gold: r1, r2, r3 (the real one), r4 A and B, r5; predicted: r1, r2, r3 (Idlib),
    # r4 twice, r5; matched: r1, r2, r4's first (the greedy order leaves B unmatched)
    assert scores["Attack"]["mentions"] == figures(3, 6, 6)
    assert scores["Kill"]["mentions"] == figures(1, 1, 2)
    assert scores["all"]["mentions"] == figures(4, 7, 8)


def test_arguments_count_when_role_equal_and_spans_overlap(hand_made):
    scores = hand_made.ours["scores"]
    # r1: attacker and time right, target (gold: place) wrong; r2: attacker and count right;
    # r4's matched pair: A has no arguments, so the pack's two are wrong
    assert scores["Attack"]["arguments"] == figures(4, 7, 5)
    assert scores["Kill"]["arguments"] == figures(1, 1, 2)   # casualties right, victim missed
    assert scores["all"]["arguments"] == figures(5, 8, 7)


def test_values_compare_quantities_by_min_max_approximate_and_times_by_text(hand_made):
    scores = hand_made.ours["scores"]
    assert scores["Attack"]["values"] == figures(2, 2, 2)    # r1's time from doc_date, r2's count
    assert scores["Kill"]["values"] == figures(0, 1, 1)      # 12 is not 12..13
    assert scores["all"]["values"] == figures(2, 3, 3)


def test_per_role_counts(hand_made):
    roles = hand_made.ours["roles"]
    assert {role: (f["tp"], f["pred"], f["gold"]) for role, f in roles["arguments"].items()} == {
        "attacker": (2, 3, 2), "target": (0, 2, 0), "place": (0, 0, 1), "time": (1, 1, 1),
        "count": (1, 1, 1), "casualties": (1, 1, 1), "victim": (0, 0, 1)}
    assert {role: (f["tp"], f["pred"], f["gold"]) for role, f in roles["values"].items()} == {
        "time": (1, 1, 1), "count": (1, 1, 1), "casualties": (0, 1, 1)}
    assert roles["arguments"]["attacker"] == figures(2, 3, 2)


def test_per_rule_counts_leave_out_negated_and_future_predictions(hand_made):
    rules = {rule: {part: (f["tp"], f["pred"]) for part, f in parts.items()}
             for rule, parts in hand_made.ours["rules"].items()}
    assert rules == {
        "adj.attack.shell": {"mentions": (2, 5), "arguments": (2, 5), "values": (1, 1)},
        "adj.attack.rockets": {"mentions": (1, 1), "arguments": (2, 2), "values": (1, 1)},
        "adj.kill.people": {"mentions": (1, 1), "arguments": (1, 1), "values": (0, 1)}}
    assert hand_made.ours["rules"]["adj.attack.shell"]["mentions"]["p"] == 0.4


def test_errors_file_lists_each_miss_with_its_sentence_and_rule(hand_made):
    shell, kill = "adj.attack.shell", "adj.kill.people"
    listed = [(e["id"], e["kind"], e.get("role") or e["type"], e.get("rule")) for e in hand_made.errors]
    assert listed == [
        ("r1", "spurious_argument", "target", shell), ("r1", "missed_argument", "place", shell),
        ("r2", "missed_argument", "victim", kill), ("r2", "wrong_value", "casualties", kill),
        ("r2", "missed_value", "casualties", kill),
        ("r3", "spurious_mention", "Attack", shell), ("r3", "missed_mention", "Attack", None),
        ("r4", "spurious_argument", "attacker", shell), ("r4", "spurious_argument", "target", shell),
        ("r4", "spurious_mention", "Attack", shell), ("r4", "missed_mention", "Attack", None),
        ("r4", "missed_mention", "Kill", None),
        ("r5", "spurious_mention", "Attack", shell), ("r5", "missed_mention", "Attack", None)]
    texts = {r["id"]: r["text"] for r in hand_made_records()}
    for error in hand_made.errors:
        assert error["sentence"] == texts[error["id"]]
        for key in ("span", "trigger"):
            if key in error:
                assert error[key + "_text"] == error["sentence"][error[key][0]:error[key][1]]
    wrong, missed = (e for e in hand_made.errors if e["kind"] in ("wrong_value", "missed_value"))
    assert wrong["value"] == {"min": 12, "max": 12} and missed["value"]["max"] == 13
    assert [e["injury"] for e in hand_made.errors if e["kind"] == "missed_mention"] == [False, False, True, False]
    assert hand_made.errors[1]["trigger_text"] == "shelled" and hand_made.errors[0]["span_text"] == "Homs"


def test_text_report_gives_figures_per_type_role_and_rule(hand_made):
    text = hand_made.text
    assert "5 gold records (adjudicated" in text
    assert "Attack  mentions   P=0.500 R=0.500 F1=0.500  (tp 3, pred 6, gold 6)" in text
    assert "all     values     P=0.667 R=0.667 F1=0.667  (tp 2, pred 3, gold 3)" in text
    assert "per role (arguments" in text and "per role (values" in text and "per rule" in text
    rule_line = next(line for line in text.splitlines() if "adj.attack.shell" in line)
    assert rule_line.split() == ["adj.attack.shell", "mentions", "2", "of", "5", "arguments", "2", "of", "5",
                                 "values", "1", "of", "1"]


@needs_shared
def test_hand_made_figures_and_misses_are_the_shared_scorers(small_pack, hand_made, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in hand_made_records()), encoding="utf-8")
    theirs = official(small_pack, gold, tmp_path)
    assert hand_made.ours["scores"] == theirs.figures
    assert [{key: mine[key] for key in miss} for mine, miss in zip(hand_made.errors, theirs.misses)] == theirs.misses
    assert len(hand_made.errors) == len(theirs.misses)


# ---- the format: told from the records, or named ------------------------------------------------

def test_format_is_told_from_the_first_record_with_events():
    adjudicated = hand_made_records()
    third_party = {"id": "w", "text": "x", "events": [{"type": "Conflict.Attack", "category": "attack",
                                                       "trigger": "attack", "trigger_span": [0, 6], "arg_list": []}]}
    assert detect_format(adjudicated) == "adjudicated"
    assert detect_format([{"id": "e", "text": "x", "events": []}, *adjudicated]) == "adjudicated"
    assert detect_format([third_party, *adjudicated]) == "events"
    assert detect_format([{"id": "e", "text": "x", "events": []}]) == "events"


def test_gold_format_option_and_mapping(small_pack, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in hand_made_records()[:2]), encoding="utf-8")
    named = json.loads(rulex("eval", small_pack, gold, "--gold-format", "adjudicated", "--format", "json").stdout)
    assert named["format"] == "adjudicated" and named["scores"]["all"]["mentions"]["tp"] == 3
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("types: {Attack: attack}\n")
    refused = rulex("eval", small_pack, gold, "--mapping", mapping)
    assert refused.returncode == 2 and "--mapping" in refused.stderr
    assert "../shared" not in rulex("eval", "--help").stdout
