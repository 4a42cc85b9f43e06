"""The edit loop (issue 19): compiling a pack again, after an edit or to check it, rebuilds the
regexes that did not change from their stored code and compiles only the new ones."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import rulex.regexcode as code

from .conftest import ROOT

RULES = """\
event: Attack
rule: fired
  pattern: {attacker:Actor} <fire> {weapon:Weapon} at {target:Phrase}
rule: struck
  pattern: {attacker:Actor} struck {target:Phrase}
"""
ACTORS = "type: Actor\nentries:\n  - id: Iran\n    aliases: [Iran]\n"
WEAPONS = "type: Weapon\nentries:\n  - id: missile\n    aliases: [missile, missiles]\n"

# In a fresh process, what compiles regexes from source is counted; then the lines after it run.
COUNTING = """
import json, sys
import rulex, rulex.regexcode as code
compiled = []
original = code.compile_recording
def counting(source, *args, **kw):
    compiled.append(source)
    return original(source, *args, **kw)
code.compile_recording = counting
"""
# ... check the pack, and say how many regexes were compiled from source.
COUNT = COUNTING + """
diagnostics, _ = rulex.check(sys.argv[1], cache=sys.argv[2] == "cache")
print(json.dumps({"compiled": len(compiled), "errors": sum(d.severity.name == "ERROR" for d in diagnostics)}))
"""


def _in_fresh_process(script: str, cache_dir, *args) -> dict:
    """What `script` prints (JSON), run in a new process with its own compile cache."""
    env = {**os.environ, "RULEX_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _compiles(pack, cache_dir, mode: str = "cache") -> int:
    result = _in_fresh_process(COUNT, cache_dir, pack, mode)
    assert result["errors"] == 0
    return result["compiled"]


def _write_pack(pack):
    (pack / "lexicons").mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*.yaml']\n")
    (pack / "lexicons" / "actors.yaml").write_text(ACTORS)
    (pack / "lexicons" / "weapons.yaml").write_text(WEAPONS)
    (pack / "attack.rulex").write_text(RULES)
    return pack


def test_a_second_compile_rebuilds_every_regex_from_its_code_and_an_edit_compiles_only_its_own(tmp_path):
    pack = _write_pack(tmp_path / "pack")
    cache_dir = tmp_path / "cache"
    cold = _compiles(pack, cache_dir)
    assert cold >= 2  # each rule's regex, at least
    assert _compiles(pack, cache_dir) == 0  # nothing changed: every regex from its stored code
    (pack / "attack.rulex").write_text(RULES + "# a comment\n")
    assert _compiles(pack, cache_dir) == 0  # a comment changes no regex
    (pack / "attack.rulex").write_text(RULES.replace("struck {target", "struck the {target"))
    edited = _compiles(pack, cache_dir)
    assert 1 <= edited < cold  # the edited rule's regexes only
    assert _compiles(pack, cache_dir, "no-cache") == cold  # without the cache, all of them


def test_a_store_written_by_someone_else_is_not_used(tmp_path):
    pack = _write_pack(tmp_path / "pack")
    cache_dir = tmp_path / "cache"
    cold = _compiles(pack, cache_dir)
    store = cache_dir / code.STORE.entry
    data = bytearray(store.read_bytes())
    data[-20] ^= 0xFF  # altered: its signature no longer matches
    store.write_bytes(bytes(data))
    for seal in cache_dir.glob("*.seal"):
        seal.unlink()
    assert _compiles(pack, cache_dir) == cold  # compiled anew, with a warning, and the store rewritten
    assert _compiles(pack, cache_dir) == 0


def test_rulex_test_reads_the_pack_again_only_to_explain_a_miss(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import rulex.cli
    calls = []
    original = rulex.cli.resolve_pack
    monkeypatch.setattr(rulex.cli, "resolve_pack", lambda path: calls.append(path) or original(path))
    pack = _write_pack(tmp_path / "pack")
    examples = ('  example: "Iran fired missiles at the base"\n'
                '  counter: "Iran said missiles were fired"\n')
    (pack / "attack.rulex").write_text(RULES.replace("rule: struck", examples + "rule: struck"))
    done = CliRunner().invoke(rulex.cli.cli, ["test", str(pack)])
    assert done.exit_code == 0, done.output
    assert "2 examples, 2 passed" in done.output and calls == []
    (pack / "attack.rulex").write_text(RULES.replace("rule: struck", '  example: "Iran fired at the base"\n'
                                                     "rule: struck"))
    done = CliRunner().invoke(rulex.cli.cli, ["test", str(pack)])
    assert done.exit_code == 1 and "1 failed" in done.output
    assert "nearest" in done.output.lower() and calls == [str(pack)]  # the miss is explained, as before


def test_a_store_of_another_rulex_version_goes_when_the_new_one_is_written(tmp_path):
    from rulex import cache, memo
    directory = tmp_path / "cache"
    old, new = memo.Store("lexicons", "old rulex", 4), memo.Store("lexicons", "new rulex", 4)
    assert cache.write_entry(old.entry, b"old", directory)
    assert cache.write_entry("ab" * 16 + ".pickle", b"a compiled pack", directory)
    assert cache.write_entry(new.entry, b"new", directory)
    names = sorted(p.name for p in directory.iterdir() if p.suffix == ".pickle")
    assert names == sorted(["ab" * 16 + ".pickle", new.entry])


def test_stores_keep_their_most_recently_used_results(tmp_path, monkeypatch):
    from rulex import memo
    monkeypatch.setenv("RULEX_CACHE_DIR", str(tmp_path / "cache"))
    store = memo.Store("lexicons", "v", limit=2)
    for key in ("a", "b", "c"):
        store.put(key, key.upper())
    store.get("a")  # used again: more recent than b
    store.save()
    again = memo.Store("lexicons", "v", limit=2)
    assert again.load() == {"a": "A", "c": "C"}
    assert memo.Store("lexicons", "another version", limit=2).load() == {}


def test_a_store_that_is_put_many_results_keeps_the_most_recent_in_memory(tmp_path, monkeypatch):
    """`rulex serve` compiles on every edit: its store of compiled rules must not grow for ever."""
    from rulex import memo
    monkeypatch.setenv("RULEX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(memo.time, "time", lambda: 1_700_000_000.0)  # a coarse clock: every put at one time
    store = memo.Store("compiled-rules", "v", limit=3)
    for number in range(20):
        store.put(number, str(number))
    assert len(store.values) <= 6 and {17, 18, 19} <= set(store.values)
    store.save()
    assert memo.Store("compiled-rules", "v", limit=3).load() == {17: "17", 18: "18", 19: "19"}


# In a fresh process: check the pack, and say which lexicons were read and alias indexes built.
READS = """
import json, sys
import rulex, rulex.loader as loader, rulex.pack as pack
read, built = [], []
original_read, original_index = loader.load_lexicon, pack.alias_index
loader.load_lexicon = lambda source, *a: read.append(source.name) or original_read(source, *a)
pack.alias_index = lambda *a: built.append(1) or original_index(*a)
diagnostics, _ = rulex.check(sys.argv[1])
print(json.dumps({"read": len(read), "built": len(built), "codes": sorted({d.code for d in diagnostics})}))
"""


def test_an_edit_of_a_rule_reads_no_large_lexicon_again(tmp_path):
    pack = _write_pack(tmp_path / "pack")
    names = "".join(f"  - id: place_{i}\n    aliases: [Placename{i}, Place Name {i}]\n" for i in range(4000))
    (pack / "lexicons" / "places.yaml").write_text("type: Place\nentries:\n" + names)  # ~200 KB
    (pack / "attack.rulex").write_text(RULES + "rule: in_place\n  pattern: {attacker:Actor} struck {place:Place}\n")

    def reads() -> dict:
        return _in_fresh_process(READS, tmp_path / "cache", pack)

    first = reads()
    assert first["read"] == 3 and first["built"] == 1  # each lexicon, and the index of their aliases
    (pack / "attack.rulex").write_text(RULES.replace("struck {target", "struck the {target")
                                       + "rule: in_place\n  pattern: {attacker:Actor} struck {place:Place}\n")
    assert reads() == {**first, "read": 2, "built": 0}  # same diagnostics; the large lexicon is not read
    # again (the small ones are: they read in less time than the store takes to load), nor the index
    (pack / "lexicons" / "places.yaml").write_text("type: Place\nentries:\n" + names.replace("Placename1", "Town1"))
    assert reads() == {**first, "read": 3}  # the edited lexicon is read again, and the index built


PARSES = """
import json, sys
import rulex, rulex.loader as loader
parsed = []
original = loader.parse_rule_file
loader.parse_rule_file = lambda source, bag: parsed.append(source.name.rsplit("/", 1)[-1]) or original(source, bag)
diagnostics, _ = rulex.check(sys.argv[1])
print(json.dumps({"parsed": sorted(parsed), "codes": sorted(d.code for d in diagnostics)}))
"""


def test_an_edit_of_one_rule_file_parses_that_file_only(tmp_path):
    pack = _write_pack(tmp_path / "pack")
    (pack / "other.rulex").write_text("event: Attack\nrule: shelled\n  pattern: {attacker:Actor} shelled , it\n")

    def parses() -> dict:
        return _in_fresh_process(PARSES, tmp_path / "cache", pack)

    first = parses()
    assert first["parsed"] == ["attack.rulex", "other.rulex"] and "RX100" in first["codes"]
    (pack / "attack.rulex").write_text(RULES + "# a comment\n")
    assert parses() == {**first, "parsed": ["attack.rulex"]}  # the other file's error is still reported


# ... load the pack (which writes its cache entry), and say which regexes were compiled from source.
LOAD = COUNTING + """
pack = rulex.load(sys.argv[1])
print(json.dumps({"compiled": compiled, "matches": [m.text for m in pack.extract("Iran fired 3 missiles at the base.")]}))
"""


def test_after_an_edit_a_load_compiles_the_edited_rule_only_not_the_built_in_types(tmp_path):
    """The built-in types' regexes (Quantity here), compiled when the pack's cache entry is written,
    are kept with the other regexes' code: they cost 0.8 s on every edit of the conflict pack."""
    from rulex.builtins import BUILTINS
    pack = _write_pack(tmp_path / "pack")
    (pack / "attack.rulex").write_text(RULES.replace("{attacker:Actor} <fire>", "{attacker:Actor} <fire> {count:Quantity}?"))
    cache_dir = tmp_path / "cache"
    cold = _in_fresh_process(LOAD, cache_dir, pack)
    quantity = {BUILTINS["Quantity"].pattern, BUILTINS["Quantity"].parser}
    assert quantity <= set(cold["compiled"])  # compiled once, when the entry was written
    assert cold["matches"] == ["Iran fired 3 missiles at the base"]
    (pack / "attack.rulex").write_text((pack / "attack.rulex").read_text().replace("struck {target", "struck the {target"))
    edited = _in_fresh_process(LOAD, cache_dir, pack)
    assert edited["matches"] == cold["matches"]
    assert 1 <= len(edited["compiled"]) < len(cold["compiled"]) and not quantity & set(edited["compiled"])


# In a fresh process: check a pack, compiling its regexes in worker processes (from PARALLEL_FROM)
# or all in this one, and give the errors and each rule's regexes.
COMPILE = """
import json, sys
import rulex, rulex.regexcode as code
code.PARALLEL_FROM = int(sys.argv[2])
pack = sys.argv[1]
diagnostics = [d for d in rulex.check(pack, cache=False)[0] if d.severity.name == "ERROR"]
compiled = {r.local_id: [r.source, r.finder] for r in rulex.load(pack, cache=False).rules} if not diagnostics else {}
print(json.dumps({"diagnostics": [[d.code, d.span.line, d.message] for d in diagnostics], "rules": compiled}))
"""


def test_many_new_regexes_compile_in_worker_processes_with_the_same_results(tmp_path):
    """Worker processes (regexcode.compile_all) give every rule the regexes one process gives, and
    a regex the engine refuses is still RX103 at its own rule (and RX404 where nested too deeply)."""
    words = ["fired", "struck", "shelled", "bombed", "raided", "stormed", "ambushed", "attacked", "hit", "targeted",
             "besieged", "invaded", "mortared", "rocketed"]
    rules = "event: Attack\n" + "".join(f"rule: r{i}\n  pattern: {{attacker:Actor}} {w} {{target:Phrase}}\n"
                                        for i, w in enumerate(words))
    pack = _write_pack(tmp_path / "pack")
    (pack / "attack.rulex").write_text(rules)
    cache_dir = tmp_path / "cache"
    serial, parallel = (_in_fresh_process(COMPILE, cache_dir, pack, threshold) for threshold in (10_000, 2))
    assert serial == parallel and serial["diagnostics"] == [] and len(serial["rules"]) == len(words)
    (pack / "attack.rulex").write_text(rules + "rule: bad\n  pattern: bang /(b/\n"
                                       "rule: deep\n  pattern: bang /" + "(" * 500 + "x" + ")" * 500 + "/\n")
    serial, parallel = (_in_fresh_process(COMPILE, cache_dir, pack, threshold) for threshold in (10_000, 2))
    assert serial == parallel
    assert [(code, line) for code, line, _ in parallel["diagnostics"]] == [("RX103", 31), ("RX103", 33)]  # each at its pattern


OUTLINES = """
import json, sys
import rulex, rulex.planning as planning
worked_out = []
original = planning._lexicon_outline
def counting(lexicon):
    worked_out.append(lexicon.name)
    return original(lexicon)
planning._lexicon_outline = counting
pack = rulex.load(sys.argv[1])
print(json.dumps({"worked_out": worked_out, "matches": [m.text for m in pack.extract("Iran fired missiles at Placename7.")]}))
"""


def test_a_large_lexicons_outline_is_kept_across_edits_of_rules(tmp_path):
    pack = _write_pack(tmp_path / "pack")
    names = "".join(f"  - id: place_{i}\n    aliases: [Placename{i}, Place Name {i}]\n" for i in range(1200))
    (pack / "lexicons" / "places.yaml").write_text("type: Place\nentries:\n" + names)
    rules = "event: Attack\nrule: fired\n  pattern: {attacker:Actor} <fire> {weapon:Weapon} at {place:Place}\n"
    (pack / "attack.rulex").write_text(rules)
    cache_dir = tmp_path / "cache"
    first = _in_fresh_process(OUTLINES, cache_dir, pack)
    assert "places" in first["worked_out"] and first["matches"] == ["Iran fired missiles at Placename7"]
    (pack / "attack.rulex").write_text(rules.replace("at {place", "at the? {place"))
    edited = _in_fresh_process(OUTLINES, cache_dir, pack)
    assert "places" not in edited["worked_out"] and edited["matches"] == first["matches"]


PAYLOAD = COUNTING + """
from pathlib import Path
pack = rulex.pack.from_payload(Path(sys.argv[1]).read_bytes())
print(json.dumps({"compiled": compiled, "matches": [m.text for m in pack.extract("Iran fired 3 missiles at the base.")]}))
"""


def test_a_pack_compiled_without_the_cache_travels_with_its_built_in_types_code(tmp_path):
    """pack.to_payload (for --jobs and Dask workers) carries the code of the built-in types its rules
    use even when the pack was compiled without the cache: a worker compiles nothing."""
    import rulex
    from rulex.pack import to_payload
    pack = _write_pack(tmp_path / "pack")
    (pack / "attack.rulex").write_text(RULES.replace("{attacker:Actor} <fire>", "{attacker:Actor} <fire> {count:Quantity}?"))
    payload = tmp_path / "payload"
    payload.write_bytes(to_payload(rulex.load(pack, cache=False)))
    worker = _in_fresh_process(PAYLOAD, tmp_path / "cache", payload)
    assert worker == {"compiled": [], "matches": ["Iran fired 3 missiles at the base"]}


# In a fresh process: load a pack, and give the ids of the rules whose regexes were written anew
# and the compiled rules (all their fields, spans included).
WRITTEN = """
import json, sys
import rulex, rulex.compiler as compiler
written = []
original = compiler._RuleCompiler.compile
def counting(self):
    written.append(self.rule.id)
    return original(self)
compiler._RuleCompiler.compile = counting
pack = rulex.load(sys.argv[1], cache=sys.argv[2] == "cache")
found = pack.extract("Iran fired missiles at the old base. Iran struck a bridge.")
print(json.dumps({"written": written, "rules": repr(pack.rules), "matches": [[m.rule, m.text] for m in found]}))
"""
CALLED = RULES.replace("at {target:Phrase}", "at {target_np}") + """
define: target_np = the? old? {target:Phrase}
"""


def test_after_an_edit_only_the_rules_that_depend_on_it_are_written_again_and_moved_ones_keep_their_places(tmp_path):
    """The compiled rules kept across edits (compiler.COMPILED_RULES): a rule whose inputs did not
    change is not written again; one whose elements moved in its file (a line added above them)
    is not either, and its groups point at where its elements are now, as a fresh compile does."""
    pack = _write_pack(tmp_path / "pack")
    rule_file = pack / "attack.rulex"
    rule_file.write_text(CALLED)
    cache_dir = tmp_path / "cache"

    def load(mode: str = "cache") -> dict:
        return _in_fresh_process(WRITTEN, cache_dir, pack, mode)

    first = load()
    assert sorted(first["written"]) == ["fired", "struck"]
    assert first["matches"] == [["t.fired", "Iran fired missiles at the old base"], ["t.struck", "Iran struck a bridge"]]
    rule_file.write_text("# the attack rules\n\n" + CALLED)  # every element two lines down
    moved = load()
    assert moved["written"] == [] and moved["matches"] == first["matches"]
    assert moved["rules"] == load("no-cache")["rules"] != first["rules"]
    rule_file.write_text(rule_file.read_text().replace("struck {target", "struck the {target"))
    assert load()["written"] == ["struck"]  # `fired` and the define it calls did not change
    rule_file.write_text(rule_file.read_text().replace("the? old?", "the? old? new?"))
    edited = load()
    assert edited["written"] == ["fired"]  # its define changed
    assert edited["rules"] == load("no-cache")["rules"]


def test_the_cli_writes_a_new_compile_to_the_cache_behind_and_leaves_it_whole(tmp_path):
    """`rulex test` writes the pack it compiled in a forked child while it runs the examples
    (pack._write_behind), and waits for it before exiting: the next process loads the entry and
    compiles nothing."""
    import re
    pack = _write_pack(tmp_path / "pack")
    (pack / "attack.rulex").write_text(RULES.replace("<fire> {weapon", "<fire> {count:Quantity}? {weapon"))
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "RULEX_CACHE_DIR": str(cache_dir)}
    output = tmp_path / "output.txt"
    with output.open("w") as out:  # a file, not a pipe: a pipe would be waited for until the child closed it too
        done = subprocess.run([sys.executable, "-m", "rulex", "test", str(pack)], stdout=out, stderr=subprocess.STDOUT,
                              cwd=ROOT, env=env, timeout=300)
    printed = output.read_text()
    assert done.returncode == 0, printed
    assert "passed" in printed and len(printed.splitlines()) == len(set(printed.splitlines()))  # nothing twice
    entries = [p.name for p in cache_dir.iterdir() if re.fullmatch(r"[0-9a-f]{32}\.pickle", p.name)]
    assert len(entries) == 1
    again = _in_fresh_process(LOAD, cache_dir, pack)
    assert again["compiled"] == [] and again["matches"] == ["Iran fired 3 missiles at the base"]
