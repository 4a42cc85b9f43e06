"""The CLI as a Unix tool (issue 18): text on stdin, --input-format, a closed pipe, NO_COLOR,
the same short flags everywhere, whole help summaries, `check --format json` for tools, and a
`make demo` that installs no system package. Real runs, in a shell where pipes matter."""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import click
import pytest

from rulex.cli import cli
from rulex.diagnostics import Diagnostic
from rulex.source import SourceFile

from .conftest import MINI_PACK, ROOT
from .test_cli import lines, rulex

MATCHED = "Iran fired missiles at Erbil."
RULEX_COMMAND = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "rulex"])


def shell(script: str, cwd=ROOT, **env: str) -> subprocess.CompletedProcess:
    """`script` run by bash, with $RULEX the rulex command and $PACK the mini pack."""
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "RULEX": RULEX_COMMAND, "PACK": str(MINI_PACK), **env})


# ---- stdin and --input-format ------------------------------------------------------------------

def test_plain_text_on_stdin_is_one_document():
    result = shell(f"echo {shlex.quote(MATCHED)} | $RULEX run \"$PACK\" -")
    assert result.returncode == 0, result.stderr
    [match] = lines(result.stdout)
    assert (match["doc"], match["rule"], match["start"]) == ("<stdin>", "mini.attack.launch", 0)
    assert match["args"]["weapon"]["text"] == "missiles"


def test_text_on_stdin_over_several_lines_and_starting_with_a_brace_is_text():
    text = "{draft}\n\n" + MATCHED + "\n"
    result = rulex("run", MINI_PACK, "-", stdin=text)
    assert result.returncode == 0, result.stderr
    [match] = lines(result.stdout)
    assert (match["doc"], match["start"]) == ("<stdin>", text.index("Iran"))


def test_jsonl_on_stdin_is_sniffed_after_blank_lines_and_its_bad_lines_keep_their_numbers():
    stdin = "\n  \n" + json.dumps({"id": "a", "text": MATCHED}) + "\n{broken\n" + json.dumps({"text": MATCHED}) + "\n"
    result = rulex("run", MINI_PACK, "-", stdin=stdin)
    assert result.returncode == 1
    assert [m["doc"] for m in lines(result.stdout)] == ["a", "<stdin>:5"]
    assert "rulex: <stdin>:4: not valid JSON" in result.stderr and "Traceback" not in result.stderr


def test_input_format_forces_text_or_jsonl_on_stdin_and_on_files(tmp_path):
    record = json.dumps({"id": "j1", "text": MATCHED})
    as_text = rulex("run", MINI_PACK, "-", "--input-format", "text", stdin=record + "\n")
    assert as_text.returncode == 0, as_text.stderr
    assert [(m["doc"], m["start"]) for m in lines(as_text.stdout)] == [("<stdin>", record.index("Iran"))]
    (tmp_path / "records.txt").write_text(record + "\n")
    (tmp_path / "plain.jsonl").write_text(MATCHED + "\n")
    as_jsonl = rulex("run", MINI_PACK, tmp_path / "records.txt", "--input-format", "jsonl")
    assert as_jsonl.returncode == 0, as_jsonl.stderr
    assert [m["doc"] for m in lines(as_jsonl.stdout)] == ["j1"]
    forced = rulex("run", MINI_PACK, tmp_path / "plain.jsonl", "--input-format", "text")
    assert [m["doc"] for m in lines(forced.stdout)] == ["plain"]
    by_suffix = rulex("run", MINI_PACK, tmp_path / "plain.jsonl")
    assert by_suffix.returncode == 1 and "plain.jsonl:1: not valid JSON" in by_suffix.stderr
    wrong = rulex("run", MINI_PACK, "-", "--input-format", "xml", stdin="")
    assert wrong.returncode == 2 and "--input-format" in wrong.stderr


def test_bad_utf8_text_on_stdin_is_reported_without_a_traceback():
    result = subprocess.run([sys.executable, "-m", "rulex", "run", str(MINI_PACK), "-"], capture_output=True,
                            input=b"Iran fired \xff missiles at Erbil.\n")
    assert result.returncode == 1 and result.stdout == b""
    stderr = result.stderr.decode()
    assert "rulex: <stdin>: not valid UTF-8 (byte offset 11) [input]" in stderr and "Traceback" not in stderr


def test_a_lone_surrogate_in_jsonl_on_stdin_fails_that_document_only():
    stdin = '{"id": "bad", "text": "\\ud800 Iran"}\n' + json.dumps({"id": "ok", "text": MATCHED}) + "\n"
    result = rulex("run", MINI_PACK, "-", stdin=stdin)
    assert result.returncode == 1
    assert [m["doc"] for m in lines(result.stdout)] == ["ok"]
    assert "<stdin>:1 (document bad): not valid Unicode: a lone surrogate U+D800" in result.stderr


def test_diff_reads_text_on_stdin_too():
    result = rulex("diff", MINI_PACK, MINI_PACK, "-", stdin=MATCHED + "\n")
    assert result.returncode == 0 and result.stdout == "", result.stderr
    assert result.stderr == "0 gained, 0 lost, 0 changed\n"
    forced = rulex("diff", MINI_PACK, MINI_PACK, "-", "--input-format", "jsonl", stdin=MATCHED + "\n")
    assert forced.returncode == 1 and "<stdin>:1: not valid JSON" in forced.stderr


def test_a_named_pipe_is_read_like_stdin():
    result = shell(f"$RULEX run \"$PACK\" <(printf %s {shlex.quote(MATCHED)}) "
                   f"<(echo {shlex.quote(json.dumps({'id': 'p2', 'text': MATCHED}))})")
    assert result.returncode == 0, result.stderr
    assert [m["doc"] for m in lines(result.stdout)][1:] == ["p2"] and len(lines(result.stdout)) == 2


# ---- a closed pipe -----------------------------------------------------------------------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_reader_that_stops_early_ends_rulex_quietly_by_sigpipe(tmp_path, jobs):
    corpus = tmp_path / "big.jsonl"   # ~3.6 MB of output: far more than a pipe holds
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": MATCHED}) + "\n" for i in range(3000)))
    result = shell(f'$RULEX run "$PACK" {shlex.quote(str(corpus))} -j {jobs} | head -1; '
                   'echo "rulex exit ${PIPESTATUS[0]}" >&2')
    assert len(lines(result.stdout)) == 1
    assert result.stderr == "rulex exit 141\n"   # 128 + SIGPIPE, as `yes | head -1`, and no message


def test_yes_ends_the_same_way():
    """The convention the test above holds rulex to, as coreutils follow it here."""
    result = shell('yes | head -1 >/dev/null; echo "${PIPESTATUS[0]}"')
    assert result.stdout == "141\n"


# ---- colour ------------------------------------------------------------------------------------

def on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What `rulex ARGS` writes to stdout when stdout is a terminal."""
    import pty
    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "rulex", *args], stdout=secondary,
                               stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:   # EIO: the other end closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    process.wait(timeout=120)
    return seen.decode(errors="replace")


@pytest.mark.parametrize("no_color,coloured", [(None, True), ("", True), ("1", False), ("0", False)])
def test_no_color_set_to_anything_but_empty_turns_colour_off(no_color, coloured):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    for args in (["test", str(MINI_PACK)], ["explain", str(MINI_PACK), MATCHED]):
        out = on_a_terminal(args, env)
        assert "mini" in out
        assert ("\x1b[" in out) is coloured, (args, out[:300])


def test_an_explicit_color_flag_wins_over_no_color():
    result = subprocess.run([sys.executable, "-m", "rulex", "explain", str(MINI_PACK), MATCHED, "--color"],
                            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0 and "\x1b[" in result.stdout


# ---- options and help --------------------------------------------------------------------------

SHORT_FLAGS = {"--format": "-f", "--output": "-o", "--quiet": "-q", "--verbose": "-v", "--jobs": "-j"}


def test_the_same_short_flag_for_the_same_option_in_every_command():
    meaning: dict[str, set[str]] = {}
    for name, command in cli.commands.items():
        for option in command.params:
            if not isinstance(option, click.Option):
                continue
            long = [o for o in option.opts if o.startswith("--")]
            short = [o for o in option.opts if not o.startswith("--")]
            for flag in short:
                meaning.setdefault(flag, set()).update(long)
            for flag in long:
                if flag in SHORT_FLAGS:
                    assert SHORT_FLAGS[flag] in short, f"rulex {name} {flag} has no {SHORT_FLAGS[flag]}"
    assert {flag: names for flag, names in meaning.items() if len(names) > 1} == {}


def test_command_summaries_are_whole_sentences():
    result = rulex("--help")
    listing = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert sorted(line.split()[0] for line in listing) == sorted(cli.commands)
    for line in listing:
        assert len(line) <= 80 and line.endswith(".") and not line.endswith("..."), line


def test_every_option_says_what_it_does_and_no_help_names_a_workspace_path():
    for name, command in cli.commands.items():
        for option in command.params:
            if isinstance(option, click.Option):
                assert option.help and option.help.rstrip().endswith((".", ")")), (name, option.opts)
        text = rulex(name, "--help").stdout
        assert "../" not in text and "shared" not in text, name


# ---- check --format json -----------------------------------------------------------------------

def test_check_json_is_one_versioned_object_with_start_and_end_positions(tmp_path):
    (tmp_path / "bad.rulex").write_text("event: Attack\nrule: a\n  pattern: fired {w:Wepon} _*\n")
    result = rulex("check", "-f", "json", tmp_path / "bad.rulex", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr == ""
    report = json.loads(result.stdout)
    assert sorted(report) == ["diagnostics", "errors", "schema", "warnings"] and report["schema"] == 1
    found = {d["code"]: d for d in report["diagnostics"]}
    assert report["errors"] == sum(d["severity"] == "error" for d in found.values()) == 2
    assert report["warnings"] == sum(d["severity"] == "warning" for d in found.values()) == 1
    line = "  pattern: fired {w:Wepon} _*"
    for code, text in (("RX301", "Wepon"), ("RX402", "_*")):
        col = line.index(text) + 1
        assert {k: found[code][k] for k in ("file", "line", "col", "end_line", "end_col")} == {
            "file": "bad.rulex", "line": 3, "col": col, "end_line": 3, "end_col": col + len(text)}


def test_a_span_over_two_lines_ends_on_the_second():
    source = SourceFile("f.rulex", "rule: a\n  pattern: one\n    two\n")
    start, end = source.text.index("one"), source.text.index("two") + 3
    found = Diagnostic("RX401", "empty", source.span(start, end)).to_dict({"f.rulex": source})
    assert (found["line"], found["col"], found["end_line"], found["end_col"]) == (2, 12, 3, 8)


# ---- make ---------------------------------------------------------------------------------------

def test_make_demo_installs_no_system_package_and_make_test_gets_the_browser():
    def planned(target: str) -> str:   # what make would run, whatever is already built (-B), run nothing (-n)
        done = subprocess.run(["make", "-n", "-B", target], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout
    demo = planned("demo")
    assert "rulex run rules/conflict" in demo and "pip install" in demo
    assert "apt-get" not in demo and "sudo" not in demo
    assert "apt-get install" in planned("test") and "apt-get" not in planned("setup")
