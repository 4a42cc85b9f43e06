"""`rulex eval` agrees with the shared scorer and breaks the score down; `rulex diff` shows changes."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from .conftest import MINI_PACK, SAMPLES, SHARED
from .test_cli import rulex

GOLD = SHARED / "gold" / "wikievents_sentences.dev.jsonl"
KEYWORDS = """
event: Attack
rule: attack.word
  pattern: <attack|bomb|shoot|shell|strike>
  example: "Rebels shelled the town."

event: Kill
rule: kill.word
  pattern: {victim:Name}? <kill|die>
  example: "Smith died."
    victim = "Smith"
"""


@pytest.fixture
def keyword_pack(tmp_path):
    (tmp_path / "kw").mkdir()
    (tmp_path / "kw" / "rules.rulex").write_text(KEYWORDS)
    (tmp_path / "kw" / "pack.yaml").write_text("name: kw\n")
    return tmp_path / "kw"


@pytest.mark.skipif(not GOLD.exists(), reason="../shared/gold is not beside the project")
def test_eval_agrees_with_the_shared_scorer(keyword_pack, tmp_path):
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(rulex("run", keyword_pack, GOLD).stdout)
    official = json.loads(subprocess.run([sys.executable, SHARED / "tools" / "score_events.py", GOLD, predictions,
                                          "--json"], capture_output=True, text=True, check=True).stdout)
    errors = tmp_path / "errors.jsonl"
    ours = json.loads(rulex("eval", keyword_pack, GOLD, "--format", "json", "--errors", errors).stdout)
    for name in ("attack", "violence"):
        assert ours["scores"][name]["mentions"] == official[name]["mentions"]
        assert ours["scores"][name]["arguments"] == official[name]["arguments_of_matched"]
    assert ours["scores"]["attack"]["mentions"]["tp"] > 20          # the keywords do find attacks
    rules = ours["rules"]
    assert set(rules) == {"kw.attack.word", "kw.kill.word"}
    assert rules["kw.attack.word"]["predicted"] == ours["types"]["Attack"]["pred"]
    assert rules["kw.attack.word"]["correct"] == ours["types"]["Attack"]["tp"]
    assert ours["roles"]["victim"]["pred"] > 0
    listed = [json.loads(line) for line in errors.read_text().splitlines()]
    false = [e for e in listed if e["kind"] == "false_positive" and e["type"] == "Attack"]
    missed = [e for e in listed if e["kind"] == "miss" and e["type"] == "Attack"]
    assert len(false) == ours["types"]["Attack"]["pred"] - ours["types"]["Attack"]["tp"]
    assert len(missed) == ours["types"]["Attack"]["gold"] - ours["types"]["Attack"]["tp"]
    assert all(e["sentence"][e["start"]:e["end"]] in (e.get("text"), e.get("trigger")) for e in listed)
    # for matched events, each argument no gold argument of its role overlaps, and each gold one missed
    wrong = [e for e in listed if e["kind"] == "wrong_argument"]
    assert len(wrong) == sum(t["pred"] - t["tp"] for t in ours["roles"].values()) > 0
    missed_args = [e for e in listed if e["kind"] == "missed_argument"]
    assert missed_args and all(e["role"] in ours["roles"] and e["event"] in e["sentence"] for e in missed_args)


def test_eval_text_report_names_the_rules(keyword_pack):
    out = rulex("eval", keyword_pack, GOLD).stdout
    assert "attack     mentions   P=" in out and "per rule (which rules make the false positives)" in out
    assert "kw.attack.word" in out


def test_eval_scores_document_level_gold_per_document_and_gold_value(keyword_pack, tmp_path):
    # MUC-4 and GVDB shapes: events without triggers, values as lists or strings
    records = [
        {"id": "a", "doc_level": True, "text": "SMITH DIED WHEN REBELS SHELLED THE TOWN OF LIMA.",
         "events": [{"category": "attack", "trigger": None,
                     "arg_values": {"human_target_name": ["SMITH"], "location": ["PERU: LIMA (CITY)"],
                                    "perp_organization": ["-"]}}]},
        {"id": "b", "doc_level": True, "text": "Jones was shot in Kalamazoo.",
         "events": [{"category": "attack", "args": {"victim": "Brown", "city": "Kalamazoo"}}]},
        {"id": "c", "doc_level": True, "text": "The council met on Monday.", "events": []},
        {"id": "d", "doc_level": True, "text": "A bomb went off.", "events": []},
    ]
    gold = tmp_path / "docs.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in records))
    errors = tmp_path / "errors.jsonl"
    ours = json.loads(rulex("eval", keyword_pack, gold, "--format", "json", "--errors", errors).stdout)
    # attack found in a, b ("shot"), d ("bomb"); gold in a and b
    assert ours["documents"]["attack"] == {"p": 0.667, "r": 1.0, "f1": 0.8, "tp": 2, "pred": 3, "gold": 2}
    # the keyword pack gives only a Kill's victim, a Name: "SMITH" found, "Brown" not; no place role;
    # "-" is no value
    values = {key: (v["tp"], v["gold"]) for key, v in ours["values"].items()}
    assert values == {"human_target_name": (1, 1), "location": (0, 1), "victim": (0, 1), "city": (0, 1)}
    assert ours["scores"]["attack"]["mentions"]["gold"] == 0  # no sentence-level records
    text = rulex("eval", keyword_pack, gold).stdout
    assert "attack     documents  P=0.667 R=1.000" in text and "human_target_name" in text
    assert "per rule" not in text


def test_diff_shows_gained_lost_and_changed(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(MINI_PACK, old)
    shutil.copytree(MINI_PACK, new)
    rules = new / "attack.rulex"
    text = rules.read_text()
    text = text.replace("(against|on|at) {target:Phrase}", "(against|on|at) {target:Word}")   # shorter targets
    text = text.replace("{weapon:Weapon} (were|was) launched", "{weapon:Weapon} (were|was) fired")  # loses a rule
    rules.write_text(text)
    result = rulex("diff", old, new, SAMPLES, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    changes = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {(c["kind"], c["rule"]) for c in changes}
    assert ("lost", "attack.passive_launch") in kinds
    assert any(k == "lost" and r == "attack.launch" for k, r in kinds) or any(
        k == "changed" and r == "attack.launch" for k, r in kinds)
    assert all(c["sentence"] and c["text"] in c["sentence"] for c in changes)
    shown = rulex("diff", old, new, SAMPLES).stdout
    assert "attack.passive_launch" in shown and "  - " in shown and "in: " in shown
