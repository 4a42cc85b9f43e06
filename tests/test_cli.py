"""The command line, run as a real subprocess: run and check, their outputs and exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from .conftest import MINI_PACK, ROOT, SAMPLES, SHARED

RULEX = [sys.executable, "-m", "rulex"]


def rulex(*args, stdin: str | None = None, cwd: Path = ROOT):
    return subprocess.run(RULEX + [str(a) for a in args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env={**os.environ})


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared is not beside the project")
def test_run_on_the_sample_folder_gives_contract_jsonl():
    result = rulex("run", MINI_PACK, SAMPLES, "--date", "2020-01-08")
    assert result.returncode == 0, result.stderr
    records = lines(result.stdout)
    schema = json.loads((SHARED / "design" / "match.schema.json").read_text())
    for record in records:
        jsonschema.validate(record, schema)
    assert {r["doc"] for r in records} == {"000_e8770538015dd795", "004_7499e0a153427b2d"}
    keys = [(r["doc"], r["start"], r["rule"]) for r in records]
    assert keys == sorted(keys)  # input order, then start, then rule
    launch = next(r for r in records if r["rule"] == "mini.attack.launch")
    assert launch["args"]["count"]["value"]["min"] == 13


def test_run_reads_txt_jsonl_and_stdin_and_carries_metadata(tmp_path):
    (tmp_path / "a.txt").write_text("Iran launched missiles against the base.")
    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": "j1", "text": "Iran fired missiles at Erbil.",
                                                     "date": "2020-01-08", "source": "wire"}) + "\n")
    result = rulex("run", MINI_PACK, tmp_path / "a.txt", tmp_path / "docs.jsonl", "-",
                   stdin=json.dumps({"id": "s1", "text": "Iran launched missiles on the base."}) + "\n")
    assert result.returncode == 0, result.stderr
    records = lines(result.stdout)
    assert [r["doc"] for r in records] == ["a", "j1", "s1"]
    assert records[1]["meta"] == {"source": "wire"}


def test_bad_documents_are_reported_and_the_run_goes_on(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "1_bad.txt").write_bytes(b"Iran launched missiles against \xff\xfe the base.")
    (corpus / "2_empty.txt").write_text("")
    (corpus / "3_docs.jsonl").write_text('{"id": "ok", "text": "Iran launched missiles against the base."}\n'
                                         "{not json\n"
                                         '{"id": "no-text"}\n')
    (corpus / "4_good.txt").write_text("Iran fired missiles at the base.")
    result = rulex("run", MINI_PACK, corpus)
    assert result.returncode == 1
    assert [r["doc"] for r in lines(result.stdout)] == ["ok", "4_good"]
    assert "1_bad.txt: not valid UTF-8" in result.stderr
    assert "3_docs.jsonl:2: not valid JSON" in result.stderr
    assert "3_docs.jsonl:3: a JSONL document must be an object with a string `text`" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_is_clean_on_the_conflict_pack():
    result = rulex("check", MINI_PACK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stderr


def test_check_reports_every_error_with_snippet_and_exits_2(tmp_path):
    (tmp_path / "bad.rulex").write_text("event: Attack\nrule: a\n  pattern: fired {w:Wepon}\n"
                                        "rule: a\n  pattern: (open\n")
    result = rulex("check", tmp_path / "bad.rulex", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    first_error = next(i for i, line in enumerate(lines) if ": error: " in line)
    assert lines[first_error:first_error + 4] == [
        "bad.rulex:3:21: error: unknown type `Wepon`  [RX301]",
        "  |",
        "3 |   pattern: fired {w:Wepon}",
        "  |                     ^^^^^",
    ]
    assert "RX101" in result.stdout and "Traceback" not in result.stderr


def test_check_json_format(tmp_path):
    (tmp_path / "bad.rulex").write_text("event: Attack\nrule: a\n  pattern: fired _*\n")
    result = rulex("check", "--format", "json", tmp_path / "bad.rulex", cwd=tmp_path)
    assert result.returncode == 2
    [diagnostic] = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert diagnostic == {"code": "RX402", "severity": "error", "message": "unbounded gap", "file": "bad.rulex",
                          "line": 3, "col": 18, "end_line": 3, "end_col": 20,
                          "hint": diagnostic["hint"]}


def test_run_with_a_broken_pack_exits_2_without_traceback(tmp_path):
    (tmp_path / "bad.rulex").write_text("event: Attack\nrule: a\n  pattern: (\n")
    (tmp_path / "doc.txt").write_text("text")
    result = rulex("run", tmp_path / "bad.rulex", tmp_path / "doc.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert "RX101" in result.stderr and "nothing was run" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args,words", [
    (["run", "nope-pack", "x.txt"], "does not exist"),
    (["run", MINI_PACK, "x.txt", "--date", "2020-13-45"], "is not YYYY-MM-DD"),
    (["frobnicate"], "No such command"),
])
def test_usage_errors_exit_2(args, words):
    result = rulex(*args)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_huge_and_empty_documents(tmp_path):
    doc = tmp_path / "huge.jsonl"
    sentence = "Iran launched missiles against the base. "
    blob = "word " * 200_000  # one 1 MB sentence with no punctuation
    doc.write_text(json.dumps({"id": "big", "text": sentence * 2000 + blob + sentence}) + "\n"
                   + json.dumps({"id": "empty", "text": ""}) + "\n"
                   + json.dumps({"id": "space", "text": "   \n\n "}) + "\n")
    result = rulex("run", MINI_PACK, doc)
    assert result.returncode == 0, result.stderr
    assert len(lines(result.stdout)) == 2001
