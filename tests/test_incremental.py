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

# In a fresh process: check the pack, and say which regexes were compiled from source.
COUNT = """
import json, sys
import rulex, rulex.regexcode as code
compiled = []
original = code.compile_recording
def counting(source, *args, **kw):
    compiled.append(source)
    return original(source, *args, **kw)
code.compile_recording = counting
diagnostics, _ = rulex.check(sys.argv[1], cache=sys.argv[2] == "cache")
print(json.dumps({"compiled": len(compiled), "errors": sum(d.severity.name == "ERROR" for d in diagnostics)}))
"""


def _compiles(pack, cache_dir, mode: str = "cache") -> int:
    env = {**os.environ, "RULEX_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, "-c", COUNT, str(pack), mode], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
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
    store = cache_dir / code._store_name()
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
