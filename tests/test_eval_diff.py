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


def test_eval_text_report_names_the_rules(keyword_pack):
    out = rulex("eval", keyword_pack, GOLD).stdout
    assert "attack     mentions   P=" in out and "per rule (which rules make the false positives)" in out
    assert "kw.attack.word" in out


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
