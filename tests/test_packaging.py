"""The wheel carries the single grammar file from grammar/ and rulex loads it from there; the cache."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile

import pytest

import rulex
import rulex.pack

from .conftest import MINI_PACK, ROOT

PACK_ENTRIES = "[0-9a-f]" * 32 + ".pickle"  # compiled packs, not the regex code store


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True)
    [built] = out.glob("rulex-*.whl")
    return built


def test_the_wheel_holds_the_grammar_from_grammar_dir(wheel):
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("rulex/grammar/rulex.lark") == (ROOT / "grammar" / "rulex.lark").read_bytes()
        assert not [n for n in zf.namelist() if n.startswith("grammar/")]


def test_the_wheel_says_the_package_is_typed(wheel):
    with zipfile.ZipFile(wheel) as zf:
        assert "rulex/py.typed" in zf.namelist()  # PEP 561: type checkers read rulex's annotations


def test_the_wheel_holds_the_playground_page_as_built(wheel):
    static = ROOT / "rulex" / "serve" / "static"
    with zipfile.ZipFile(wheel) as zf:
        for name in ("index.html", "playground.js", "playground.css"):
            assert zf.read(f"rulex/serve/static/{name}") == (static / name).read_bytes()  # rulex serve needs no npm
        assert not [n for n in zf.namelist() if n.startswith(("web/", "rulex/serve/static/node_modules"))]


def test_an_installed_wheel_loads_its_grammar_and_runs(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    script = ("import rulex, rulex.parser as p, pathlib, sys\n"
              "assert pathlib.Path(rulex.__file__).is_relative_to(sys.argv[1]), rulex.__file__\n"
              "assert 'rule:' in p.grammar_text()\n"
              "pack = rulex.load(sys.argv[2], cache=False)\n"
              "print(len(pack.extract('Iran launched missiles against the base.')))\n")
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", script, str(target), str(MINI_PACK)], cwd=tmp_path,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_a_second_load_of_an_unchanged_pack_comes_from_the_cache(make_pack, lexicons, monkeypatch, tmp_path):
    monkeypatch.setenv("RULEX_CACHE_DIR", str(tmp_path / "cache"))
    root = make_pack({"r.rulex": "event: A\nrule: r\n  pattern: {a:Actor} fired\n", **lexicons},
                     "name: t\nlexicons: ['lexicons/*.yaml']\n")
    first = rulex.load(root)
    assert len(list((tmp_path / "cache").glob(PACK_ENTRIES))) == 1

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(rulex.pack, "_compile", no_compiling)
    second = rulex.load(root)
    assert [r.source for r in second.rules] == [r.source for r in first.rules]
    assert [m.text for m in second.extract("Iran fired.")] == ["Iran fired"]
    (root / "r.rulex").write_text("event: A\nrule: r\n  pattern: {a:Actor} shelled\n")
    with pytest.raises(AssertionError, match="compiled again"):
        rulex.load(root)  # a changed file is compiled anew


def test_a_frozen_pack_is_out_of_the_collectors_sight_and_the_collector_runs_on(make_pack, lexicons, tmp_path):
    root = make_pack({"r.rulex": "event: A\nrule: r\n  pattern: {a:Actor} fired\n", **lexicons},
                     "name: t\nlexicons: ['lexicons/*.yaml']\n")
    script = ("import gc, sys, rulex\n"
              "out = []\n"
              "for freeze in (True, False):  # the first load compiles in the first process, not in the second\n"
              "    before = gc.get_freeze_count()\n"
              "    pack = rulex.load(sys.argv[1], freeze=freeze)\n"
              "    out.append((gc.get_freeze_count() > before, gc.isenabled(), len(pack.extract('Iran fired.'))))\n"
              "print(out)\n")
    first, again = two_processes(script, root, tmp_path)
    assert first.stdout == again.stdout == "[(True, True, 1), (False, True, 1)]\n", first.stderr + again.stderr


def test_the_cache_keeps_the_most_recently_used_packs(make_pack, lexicons, monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setenv("RULEX_CACHE_DIR", str(cache))
    monkeypatch.setenv("RULEX_CACHE_ENTRIES", "2")
    root = make_pack({"r.rulex": "event: A\nrule: r\n  pattern: {a:Actor} fired\n", **lexicons},
                     "name: t\nlexicons: ['lexicons/*.yaml']\n")
    cache.mkdir()
    (cache / "word-forms-2.json").write_text("{}")            # not a pack: never touched
    stale = cache / ("0" * 32 + ".4242.tmp")                     # left by a process that died
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200,) * 2)
    fresh = cache / ("1" * 32 + ".4243.tmp")                     # being written right now
    fresh.write_bytes(b"half")
    entries = []
    for verb in ("fired", "shelled", "bombed"):                  # each edit makes a new entry
        (root / "r.rulex").write_text(f"event: A\nrule: r\n  pattern: {{a:Actor}} {verb}\n")
        rulex.load(root)
        [new] = set(cache.glob(PACK_ENTRIES)) - set(entries)
        entries.append(new)
        os.utime(new, (time.time() - 100 + len(entries),) * 2)
    # the oldest of three went when the third was written; loading the first version again
    # compiles it anew and pushes out the least recently used
    assert sorted(cache.glob(PACK_ENTRIES)) == sorted(entries[1:])
    assert not stale.exists() and fresh.exists() and (cache / "word-forms-2.json").exists()
    os.utime(entries[1], (time.time() - 1000,) * 2)
    (root / "r.rulex").write_text("event: A\nrule: r\n  pattern: {a:Actor} bombed\n")
    rulex.load(root)                                             # from the cache: now the most recent
    (root / "r.rulex").write_text("event: A\nrule: r\n  pattern: {a:Actor} fired\n")
    rulex.load(root)
    assert sorted(cache.glob(PACK_ENTRIES)) == sorted([entries[0], entries[2]])


def test_a_new_process_rebuilds_the_regexes_from_the_cached_code(make_pack, lexicons, tmp_path):
    root = make_pack({"r.rulex": "event: A\nrule: r\n  pattern: {a:Actor} fired {n:Quantity}? {w:Weapon}\n", **lexicons},
                     "name: t\nlexicons: ['lexicons/*.yaml']\n")
    script = ("import sys, rulex, rulex.regexcode as rc\n"
              "pack = rulex.load(sys.argv[1])\n"
              "if sys.argv[2] == 'again':\n"
              "    def refuse(*a, **k): raise AssertionError('compiled a regex from source')\n"
              "    rc.compile_recording = refuse\n"
              "print([(m.text, m.args['n'].value) for m in pack.extract('Iran fired 12 missiles.')])\n")
    first, again = two_processes(script, root, tmp_path)
    assert again.stdout == first.stdout == "[('Iran fired 12 missiles', {'min': 12, 'max': 12})]\n", again.stderr


def test_recorded_regex_code_is_kept_apart_for_other_named_lists():
    import rulex.regexcode as rc
    source = r"\b\L<words>\b"
    fruit = rc.cached_compile(source, 0, {"words": ["apple", "pear"]})
    tools = rc.cached_compile(source, 0, {"words": ["hammer", "saw"]})
    assert fruit.search("a pear") and not fruit.search("a saw")
    assert tools.search("a saw") and not tools.search("a pear")
    again = rc.from_code(rc.RECORDED[(source, 0, rc._digest({"words": ["saw", "hammer"]}))])
    assert again.search("a hammer") and not again.search("an apple")


def two_processes(script: str, root, tmp_path) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """`script` run with the pack at `root` twice, in new processes sharing a cache: compiling, then cached."""
    env = {**os.environ, "RULEX_CACHE_DIR": str(tmp_path / "cache")}
    return tuple(subprocess.run([sys.executable, "-c", script, str(root), run], env=env, capture_output=True, text=True)
                 for run in ("first", "again"))


def test_a_cached_pack_loads_without_importing_the_parser(make_pack, lexicons, tmp_path):
    root = make_pack({"r.rulex": "event: A\nrule: r\n  pattern: {a:Actor} fired {w:Weapon}\n", **lexicons},
                     "name: t\nlexicons: ['lexicons/*.yaml']\n")
    script = ("import sys, rulex\n"
              "pack = rulex.load(sys.argv[1])\n"
              "print(len(pack.extract('Iran fired missiles.')), 'lark' in sys.modules)\n")
    first, again = two_processes(script, root, tmp_path)
    assert (first.stdout, again.stdout) == ("1 True\n", "1 False\n"), first.stderr + again.stderr


def test_recording_regex_code_from_many_threads_puts_the_engine_back():
    """Threads compiling at once (a server, --jobs in threads) each get a working pattern, and the
    module's engine is the real one afterwards, never a leftover recorder."""
    import threading

    import rulex.regexcode as rc
    engine = rc._regex_main._regex
    words = [f"word{i}x" for i in range(40)]
    results: dict[str, bool] = {}

    def compile_one(word: str) -> None:
        pattern, _ = rc.compile_recording(rf"\b{word}\b", 0)
        results[word] = bool(pattern.search(f"a {word} here")) and not pattern.search(f"a {word}y here")

    threads = [threading.Thread(target=compile_one, args=(w,)) for w in words]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == dict.fromkeys(words, True)
    assert rc._regex_main._regex is engine


def test_a_compiled_packs_rules_pickle_back_equal(make_pack, lexicons):
    """Spans, groups, nested captures and examples pickle as their fields (source.PicklesAsFields)."""
    import pickle

    import rulex
    root = make_pack({"r.rulex": "event: A\nrule: r\n  pattern: {a:Actor} fired {w:Phrase with n:Quantity} at {p:Place}\n"
                      "  example: \"Iran fired 3 missiles at Erbil\"\n    a = \"Iran\"\n", **lexicons},
                     "name: t\nlexicons: ['lexicons/*.yaml']\n")
    rules = rulex.load(root, cache=False).program.rules
    assert rules[0].groups and rules[0].examples and any(g.nested for g in rules[0].groups)
    assert pickle.loads(pickle.dumps(rules)) == rules
