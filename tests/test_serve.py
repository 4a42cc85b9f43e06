"""`rulex serve`: the playground's API (rulex/serve/app.py) through Starlette's TestClient, and the
compile after an edit (rulex/serve/incremental.py) against a compile from scratch."""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rulex.diagnostics import DiagnosticBag
from rulex.loader import load as load_files
from rulex.loader import parse_rule_file
from rulex.serve import Session, create_app, local_hosts
from rulex.serve.incremental import IncrementalCompiler
from rulex.source import SourceFile

from .conftest import MINI_PACK, SAMPLES

HOST = "http://127.0.0.1:8765"
SENTENCE = "Iran launched more than a dozen ballistic missiles against U.S. military and coalition forces in Iraq"


@pytest.fixture
def pack(tmp_path) -> Path:
    """A copy of the mini pack, with a file of defines used by the other, to edit and save."""
    root = tmp_path / "pack"
    shutil.copytree(MINI_PACK, root)
    (root / "words.rulex").write_text("define: launch_verb = <launch|fire>\n")
    text = (root / "attack.rulex").read_text()
    (root / "attack.rulex").write_text(text.replace("{attacker:Actor} <launch|fire>", "{attacker:Actor} {launch_verb}", 1))
    return root


@pytest.fixture
def client(pack) -> TestClient:
    session = Session(pack, (str(SAMPLES),))
    return TestClient(create_app(session, local_hosts("127.0.0.1", 8765)), base_url=HOST)


def _compile(client: TestClient, text: str, **more) -> dict:
    answer = client.post("/api/compile", json={"file": "attack.rulex", "text": text, **more})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _text(client: TestClient, name: str = "attack.rulex") -> str:
    return client.get("/api/file", params={"name": name}).json()["text"]


def test_lists_the_rule_files_of_the_pack_and_nothing_else(client):
    answer = client.get("/api/files").json()
    assert answer["pack"] == "mini"
    assert [f["name"] for f in answer["files"]] == ["attack.rulex", "words.rulex"]
    assert all(not f["dirty"] and f["problems"] == {"errors": 0, "warnings": 0} for f in answer["files"])
    assert answer["corpus"] == [str(SAMPLES)]


def test_a_broken_rule_is_a_diagnostic_at_its_line_and_column_and_matching_goes_on_with_the_last_good_pack(client):
    text = _text(client)
    broken = text.replace("(against|on|at) {target:Phrase}", "(against|on|at {target:Phrase}", 1)
    answer = _compile(client, broken, sentence=SENTENCE)
    errors = [d for d in answer["diagnostics"] if d["severity"] == "error"]
    assert errors and errors[0]["file"] == "attack.rulex"
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "(against|on|at {target" in x)) + 1
    assert errors[0]["line"] == line
    assert errors[0]["col"] == broken.splitlines()[line - 1].index("(against") + 1
    assert answer["stale"] is True
    assert answer["matches"], "the last pack without errors still matches"
    fixed = _compile(client, text, sentence=SENTENCE)
    assert not [d for d in fixed["diagnostics"] if d["severity"] == "error"] and fixed["stale"] is False


def test_a_pack_broken_from_the_start_shows_its_errors_and_matches_once_fixed(pack):
    good = (pack / "attack.rulex").read_text()
    (pack / "attack.rulex").write_text(good.replace("{weapon:Weapon}", "{weapon:Weapn}", 1))
    client = TestClient(create_app(Session(pack), local_hosts("127.0.0.1", 8765)), base_url=HOST)
    broken = _compile(client, _text(client), sentence=SENTENCE, rule="attack.launch")
    assert broken["stale"] is True and "html" not in broken and "examples" not in broken
    assert any(d["code"] == "RX301" for d in broken["diagnostics"])
    assert client.get("/api/files").json()["files"][0]["problems"]["errors"] == 1
    fixed = _compile(client, good, sentence=SENTENCE)
    assert fixed["stale"] is False and fixed["matches"]


def test_an_unknown_type_points_at_the_slot(client):
    text = _text(client).replace("{weapon:Weapon}", "{weapon:Weapn}", 1)
    answer = _compile(client, text)
    error = next(d for d in answer["diagnostics"] if d["code"] == "RX301")
    assert (error["line"], error["col"]) == _position(text, "Weapn")


def _position(text: str, word: str) -> tuple[int, int]:
    before = text[:text.index(word)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def test_a_sentence_is_matched_and_highlighted_as_the_report_does(client):
    answer = _compile(client, _text(client), sentence=SENTENCE, date="2020-01-08")
    [match] = answer["matches"]
    assert match["rule"] == "mini.attack.launch"
    args = match["args"]
    assert args["attacker"]["text"] == "Iran" and args["count"]["value"]["min"] == 13
    html = answer["html"]
    assert 'class="rx-seg rx-m' in html and "rx-chip-role" in html and "attacker" in html
    assert "rule mini.attack.launch at" in html  # the hover line: rule and file:line
    assert answer["rules"][0]["local_id"] == "attack.launch"


def test_text_from_the_page_is_escaped(client):
    answer = _compile(client, _text(client), sentence="<script>alert(1)</script> Iran launched missiles at Erbil")
    assert "<script>" not in answer["html"] and "&lt;script&gt;" in answer["html"]


def test_explain_gives_the_nearest_miss_of_the_chosen_rule(client):
    def explain(sentence: str, rule: str):
        return client.post("/api/explain", json={"file": "attack.rulex", "text": _text(client), "sentence": sentence,
                                                 "rule": rule})
    answer = explain("Iran launched a barrage of missiles at Erbil.", "attack.launch").json()
    assert answer["rule"] == "mini.attack.launch"
    assert "no match" in answer["text"] and "expected:" in answer["text"]
    assert answer["report"][0]["status"] == "missed"
    unknown = explain("Iran", "attack.nothing")
    assert unknown.status_code == 404 and "no rule" in unknown.json()["error"]


def test_the_inline_examples_of_the_chosen_rule_run_on_every_change(client):
    text = _text(client)
    assert "examples" not in _compile(client, text)  # no rule chosen
    passing = _compile(client, text, rule="attack.launch")["examples"]
    launch = [e for e in passing if e["rule"] == "mini.attack.launch"]
    assert len(launch) == 2 and all(e["ok"] for e in launch)  # the example and the counter-example
    broken = text.replace('attacker = "Iran" -> Iran', 'attacker = "Iraq" -> Iran', 1)
    failing = [e for e in _compile(client, broken, rule="attack.launch")["examples"] if not e["ok"]]
    assert failing and "attacker" in failing[0]["failures"][0]
    no_match = text.replace("against|on|at", "towards", 1)
    missed = [e for e in _compile(client, no_match, rule="attack.launch")["examples"] if not e["ok"]]
    assert missed[0]["failures"] == ["no match"] and missed[0]["miss"]


def test_the_corpus_view_gives_hits_in_context_and_says_how_much_it_scanned(client):
    answer = client.post("/api/corpus", json={"file": "attack.rulex", "text": _text(client), "rule": "attack.launch",
                                              "limit": 1}).json()
    assert answer["documents"] == 1 and answer["capped"] is True and answer["corpus_documents"] >= 2
    everything = client.post("/api/corpus", json={"file": "attack.rulex", "text": _text(client),
                                                  "rule": "attack.launch"}).json()
    assert everything["capped"] is False and everything["hit_count"] >= 1
    hit = everything["hits"][0]
    assert {"doc", "left", "match", "right", "args"} <= set(hit)
    assert re.search(r"launch|fire", hit["match"], re.I)
    for miss in everything["misses"]:  # documents holding its words without a match: how far it got
        assert miss["doc"] and miss["sentence"] and miss["miss"]


def _marks(text: str, trigger: str, type: str = "Attack", **roles: str) -> dict:
    """A /api/suggest body: the sentence with the trigger and the arguments marked by offsets."""
    def span(words: str) -> list[int]:
        start = text.index(words)
        return [start, start + len(words)]
    return {"type": type, "sentence": text, "trigger": span(trigger),
            "arguments": [{"role": role, "span": span(words)} for role, words in roles.items()]}


def test_a_rule_suggested_from_a_marked_sentence_matches_it_and_shows_its_corpus_hits(client, pack):
    body = _marks(SENTENCE, "launched", attacker="Iran", weapon="ballistic missiles")
    answer = client.post("/api/suggest", json={"file": "attack.rulex", "text": _text(client), **body})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert "rule: suggested.attack_launched" in found["rule"] and "<launch>" in found["rule"]
    assert found["check"]["compiled"] and found["check"]["exact_all"]
    [example] = found["check"]["examples"]
    assert {(a["role"], a["text"]) for a in example["found"]} == {("attacker", "Iran"), ("weapon", "ballistic missiles")}
    assert found["notes"] and found["schema"]["Attack"]
    assert found["documents"] >= 1 and found["corpus_documents"] >= found["documents"]
    hit = found["hits"][0]  # a match elsewhere, in its context; the marked sentence itself is no hit
    assert {"doc", "left", "text", "right", "arguments"} <= set(hit) and "launched" in hit["text"]
    assert SENTENCE not in hit["left"] + hit["text"] + hit["right"]
    assert not (pack / "attack.rulex").read_text().count("suggested")  # nothing is written


def test_a_suggestion_uses_the_pack_as_edited_and_several_sentences_make_one_rule(client):
    text = _text(client) + "\nevent: Raid\nrule: raid.x\n  pattern: {raider:Actor} raided {place:Place}\n"
    assert not [d for d in _compile(client, text)["diagnostics"] if d["severity"] == "error"]
    raid = client.post("/api/suggest", json=_marks("Iran raided Erbil.", "raided", "Raid", raider="Iran")).json()
    assert raid["check"]["exact_all"] and raid["schema"]["Raid"] == ["place", "raider"]
    both = {"type": "Attack", "sentences": [
        {k: v for k, v in _marks(SENTENCE, "launched", attacker="Iran").items() if k != "type"} | {"text": SENTENCE},
        {"text": "Iran fired rockets at Erbil.", "trigger": "fired", "arguments": [{"role": "attacker", "mark": "Iran"}]}]}
    found = client.post("/api/suggest", json=both).json()
    assert "<launch|fire>" in found["rule"] and len(found["check"]["examples"]) == 2 and found["check"]["matches_all"]


@pytest.mark.parametrize("change, message", [
    ({"trigger": [0, 9]}, "overlap"),                      # "Iran laun" and "Iran"
    ({"trigger": [5, 5]}, "not a non-empty span"),
    ({"trigger": [5, 5000]}, "not a non-empty span"),
    ({"arguments": [{"role": "Attacker", "span": [0, 4]}]}, "must be a lowercase name"),
    ({"type": "attack"}, "must be a name starting with a capital letter"),
    ({"type": "Bombing"}, "the pack has no event type 'Bombing'"),
    ({"trigger": None}, "a mark is words"),
    ({"date": "08/01/2020"}, "YYYY-MM-DD"),
    ({"sentences": "x"}, "must be a list"),
])
def test_bad_marks_are_a_clear_error_and_the_server_goes_on(client, change, message):
    answer = client.post("/api/suggest", json={**_marks(SENTENCE, "launched", attacker="Iran"), **change})
    assert answer.status_code == 400 and message in answer.json()["error"], answer.text
    assert "Traceback" not in answer.text
    assert client.post("/api/suggest", json=_marks(SENTENCE, "launched", attacker="Iran")).status_code == 200


def test_a_suggestion_from_another_host_or_origin_is_refused(client):
    body = _marks(SENTENCE, "launched", attacker="Iran")
    for headers in ({"host": "evil.example:8765"}, {"origin": "http://evil.example"}):
        answer = client.post("/api/suggest", json=body, headers=headers)
        assert answer.status_code == 403 and "refused" in answer.text


def test_saving_writes_the_file_only_when_asked(client, pack):
    text = _text(client)
    edited = text.replace("rule: attack.launch", "# edited here\nrule: attack.launch", 1)
    _compile(client, edited)
    assert (pack / "attack.rulex").read_text() == text  # compiling never writes
    assert client.get("/api/files").json()["files"][0]["dirty"] is True
    answer = client.post("/api/save", json={"file": "attack.rulex", "text": edited})
    assert answer.status_code == 200, answer.text
    assert (pack / "attack.rulex").read_text() == edited
    assert client.get("/api/files").json()["files"][0]["dirty"] is False


@pytest.mark.parametrize("name", ["../attack.rulex", "/etc/passwd", "pack.yaml", "lexicons/actors.yaml",
                                  "missing.rulex", "sub/../attack.rulex", "C:\\x.rulex", ""])
def test_saving_refuses_anything_but_a_rule_file_of_the_pack(client, pack, name):
    before = {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    answer = client.post("/api/save", json={"file": name, "text": "rule: x\n  pattern: x\n"})
    assert answer.status_code in (400, 403) and "error" in answer.json()
    assert {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()} == before


def test_saving_refuses_a_rule_file_that_now_leads_out_of_the_pack(client, pack, tmp_path):
    outside = tmp_path / "outside.rulex"
    outside.write_text("# not the pack's\n")
    (pack / "words.rulex").unlink()
    os.symlink(outside, pack / "words.rulex")
    answer = client.post("/api/save", json={"file": "words.rulex", "text": "define: x = y\n"})
    assert answer.status_code == 403 and "out of the pack" in answer.json()["error"]
    assert outside.read_text() == "# not the pack's\n"


def test_a_rule_file_linked_from_outside_the_pack_is_not_offered(tmp_path):
    root = tmp_path / "pack"
    shutil.copytree(MINI_PACK, root)
    outside = tmp_path / "elsewhere.rulex"
    outside.write_text("event: Attack\nrule: x.y\n  pattern: Iran struck\n")
    os.symlink(outside, root / "linked.rulex")
    session = Session(root)
    assert "linked.rulex" not in session.files
    assert any(d.code == "RX200" for d in session.current.diagnostics)


def test_saving_refuses_a_file_changed_on_disk_meanwhile(client, pack):
    (pack / "attack.rulex").write_text(_text(client) + "# changed in another editor\n")
    answer = client.post("/api/save", json={"file": "attack.rulex", "text": "event: Attack\n"})
    assert answer.status_code == 409 and "changed on disk" in answer.json()["error"]
    assert (pack / "attack.rulex").read_text().endswith("# changed in another editor\n")


def test_bad_requests_are_clear_errors_and_the_server_goes_on(client):
    assert client.post("/api/compile", content=b"\xff\xfe not json").json()["error"].startswith("the request is not valid UTF-8")
    assert "not JSON" in client.post("/api/compile", content=b"{").json()["error"]
    assert "`text`" in client.post("/api/compile", json={"file": "attack.rulex"}).json()["error"]
    huge = client.post("/api/compile", json={"file": "attack.rulex", "text": _text(client), "sentence": "x " * 200_000})
    assert huge.status_code == 413 and "too long" in huge.json()["error"]
    surrogate = client.post("/api/save", content=b'{"file": "attack.rulex", "text": "\\ud800"}',
                            headers={"Content-Type": "application/json"})
    assert surrogate.status_code == 400 and "surrogate" in surrogate.json()["error"]
    assert "YYYY-MM-DD" in client.post("/api/compile", json={"file": "attack.rulex", "text": _text(client),
                                                              "sentence": "x", "date": "08/01/2020"}).json()["error"]
    assert _compile(client, _text(client), sentence=SENTENCE)["matches"]  # still serving


@pytest.mark.parametrize("headers", [{"host": "evil.example"}, {"host": "evil.example:8765"},
                                     {"origin": "http://evil.example"}, {"origin": "http://127.0.0.1:9999"}])
def test_requests_for_another_host_or_from_another_origin_are_refused(client, headers):
    answer = client.get("/api/files", headers=headers)
    assert answer.status_code == 403 and "refused" in answer.text


def test_requests_from_the_page_itself_are_served(client):
    assert client.get("/api/files", headers={"origin": HOST}).status_code == 200
    assert client.get("/api/files", headers={"host": "localhost:8765"}).status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "/static/playground.js" in page.text
    assert client.get("/static/playground.js").status_code == 200
    assert "mark.rx-m" in client.get("/report.css").text


def test_without_a_host_check_any_host_is_served(pack):
    client = TestClient(create_app(Session(pack), None), base_url="http://203.0.113.9:8765")
    assert client.get("/api/files").status_code == 200


def test_the_page_fetches_nothing_from_elsewhere():
    static = Path(__file__).resolve().parent.parent / "rulex" / "serve" / "static"
    page = (static / "index.html").read_text()
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)
    script = (static / "playground.js").read_text()
    assert not re.search(r"https?://(?!www\.w3\.org)[\w.-]+/[\w./-]*\.(?:js|css|woff2?)\b", script)


# ---- the compile after an edit ---------------------------------------------------------------

def _loaded_with(loaded, name: str, text: str):
    bag = DiagnosticBag()
    source = SourceFile(name, text)
    rule_file = parse_rule_file(source, bag)
    files = tuple(rule_file if f.path == name else f for f in loaded.files)
    return replace(loaded, files=files, sources={**loaded.sources, name: source}), bag


def _from_scratch(loaded):
    from rulex.compiler import compile_pack
    from rulex.resolve import resolve
    return compile_pack(resolve(loaded, DiagnosticBag()))


def test_a_compile_after_edits_gives_the_rules_a_compile_from_scratch_gives(pack):
    loaded = load_files([pack], DiagnosticBag())
    compiler = IncrementalCompiler()
    assert compiler.compile(loaded, DiagnosticBag()).compiled == 4
    attack = next(f.path for f in loaded.files if f.path.endswith("attack.rulex"))
    words = next(f.path for f in loaded.files if f.path.endswith("words.rulex"))
    one = loaded.sources[attack].text.replace("(against|on) {target", "(against|upon|on) {target", 1)
    moved = "# a new first line\n\n" + one
    first = moved.replace("rule: attack.passive_launch", "rule: attack.passive_launch\n  priority: 1", 1)
    edits = [
        (attack, one, 1),     # one rule changed
        (attack, moved, 0),   # every rule moved: kept, with their lines moved
        (attack, first, 1),
        (words, "define: launch_verb = <launch|fire|shoot>\n", 1),  # a define: the rule that uses it
        # the same length, one line more: the rules after it keep their offsets but not their lines
        (attack, first.replace("# a new first line\n", "# a new first\n# ne\n", 1), 0),
    ]
    for name, edited, recompiled in edits:
        loaded, bag = _loaded_with(loaded, name, edited)
        outcome = compiler.compile(loaded, bag)
        assert outcome.program is not None and not bag.errors
        assert outcome.compiled == recompiled, name
        assert list(outcome.program.rules) == _from_scratch(loaded)


def test_random_edits_compile_to_the_rules_a_compile_from_scratch_gives(pack):
    import random
    chance = random.Random(22)
    text = (pack / "attack.rulex").read_text()  # a define between the rules, used by the one after it
    text = text.replace("<strike|attack>\n", "{blow}\n", 1)
    (pack / "attack.rulex").write_text(text.replace("rule: attack.strike_noun", "define: blow = <strike|attack>\n\n"
                                                    "rule: attack.strike_noun", 1))
    loaded = load_files([pack], DiagnosticBag())
    compiler = IncrementalCompiler()
    compiler.compile(loaded, DiagnosticBag())
    attack = next(f.path for f in loaded.files if f.path.endswith("attack.rulex"))
    edits = [lambda line: "# a comment\n" + line, lambda line: "\n" + line, lambda line: line + "  ",
             lambda line: line.replace("(against", "(towards|against", 1), lambda line: line.replace(" ", "  ", 1),
             lambda line: line.replace("{", "", 1), lambda line: ""]  # the last two may break the file
    compiled, good = 0, loaded.sources[attack].text
    for _ in range(40):
        lines = loaded.sources[attack].text.split("\n")
        at = chance.randrange(len(lines))
        lines[at] = chance.choice(edits)(lines[at])
        loaded, bag = _loaded_with(loaded, attack, "\n".join(lines))
        outcome = compiler.compile(loaded, bag)
        if bag.errors:  # back to the text before, as an analyst undoing a slip
            assert outcome.program is None
            loaded, bag = _loaded_with(loaded, attack, good)
            outcome = compiler.compile(loaded, bag)
        good = loaded.sources[attack].text
        compiled += 1
        assert list(outcome.program.rules) == _from_scratch(loaded)
    assert compiled == 40


def test_the_playground_starts_from_the_compile_cache_s_copy_of_the_pack(pack):
    session = Session(pack)  # rulex.load compiles the pack and keeps it; the playground takes its rules
    assert (session.current.compiled, session.current.reused) == (0, 4)
    loaded = load_files([pack], DiagnosticBag())
    assert list(session.current.pack.rules) == _from_scratch(loaded)


def test_a_compile_after_an_edit_of_the_conflict_pack_matches_one_from_scratch():
    from .conftest import CONFLICT
    loaded = load_files([CONFLICT], DiagnosticBag(), memoised=True)
    compiler = IncrementalCompiler()
    compiler.compile(loaded, DiagnosticBag())
    name = next(f.path for f in loaded.files if f.path.endswith("attack.rulex"))
    text = loaded.sources[name].text
    middle = text.index("rule: attack.launch")
    edited = text[:middle] + "# an edit above the rule\n" + text[middle:].replace("pattern:", "pattern: (again)?", 1)
    loaded, bag = _loaded_with(loaded, name, edited)
    outcome = compiler.compile(loaded, bag)
    assert outcome.compiled == 1 and outcome.reused == len(outcome.program.rules) - 1
    assert list(outcome.program.rules) == _from_scratch(loaded)


def test_the_command_prints_the_address_and_warns_when_it_listens_beyond_this_machine(pack, monkeypatch):
    import uvicorn
    from click.testing import CliRunner

    from rulex.cli import cli
    served = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: served.append(sockets[0].getsockname()))
    local = CliRunner().invoke(cli, ["serve", str(pack), "--port", "0"])
    assert local.exit_code == 0, local.output
    assert re.search(r"at http://127\.0\.0\.1:\d+/", local.output) and "warning" not in local.output
    wide = CliRunner().invoke(cli, ["serve", str(pack), "--host", "0.0.0.0", "--port", "0"])
    assert wide.exit_code == 0 and "warning: listening on 0.0.0.0" in wide.output
    assert [address for address, _ in served] == ["127.0.0.1", "0.0.0.0"]


def test_the_committed_page_script_is_the_one_web_builds(tmp_path):
    import subprocess
    web = Path(__file__).resolve().parent.parent / "web"
    esbuild = web / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        pytest.skip("web/node_modules is not installed (cd web && npm ci): the bundle cannot be rebuilt here")
    import json
    import shlex
    out = tmp_path / "playground.js"
    build = shlex.split(json.loads((web / "package.json").read_text())["scripts"]["build"])  # esbuild ... --outfile=...
    command = [str(esbuild)] + [f"--outfile={out}" if a.startswith("--outfile=") else a for a in build[1:]]
    subprocess.run(command, cwd=web, check=True, capture_output=True)
    assert out.read_bytes() == (web.parent / "rulex" / "serve" / "static" / "playground.js").read_bytes(), \
        "rulex/serve/static/playground.js is out of date: run web/build.sh and commit it"


def test_the_page_highlights_every_keyword_the_pygments_lexer_knows():
    import rulex.highlight as pygments_lexer
    mode = (Path(__file__).resolve().parent.parent / "web" / "src" / "rulex-mode.js").read_text()
    keywords = set(re.findall(r"[a-z]{2,}", pygments_lexer._CLAUSE)) - {"s", "t"}
    assert keywords and all(word in mode for word in keywords), sorted(w for w in keywords if w not in mode)
