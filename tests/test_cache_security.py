"""The compile cache loads only what this user's rulex wrote (issue 17, item 1): no planted,
altered or foreign entry is unpickled, the directory and its files are private, temporary
files are created exclusively, and the word-forms memo is read only when it is ours."""
from __future__ import annotations

import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest

import rulex
import rulex.cache
import rulex.forms
from rulex.cache import CacheWarning

PACK_ENTRIES = "[0-9a-f]" * 32 + ".pickle"  # compiled packs, not the regex code store

RULES = "event: A\nrule: r\n  pattern: {a:Actor} <fire> {w:Weapon}\n"
MANIFEST = "name: t\nlexicons: ['lexicons/*.yaml']\n"
SENTENCE = "Iran fired missiles."


class Planted:
    """A pickle that runs code when loaded: it makes the directory `marker`."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


@pytest.fixture
def cache(monkeypatch, tmp_path) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("RULEX_CACHE_DIR", str(path))
    return path


@pytest.fixture
def pack(make_pack, lexicons) -> Path:
    return make_pack({"r.rulex": RULES, **lexicons}, MANIFEST)


def entry_of(cache: Path) -> Path:
    [entry] = cache.glob(PACK_ENTRIES)
    return entry


def works(pack: Path) -> bool:
    return [m.text for m in rulex.load(pack).extract(SENTENCE)] == ["Iran fired missiles"]


def quiet_load(pack: Path) -> list[warnings.WarningMessage]:
    """Load the pack; the cache warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert works(pack)
    return [w for w in caught if issubclass(w.category, UserWarning) and "cache" in str(w.message)]


def test_a_replaced_entry_is_not_run_and_the_pack_is_rebuilt(cache, pack, tmp_path):
    rulex.load(pack)
    marker = tmp_path / "ran"
    entry_of(cache).write_bytes(pickle.dumps(Planted(marker)))
    with pytest.warns(CacheWarning, match="ignored the cache entry"):
        assert works(pack)
    assert not marker.exists()
    assert quiet_load(pack) == []          # rebuilt: the next load takes it without a word


def test_an_entry_with_one_byte_changed_is_ignored_and_rebuilt(cache, pack):
    rulex.load(pack)
    data = bytearray(entry_of(cache).read_bytes())
    data[len(data) // 2] ^= 0x01
    entry_of(cache).write_bytes(bytes(data))
    with pytest.warns(CacheWarning, match="signature does not match"):
        assert works(pack)
    assert quiet_load(pack) == []


def test_an_entry_written_under_another_key_is_ignored(cache, pack, monkeypatch, tmp_path):
    monkeypatch.setenv("RULEX_CACHE_DIR", str(tmp_path / "elsewhere"))
    rulex.load(pack)                       # the same pack, cached by "another user"
    foreign = entry_of(tmp_path / "elsewhere")
    monkeypatch.setenv("RULEX_CACHE_DIR", str(cache))
    rulex.load(pack)
    shutil.copyfile(foreign, entry_of(cache))
    assert entry_of(cache).name == foreign.name
    with pytest.warns(CacheWarning, match="signature does not match"):
        assert works(pack)


def test_the_directory_is_private_and_so_is_every_file_in_it(cache, pack, monkeypatch):
    monkeypatch.setattr(rulex.forms, "_FORMS", rulex.forms._FormsMemo())   # so that the memo is written
    rulex.load(pack)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in cache.iterdir()}
    assert {entry_of(cache).name, "hmac-key", "word-forms-2.json"} <= set(files)
    assert set(files.values()) == {0o600}, files
    cache.chmod(0o755)                     # as an older rulex made it: ours, readable by others
    assert quiet_load(pack) == []
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_the_standard_location(monkeypatch, tmp_path):
    monkeypatch.delenv("RULEX_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rulex.cache.location() == tmp_path / "xdg" / "rulex"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")     # not absolute: ignored, as the spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert rulex.cache.location() == tmp_path / "home" / ".cache" / "rulex"
    monkeypatch.setenv("RULEX_CACHE_DIR", str(tmp_path / "mine"))
    assert rulex.cache.location() == tmp_path / "mine"


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o1777])
def test_a_directory_others_can_write_is_not_used(cache, pack, tmp_path, mode):
    rulex.load(pack)
    marker = tmp_path / "ran"
    entry_of(cache).write_bytes(pickle.dumps(Planted(marker)))
    cache.chmod(mode)
    before = sorted(cache.iterdir())
    with pytest.warns(CacheWarning, match="not using the compile cache .*others can write it"):
        assert works(pack)
    assert not marker.exists() and sorted(cache.iterdir()) == before   # neither read nor written


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a directory away needs root")
def test_a_directory_owned_by_another_user_is_not_used(cache, pack, tmp_path):
    rulex.load(pack)
    marker = tmp_path / "ran"
    entry_of(cache).write_bytes(pickle.dumps(Planted(marker)))
    os.chown(cache, 65534, 65534)          # nobody's, 0700: root can still read it
    with pytest.warns(CacheWarning, match=r"owned by another user \(uid 65534\)"):
        assert works(pack)
    assert not marker.exists()


def test_a_key_file_others_can_read_is_not_used(cache, pack, tmp_path):
    rulex.load(pack)
    (cache / "hmac-key").chmod(0o644)
    with pytest.warns(CacheWarning, match="key file hmac-key: others can read it"):
        assert works(pack)


def test_the_temporary_file_is_new_unpredictable_and_never_a_link(cache, pack, tmp_path, monkeypatch):
    rulex.load(pack)
    entry = entry_of(cache)
    entry.unlink()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    old_name = cache / f"{entry.stem}.{os.getpid()}.tmp"     # where an older rulex wrote
    old_name.symlink_to(outside)
    opened = []
    real_open = os.open

    def recording_open(path, flags, *args, **kwargs):
        opened.append((str(path), flags, args))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    rulex.load(pack)
    monkeypatch.undo()
    assert outside.read_text() == "keep me" and old_name.is_symlink()
    assert entry.is_file() and not entry.is_symlink()
    [(name, flags, args)] = [o for o in opened if o[0].startswith(entry.name) and o[0].endswith(".tmp")]
    assert flags & os.O_CREAT and flags & os.O_EXCL and flags & os.O_NOFOLLOW and args[0] == 0o600
    assert name != old_name.name and len(name) >= len(entry.name) + 16


def test_a_planted_symlink_is_never_read_as_an_entry(cache, pack, tmp_path):
    rulex.load(pack)
    entry, elsewhere = entry_of(cache), tmp_path / "elsewhere.pickle"
    shutil.move(entry, elsewhere)            # a valid entry, but reached through a link
    entry.symlink_to(elsewhere)
    with pytest.warns(CacheWarning, match="not a regular file"):
        assert works(pack)


def test_a_sealed_entry_is_not_hashed_again_but_a_later_change_is_caught(cache, pack, monkeypatch):
    monkeypatch.setattr(rulex.cache, "SETTLE_SECONDS", 0.05)
    rulex.load(pack)
    time.sleep(0.1)
    assert quiet_load(pack) == []                      # checked whole, then sealed
    assert (cache / f"{entry_of(cache).stem}.seal").exists()

    def no_hashing(chunks):
        raise AssertionError("hashed again")

    with monkeypatch.context() as m:
        m.setattr(rulex.cache, "_digests", no_hashing)
        assert quiet_load(pack) == []
    time.sleep(0.1)
    with entry_of(cache).open("r+b") as fh:            # altered in place, same size
        fh.seek(-5, os.SEEK_END)
        byte = fh.read(1)
        fh.seek(-5, os.SEEK_END)
        fh.write(bytes([byte[0] ^ 1]))
    with pytest.warns(CacheWarning, match="signature does not match"):
        assert works(pack)


def test_the_word_forms_memo_is_read_only_when_it_is_ours(cache, pack, monkeypatch):
    cache.mkdir(mode=0o700)
    memo = cache / "word-forms-2.json"
    memo.write_text('{"fire": ["fire", "blorp"]}')
    memo.chmod(0o666)                                  # anyone could have written it
    monkeypatch.setattr(rulex.forms, "_FORMS", rulex.forms._FormsMemo())
    with pytest.warns(CacheWarning, match="word-forms-2.json: others can write it"):
        planted = rulex.load(pack, cache=False)
    assert planted.extract("Iran blorp missiles.") == []
    assert stat.S_IMODE(memo.stat().st_mode) == 0o600 and "blorp" not in memo.read_text()   # written anew
    memo.write_text('{"fire": ["fire", "blorp"]}')     # ours, and no one else's to write: used as it is
    monkeypatch.setattr(rulex.forms, "_FORMS", rulex.forms._FormsMemo())
    assert [m.text for m in rulex.load(pack, cache=False).extract("Iran blorp missiles.")] == ["Iran blorp missiles"]


# -- two users -------------------------------------------------------------------------------

def _other_user_reason() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "running as another user needs root"
    if shutil.which("setpriv") is None:
        return "no setpriv to run as another user"
    probe = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            sys.executable, "-c", "import rulex"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"user nobody cannot run rulex here: {probe.stderr.strip()[-200:]}"
    return None


def as_nobody(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *args],
                          capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})})


LOAD = ("import sys, rulex\n"
        "print([m.text for m in rulex.load(sys.argv[1]).extract('Iran fired missiles.')])\n")


@pytest.fixture
def shared(pack):
    """A world-writable sticky directory like /tmp, and a copy of the pack both users can read."""
    reason = _other_user_reason()
    if reason:
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="rulex-shared-"))
    try:
        root.chmod(0o755)
        shutil.copytree(pack, root / "pack")
        for path in (root / "pack").rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        (root / "tmp").mkdir(mode=0o1777)
        (root / "tmp").chmod(0o1777)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def plant_as_nobody(directory: Path, name: str, marker: Path) -> None:
    """Another user writes a pickle that would make `marker` under the name of our entry."""
    payload = directory.parent / "payload.pickle"
    payload.write_bytes(pickle.dumps(Planted(marker)))
    payload.chmod(0o644)
    done = as_nobody("sh", "-c", f"mkdir -p '{directory}' && cp '{payload}' '{directory / name}'")
    assert done.returncode == 0, done.stderr


def entry_name(pack: Path, monkeypatch, tmp_path) -> str:
    monkeypatch.setenv("RULEX_CACHE_DIR", str(tmp_path / "probe"))
    rulex.load(pack)
    return entry_of(tmp_path / "probe").name


def test_an_entry_another_user_planted_in_a_shared_directory_is_never_run(shared, monkeypatch, tmp_path):
    name = entry_name(shared / "pack", monkeypatch, tmp_path)
    marker = tmp_path / "ran-as-root"
    sticky = shared / "tmp"                # the case: RULEX_CACHE_DIR a world-writable sticky dir
    plant_as_nobody(sticky, name, marker)
    monkeypatch.setenv("RULEX_CACHE_DIR", str(sticky))
    with pytest.warns(CacheWarning, match="others can write it"):
        assert works(shared / "pack")
    assert not marker.exists()
    theirs = sticky / "nobodys-cache"      # a private directory of theirs, pointed to by ours
    plant_as_nobody(theirs, name, marker)
    monkeypatch.setenv("RULEX_CACHE_DIR", str(theirs))
    with pytest.warns(CacheWarning, match="owned by another user"):
        assert works(shared / "pack")
    assert not marker.exists()


def test_each_user_caches_apart_and_neither_uses_the_others_cache(shared, monkeypatch):
    ours, theirs = shared / "tmp" / "root-cache", shared / "tmp" / "nobody-cache"
    first = as_nobody(sys.executable, "-c", LOAD, str(shared / "pack"), env={"RULEX_CACHE_DIR": str(theirs)})
    assert first.returncode == 0 and first.stdout == "['Iran fired missiles']\n", first.stderr
    assert "CacheWarning" not in first.stderr
    assert theirs.stat().st_uid == 65534 and stat.S_IMODE(theirs.stat().st_mode) == 0o700
    monkeypatch.setenv("RULEX_CACHE_DIR", str(theirs))
    with pytest.warns(CacheWarning, match="owned by another user"):
        assert works(shared / "pack")
    monkeypatch.setenv("RULEX_CACHE_DIR", str(ours))
    assert quiet_load(shared / "pack") == []
    again = as_nobody(sys.executable, "-c", LOAD, str(shared / "pack"), env={"RULEX_CACHE_DIR": str(ours)})
    assert again.returncode == 0 and again.stdout == "['Iran fired missiles']\n", again.stderr
    assert "CacheWarning" in again.stderr and "owned by another user" in again.stderr
