"""rulex run's safety (issue 17, items 3, 4, 8, 9): an output is never one of the inputs; a lone
surrogate in a document fails that document in every format and the run goes on; a run killed
with SIGKILL is continued by --resume into exactly the output of an uninterrupted run; -q
--errors FILE says where the failures are listed."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from .conftest import MINI_PACK, ROOT, SAMPLES
from .test_cli import RULEX, lines, rulex

MATCHED = "Iran launched missiles against the base in Iraq."


# ---- an output that is an input -----------------------------------------------------------

def _corpus_file(path):
    path.write_text(json.dumps({"id": "a", "text": MATCHED}) + "\n", encoding="utf-8")
    return path


def _same_path(tmp_path):
    source = _corpus_file(tmp_path / "x.jsonl")
    return [source], source, source


def _symlink(tmp_path):
    source = _corpus_file(tmp_path / "x.jsonl")
    (tmp_path / "link.jsonl").symlink_to(source)
    return [source], tmp_path / "link.jsonl", source


def _symlinked_input(tmp_path):
    source = _corpus_file(tmp_path / "x.jsonl")
    (tmp_path / "link.jsonl").symlink_to(source)
    return [tmp_path / "link.jsonl"], source, source


def _hard_link(tmp_path):
    source = _corpus_file(tmp_path / "x.jsonl")
    os.link(source, tmp_path / "hard.jsonl")
    return [source], tmp_path / "hard.jsonl", source


def _inside_a_directory(tmp_path):
    (tmp_path / "corpus" / "deep").mkdir(parents=True)
    source = _corpus_file(tmp_path / "corpus" / "deep" / "x.jsonl")
    return [tmp_path / "corpus"], source, source


def _through_dotdot(tmp_path):
    (tmp_path / "corpus").mkdir()
    source = _corpus_file(tmp_path / "corpus" / "x.jsonl")
    return [tmp_path / "corpus"], tmp_path / "corpus" / ".." / "corpus" / "x.jsonl", source


@pytest.mark.parametrize("layout", [_same_path, _symlink, _symlinked_input, _hard_link, _inside_a_directory,
                                    _through_dotdot])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_output_that_is_an_input_is_a_usage_error_and_the_input_is_untouched(tmp_path, layout, fmt):
    inputs, output, source = layout(tmp_path)
    before = source.read_bytes()
    result = rulex("run", MINI_PACK, *inputs, "-f", fmt, "-o", output)
    assert result.returncode == 2, result.stderr
    assert "is the input" in result.stderr and "would destroy it" in result.stderr
    assert "Traceback" not in result.stderr
    assert source.read_bytes() == before
    assert not (tmp_path / f"{output.name}.rulex-run.json").exists()


def test_errors_file_that_is_an_input_and_a_brat_directory_holding_an_input(tmp_path):
    source = _corpus_file(tmp_path / "x.jsonl")
    before = source.read_bytes()
    errors = rulex("run", MINI_PACK, source, "-o", tmp_path / "out.jsonl", "--errors", source)
    assert errors.returncode == 2 and "--errors" in errors.stderr and "is the input" in errors.stderr
    brat = rulex("run", MINI_PACK, source, "-f", "brat", "-o", tmp_path)
    assert brat.returncode == 2 and "holds the input" in brat.stderr
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.jsonl"]   # nothing was written


def test_standard_input_redirected_from_the_output_file_is_refused(tmp_path):
    source = _corpus_file(tmp_path / "x.jsonl")
    before = source.read_bytes()
    with source.open("rb") as stdin:
        result = subprocess.run(RULEX + ["run", str(MINI_PACK), "-", "-o", str(source)], stdin=stdin,
                                capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "standard input" in result.stderr
    assert source.read_bytes() == before


# ---- a lone surrogate -------------------------------------------------------------------------

def _surrogate_corpus(tmp_path):
    """Three documents; the second has a lone surrogate inside what the pack matches, the
    fourth one in its id, the fifth one in a metadata field."""
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "text": MATCHED}),
        '{"id": "s", "text": "Iran\\ud800 launched missiles against the base in Iraq."}',
        json.dumps({"id": "b", "text": MATCHED}),
        '{"id": "bad\\udfff", "text": "Iran launched missiles against the base in Iraq."}',
        '{"id": "m", "text": "Iran launched missiles against the base in Iraq.", "title": "\\udc00"}',
        json.dumps({"id": "c", "text": MATCHED + " \U0001F600"}),   # a surrogate pair is fine
    ]) + "\n", encoding="ascii")
    return path


def _documents_in(fmt, out):
    if fmt == "jsonl":
        return {r["doc"] for r in lines(out.read_text(encoding="utf-8"))}
    if fmt == "csv":
        return {row["doc"] for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    if fmt == "text":
        return {line[3:].split(":")[0] for line in out.read_text(encoding="utf-8").splitlines()
                if line.startswith("== ")}
    if fmt == "html":
        text = out.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>")          # the report is whole
        return {doc for doc in ("a", "b", "c", "s", "m") if f'<h2 class="rx-docid">{doc}</h2>' in text}
    if fmt == "brat":
        return {p.stem for p in out.glob("*.ann")}
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "text", "html", "brat"])
def test_a_lone_surrogate_fails_its_document_and_the_run_goes_on(tmp_path, fmt):
    source = _surrogate_corpus(tmp_path)
    out = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
    errors = tmp_path / "errors.jsonl"
    result = rulex("run", MINI_PACK, source, "-f", fmt, "-o", out, "--errors", errors)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    assert "corpus.jsonl:2: not valid Unicode: a lone surrogate U+D800 in `text` at character 4 [input]" \
        in result.stderr
    assert _documents_in(fmt, out) == {"a", "b", "c"}
    reported = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [(r["source"].rsplit("/", 1)[1], r["doc"], r["code"]) for r in reported] == [
        ("corpus.jsonl:2", "s", "input"), ("corpus.jsonl:4", "bad\\udfff", "input"), ("corpus.jsonl:5", "m", "input")]
    assert "`title`" in reported[2]["reason"]
    assert "3 document(s) failed" in result.stderr


# ---- -q --errors FILE ----------------------------------------------------------------------------

def test_quiet_with_an_errors_file_points_at_the_file(tmp_path):
    source = _surrogate_corpus(tmp_path)
    errors = tmp_path / "errors.jsonl"
    quiet = rulex("run", MINI_PACK, source, "-q", "--errors", errors, "-o", tmp_path / "out.jsonl")
    assert quiet.returncode == 1
    assert quiet.stderr.strip() == f"rulex: 3 document(s) failed; listed in {errors}"
    loud = rulex("run", MINI_PACK, source, "--errors", errors, "-o", tmp_path / "out.jsonl")
    assert f"3 document(s) failed; see above and {errors}" in loud.stderr


# ---- kill -9, then --resume ------------------------------------------------------------------

DOCUMENTS = 1200


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """The sample articles many times over (a run of the mini pack takes a few seconds), with a
    bad line and a lone surrogate, so that failures are resumed too."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    folder = tmp_path_factory.mktemp("resume")
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(DOCUMENTS):
            fh.write(json.dumps({"id": f"d{i}", "text": texts[i % len(texts)], "date": "2020-01-08"}) + "\n")
            if i == 40:
                fh.write('{"id": "broken", "text": "no end\n')
            if i == DOCUMENTS - 10:
                fh.write('{"id": "lone", "text": "x\\udbff"}\n')
    return path


_REFERENCE: dict = {}


def _reference(corpus, fmt, folder):
    """Output and errors file of an uninterrupted run (computed once per format)."""
    if fmt not in _REFERENCE:
        out, errors = folder / f"reference.{fmt}", folder / f"reference-errors.{fmt}.jsonl"
        result = rulex("run", MINI_PACK, corpus, "-f", fmt, "-o", out, "--errors", errors, "-q")
        assert result.returncode == 1, result.stderr
        _REFERENCE[fmt] = (out.read_bytes(), errors.read_bytes(), result.stderr)
    return _REFERENCE[fmt]


def _state(out):
    return json.loads((out.parent / f"{out.name}.rulex-run.json").read_text(encoding="utf-8"))


def _kill_midway(args, out):
    """Start `rulex run`, SIGKILL it (and its workers) once a checkpoint past the start is on disk
    and before it ends."""
    proc = subprocess.Popen(RULEX + [str(a) for a in args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                done = _state(out)["progress"]["items"]
            except (OSError, ValueError, KeyError):
                done = 0
            if done > 0:
                break
            time.sleep(0.02)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed: make the corpus bigger"
    state = _state(out)
    assert not state["complete"] and 0 < state["progress"]["items"] < DOCUMENTS
    return state


@pytest.mark.parametrize("fmt,jobs", [("jsonl", 1), ("jsonl", 2), ("csv", 2), ("text", 1)])
def test_a_killed_run_resumed_is_byte_identical_to_an_uninterrupted_run(big_corpus, tmp_path, fmt, jobs):
    expected, expected_errors, expected_stderr = _reference(big_corpus, fmt, big_corpus.parent)
    out, errors = tmp_path / f"out.{fmt}", tmp_path / "errors.jsonl"
    args = ["run", MINI_PACK, big_corpus, "-f", fmt, "-o", out, "--errors", errors, "-q", "-j", jobs]
    state = _kill_midway(args, out)
    assert out.stat().st_size >= state["progress"]["output_bytes"] > 0
    assert expected.startswith(out.read_bytes()[:state["progress"]["output_bytes"]])
    with out.open("ab") as fh:        # as if the kill had cut a line in two
        fh.write(b'{"schema": 1, "doc": "d9' if fmt == "jsonl" else b"d9,mini.attack")
    resumed = rulex(*args, "--resume")
    assert resumed.returncode == 1, resumed.stderr
    assert out.read_bytes() == expected
    assert errors.read_bytes() == expected_errors
    assert resumed.stderr == expected_stderr.replace(str(big_corpus.parent / f"reference-errors.{fmt}.jsonl"),
                                                     str(errors))   # the same failures, counted in full
    assert resumed.stderr.strip() == f"rulex: 2 document(s) failed; listed in {errors}"
    final = _state(out)
    assert final["complete"] and final["progress"]["items"] == DOCUMENTS + 2
    again = rulex(*args, "--resume")          # a finished run resumed: nothing to add
    assert again.returncode == 1 and out.read_bytes() == expected


def test_resume_refuses_another_pack_other_inputs_or_options(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    source = _surrogate_corpus(tmp_path)
    out = tmp_path / "out.jsonl"
    first = rulex("run", pack, source, "-o", out)
    assert first.returncode == 1
    written = out.read_bytes()

    with (pack / "attack.rulex").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the pack's files\n")
    changed_pack = rulex("run", pack, source, "-o", out, "--resume")
    assert changed_pack.returncode == 2
    assert f"cannot resume {out}: the pack {pack} has changed since the interrupted run" in changed_pack.stderr
    assert out.read_bytes() == written
    other_pack = rulex("run", MINI_PACK, source, "-o", out, "--resume")
    assert other_pack.returncode == 2 and "the pack is not the same" in other_pack.stderr
    shutil.rmtree(pack)
    shutil.copytree(MINI_PACK, pack)
    os.utime(pack / "attack.rulex")     # the same bytes: the same pack
    assert rulex("run", pack, source, "-o", out, "--resume").returncode == 1

    more_inputs = rulex("run", pack, source, tmp_path / "other.jsonl", "-o", out, "--resume")
    assert more_inputs.returncode == 2 and "the inputs are not the same" in more_inputs.stderr
    with source.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "new", "text": MATCHED}) + "\n")
    changed_input = rulex("run", pack, source, "-o", out, "--resume")
    assert changed_input.returncode == 2
    assert f"the input {source} has changed since the interrupted run" in changed_input.stderr
    assert out.read_bytes() == written

    fresh = rulex("run", pack, source, "-o", out)       # without --resume: output and state replaced
    assert fresh.returncode == 1 and _state(out)["progress"]["items"] == 7
    option = rulex("run", pack, source, "-o", out, "--resume", "--types", "Kill")
    assert option.returncode == 2 and "the option types is not the same" in option.stderr
    budget = rulex("run", pack, source, "-o", out, "--resume", "--document-budget", "5000")
    assert budget.returncode == 2 and "the option document_budget is not the same" in budget.stderr


def test_resume_usage_errors(tmp_path):
    source = _corpus_file(tmp_path / "x.jsonl")
    for args, words in [
        (["-f", "html", "-o", tmp_path / "r.html"], "--resume cannot continue html output"),
        (["-f", "brat", "-o", tmp_path / "b"], "--resume cannot continue brat output"),
        ([], "--resume continues an output file"),
    ]:
        result = rulex("run", MINI_PACK, source, *args, "--resume")
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
    stdin = rulex("run", MINI_PACK, "-", "-o", tmp_path / "o.jsonl", "--resume", stdin="")
    assert stdin.returncode == 2 and "standard input" in stdin.stderr
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text("not ours\n")
    unknown = rulex("run", MINI_PACK, source, "-o", foreign, "--resume")
    assert unknown.returncode == 2 and "has no state file" in unknown.stderr
    assert foreign.read_text() == "not ours\n"
    nothing_yet = rulex("run", MINI_PACK, source, "-o", tmp_path / "new.jsonl", "--resume")  # starts afresh
    assert nothing_yet.returncode == 0 and len(lines((tmp_path / "new.jsonl").read_text())) == 1
