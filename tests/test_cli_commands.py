"""The CLI's run options (formats, jobs, errors, filters), explain and inspect, as real subprocesses."""
from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import MINI_PACK, SAMPLES
from .test_cli import lines, rulex

MISSED = "Iran launched a barrage of missiles at Erbil."
MATCHED = "Iran launched missiles against the base in Iraq."


def corpus(tmp_path, copies: int = 30):
    """A JSONL corpus of the sample articles, repeated, with a bad line, a bad UTF-8 line and an empty text."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    path = tmp_path / "corpus.jsonl"
    with path.open("wb") as fh:
        for i in range(copies):
            for j, text in enumerate(texts):
                fh.write(json.dumps({"id": f"d{i}-{j}", "text": text, "date": "2020-01-08"}).encode() + b"\n")
            if i == 3:
                fh.write(b'{"id": "broken", "text": "no end\n')
                fh.write(b'{"id": "latin1", "text": "caf\xe9"}\n')
                fh.write(b'{"id": "empty", "text": ""}\n')
    return path


def test_jobs_give_the_same_output_in_the_same_order(tmp_path):
    source = corpus(tmp_path)
    one = rulex("run", MINI_PACK, source, "-j", "1")
    two = rulex("run", MINI_PACK, source, "--jobs", "2")
    assert one.returncode == two.returncode == 1   # the two bad lines
    assert one.stdout == two.stdout and len(lines(one.stdout)) > 60
    assert one.stderr == two.stderr


def test_failed_documents_go_to_stderr_and_the_errors_file_and_the_rest_is_kept(tmp_path):
    source = corpus(tmp_path, copies=5)
    errors = tmp_path / "errors.jsonl"
    result = rulex("run", MINI_PACK, source, "--errors", errors)
    assert result.returncode == 1
    reported = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(r["source"].rsplit("/", 1)[1], r["code"]) for r in reported] == [
        ("corpus.jsonl:9", "input"), ("corpus.jsonl:10", "input")]
    assert "not valid JSON" in reported[0]["reason"] and "not valid UTF-8" in reported[1]["reason"]
    assert "corpus.jsonl:10: not valid UTF-8" in result.stderr
    assert {r["doc"] for r in lines(result.stdout)} == {f"d{i}-{j}" for i in range(5) for j in range(2)}
    quiet = rulex("run", MINI_PACK, source, "--errors", errors, "--quiet")
    assert quiet.returncode == 1 and "not valid" not in quiet.stderr and "2 document(s) failed" in quiet.stderr


def test_type_and_rule_filters(tmp_path):
    (tmp_path / "a.txt").write_text(MATCHED + " These missiles were launched from Iran and targeted the base.")
    every = {r["rule"] for r in lines(rulex("run", MINI_PACK, tmp_path / "a.txt").stdout)}
    assert every == {"mini.attack.launch", "mini.attack.passive_launch"}
    only = lines(rulex("run", MINI_PACK, tmp_path / "a.txt", "--rules", "mini.attack.passive*").stdout)
    assert {r["rule"] for r in only} == {"mini.attack.passive_launch"}
    assert lines(rulex("run", MINI_PACK, tmp_path / "a.txt", "--types", "Kill").stdout) == []
    assert len(lines(rulex("run", MINI_PACK, tmp_path / "a.txt", "--types", "Attack,Kill").stdout)) == 2
    bad = rulex("run", MINI_PACK, tmp_path / "a.txt", "--rules", "nothing.*")
    assert bad.returncode == 2 and "no rule of the pack matches" in bad.stderr


def test_formats_through_the_cli(tmp_path):
    (tmp_path / "a.txt").write_text(MATCHED)
    rows = list(csv.DictReader(io.StringIO(rulex("run", MINI_PACK, tmp_path / "a.txt", "-f", "csv").stdout)))
    assert {r["role"] for r in rows} == {"attacker", "weapon", "target", "place"}
    events = list(csv.DictReader(io.StringIO(
        rulex("run", MINI_PACK, tmp_path / "a.txt", "-f", "csv", "--csv-rows", "event").stdout)))
    assert len(events) == 1 and events[0]["text"] == MATCHED[:-1]
    page = rulex("run", MINI_PACK, tmp_path / "a.txt", "-f", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "Iran" in page
    assert rulex("run", MINI_PACK, tmp_path / "a.txt", "-f", "brat").returncode == 2   # brat needs -o DIR
    assert rulex("run", MINI_PACK, tmp_path / "a.txt", "-f", "brat", "-o", tmp_path / "b").returncode == 0
    assert (tmp_path / "b" / "a.ann").read_text().startswith("T1\tAttack ")


def test_a_summary_with_verbose_and_no_progress_bar_when_not_a_terminal(tmp_path):
    (tmp_path / "a.txt").write_text(MATCHED)
    assert rulex("run", MINI_PACK, tmp_path / "a.txt").stderr == ""
    verbose = rulex("run", MINI_PACK, tmp_path / "a.txt", "-v").stderr
    assert verbose.startswith("rulex: 1 documents, 1 matches, 0 failed")


def test_profile_counts_each_rule_where_it_was_tried_and_the_same_with_workers(tmp_path):
    text = (MATCHED + " " + MISSED + " These missiles were launched from Iran and targeted the base. "
            "Nothing happened here.")
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": text}) + "\n" for i in range(6)))
    plain = rulex("run", MINI_PACK, source)
    profiled = rulex("run", MINI_PACK, source, "--profile")
    workers = rulex("run", MINI_PACK, source, "--profile", "-j", "2")
    assert profiled.stdout == workers.stdout == plain.stdout
    assert plain.stderr == "" and "time in rules" in profiled.stderr

    def rows(stderr: str) -> dict[str, tuple[int, int]]:  # rule -> (sentences, matches)
        table = [line.split() for line in stderr.splitlines()[2:] if line.split()[-1].startswith("mini.")]
        return {row[-1]: (int(row[2]), int(row[4])) for row in table}
    # per document, attack.launch is tried in the two sentences holding an Actor, a form of
    # launch, a Weapon and against/on/at, and matches in one; passive_launch, one and one
    assert rows(profiled.stderr) == rows(workers.stderr) == {
        "mini.attack.launch": (12, 6), "mini.attack.passive_launch": (6, 6)}


def test_explain_shows_the_nearest_miss():
    result = rulex("explain", MINI_PACK, MISSED)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "tokens: Iran · launched · a · barrage · of · missiles · at · Erbil · ." in out
    assert 'found:  "Erbil" Place = Erbil' in out
    launch = out.split("mini.attack.launch", 1)[1].split("\n\n", 1)[0]
    assert '✗ no match: got 4 of 8 elements ("Iran launched")' in launch   # 2 of the 4 optional, absent
    assert 'then {weapon:Weapon} failed at "a" (char 14)' in launch
    assert "expected: a Weapon from lexicon `weapons`" in launch
    assert '{weapon:Weapon} does match "missiles" (27-35), 3 word(s) further on' in launch


def test_explain_shows_a_match_with_its_derivation():
    result = rulex("explain", MINI_PACK, MATCHED, "--rule", "attack.launch")
    out = result.stdout
    assert f'✓ matched "{MATCHED[:-1]}" (0-47)' in out
    assert 'attacker = "Iran" → Iran   [lexicon actors, entry Iran at' in out
    assert "mini.attack.strike_noun" not in out     # only the rule asked for


def test_explain_json_and_a_rule_that_is_not_tried():
    result = rulex("explain", MINI_PACK, MISSED, "--rule", "mini.attack.killed_in_strike", "--format", "json")
    data = json.loads(result.stdout)
    [report] = data["rules"]
    assert (report["status"], report["tried"]) == ("missed", False)
    miss = report["nearest_miss"]
    assert miss["failed_element"] and miss["expected"] and miss["reached"] < miss["elements"]
    assert data["tokens"][1] == {"start": 5, "end": 13, "text": "launched"}
    assert "not tried: none of its required words occur" in rulex(
        "explain", MINI_PACK, MISSED, "--rule", "attack.killed_in_strike").stdout


def test_explain_unknown_rule_is_a_usage_error():
    result = rulex("explain", MINI_PACK, MISSED, "--rule", "attack.lunch")
    assert result.returncode == 2 and "did you mean `attack.launch`?" in result.stderr


@pytest.mark.parametrize("stage, expected", [
    ("ast", "rule: attack.launch\n  pattern: {attacker:Actor} <launch|fire>"),
    ("regex", "anchors:   word:"),
    ("lexicons", "# places  (Place)"),
])
def test_inspect_each_stage(stage, expected):
    result = rulex("inspect", MINI_PACK, "--stage", stage)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    if stage == "regex":
        assert "regex:     (?<=" in result.stdout and "\uE000" not in result.stdout  # markers printed as escapes


def test_a_progress_bar_on_a_terminal(tmp_path):
    import os
    import pty
    import subprocess
    import sys
    (tmp_path / "a.txt").write_text(MATCHED)
    import fcntl
    import struct
    import termios
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a real terminal's size
    process = subprocess.Popen([sys.executable, "-m", "rulex", "run", str(MINI_PACK), str(tmp_path / "a.txt")],
                               stdout=subprocess.PIPE, stderr=secondary, text=True)
    os.close(secondary)
    out, _ = process.communicate(timeout=120)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    assert process.returncode == 0 and len(lines(out)) == 1
    text = seen.decode(errors="replace")
    assert "docs" in text and "matches=1" in text          # the bar, with documents/s and matches
    assert "rulex: 1 documents, 1 matches, 0 failed" in text  # and the summary, on a terminal


def test_explain_a_named_rule_on_a_text_without_a_sentence():
    """Found by mypy: the nearest miss of a named rule in blank text was None, and explain crashed."""
    result = rulex("explain", MINI_PACK, "   ", "--rule", "attack.launch")
    assert result.returncode == 0, result.stderr
    assert "mini.attack.launch" in result.stdout
    assert "✗ no match: the text has no sentence to try it on" in result.stdout
    as_json = json.loads(rulex("explain", MINI_PACK, "   ", "--rule", "attack.launch", "-f", "json").stdout)
    assert [(r["rule"], r["status"], r.get("nearest_miss")) for r in as_json["rules"]] == [
        ("mini.attack.launch", "missed", None)]
