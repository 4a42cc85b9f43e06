"""Bounded cost (issue 17, items 4-6): hostile rule files give located diagnostics in seconds,
and a pathological document fails alone. Each test runs in a subprocess with a timeout, so a
regression fails instead of hanging the suite."""
from __future__ import annotations

import json
import subprocess
import sys

from .conftest import CONFLICT, ROOT

RULEX = [sys.executable, "-m", "rulex"]


def _check(tmp_path, rules: str, timeout: float = 30) -> list[dict]:
    """`rulex check --format json` of a pack of one rule file, within `timeout` seconds."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "rules.rulex").write_text(rules, encoding="utf-8")
    done = subprocess.run(RULEX + ["check", str(pack), "--format", "json"], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    assert done.returncode in (0, 2), done.stderr[-2000:]  # never 70, an internal error
    return json.loads(done.stdout)["diagnostics"]


def _errors(found: list[dict]) -> list[dict]:
    return [d for d in found if d["severity"] == "error"]


def test_sixteen_levels_of_doubling_defines_are_checked_in_seconds(tmp_path):
    defines = "define: d0 = boom\n" + "".join(f"define: d{i} = {{d{i - 1}}} {{d{i - 1}}}\n" for i in range(1, 17))
    found = _errors(_check(tmp_path, defines + "event: X\nrule: r\n  pattern: bang {d16}\n"))
    assert [(d["code"], d["line"]) for d in found] == [("RX404", 20)], found
    assert "rule `r`" in found[0]["message"] and "too large" in found[0]["message"]


def test_a_100_kb_pattern_line_is_reported_at_the_rule(tmp_path):
    line = " ".join(f"w{i}" for i in range(20000))[:100_000]
    found = _errors(_check(tmp_path, f"event: X\nrule: r\n  pattern: {line}\n"))
    assert [(d["code"], d["line"]) for d in found] == [("RX404", 3)], found


def test_a_line_of_100000_quotes_is_one_located_diagnostic(tmp_path):
    found = _errors(_check(tmp_path, "event: X\nrule: r\n  pattern: " + '"' * 100_000 + "\n"))
    assert sorted((d["code"], d["line"]) for d in found) == [("RX401", 3), ("RX404", 3)], found  # once each


def test_a_raw_regex_of_500_nested_groups_is_rx103(tmp_path):
    found = _errors(_check(tmp_path, "event: X\nrule: r\n  pattern: bang /" + "(" * 500 + "x" + ")" * 500 + "/\n"))
    assert [(d["code"], d["line"]) for d in found] == [("RX103", 3)], found


def test_patterns_nested_too_deeply_are_rx404_not_a_recursion_error(tmp_path):
    found = _errors(_check(tmp_path, "event: X\nrule: r\n  pattern: bang " + "(a " * 2000 + "x" + ")?" * 2000 + "\n"))
    assert [(d["code"], d["line"]) for d in found] == [("RX404", 3)], found


def test_a_long_chain_of_defines_is_reported_at_the_rule(tmp_path):
    defines = "define: c0 = boom\n" + "".join(f"define: c{i} = {{c{i - 1}}} x{i}\n" for i in range(1, 400))
    found = _errors(_check(tmp_path, defines + "event: X\nrule: r\n  pattern: bang {c399}\n"))
    assert [(d["code"], d["line"]) for d in found] == [("RX404", 403)], found


def test_huge_repetition_bounds_are_rx403_or_rx103(tmp_path):
    found = _errors(_check(tmp_path, "event: X\nrule: r\n  pattern: bang x{0,4294967296}\n"
                                     "rule: s\n  pattern: bang /x{0,4294967296}/\n"))
    assert [(d["code"], d["line"]) for d in found] == [("RX403", 3), ("RX103", 5)], found


def test_a_pathological_document_fails_with_rx501_and_the_next_one_is_matched(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "bad", "text": "killed killed " * 64000}) + "\n" +
                    json.dumps({"id": "good", "text": "Gunmen killed three soldiers in Kabul on Tuesday."}) + "\n")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    done = subprocess.run(RULEX + ["run", str(CONFLICT), str(docs), "-o", str(out), "--errors", str(errors),
                                   "--document-budget", "2000", "-q"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 1, done.stderr[-2000:]
    [failure] = [json.loads(line) for line in errors.read_text().splitlines()]
    assert (failure["doc"], failure["code"]) == ("bad", "RX501") and "document_budget_ms" in failure["reason"]
    good = [json.loads(line) for line in out.read_text().splitlines() if json.loads(line)["doc"] == "good"]
    assert [m["rule"] for m in good] == ["conflict.kill.active"]
