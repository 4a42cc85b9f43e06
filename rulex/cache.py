"""The compile cache on disk, and what it trusts.

A compiled pack is kept as a pickle, and unpickling runs code, so nothing is unpickled that
this user's rulex did not write:

- the directory (`location()`) must belong to this user and be writable by no one else; it is
  made 0700. One that fails the check is not used at all (a `CacheWarning` says why) and
  packs are compiled anew. Every file in it is opened relative to the directory as it was
  checked, never through a symlink;
- each entry carries an HMAC-SHA256, under a secret key kept in the directory (0600), of its
  name and its bytes; it is checked, in constant time, before a byte is unpickled. An entry
  that fails (altered, planted, or signed with another key) is ignored with a warning and the
  pack is compiled and written anew. Hashing a large pack (tens of MB) whole costs more than
  unpickling much of it, so an entry found good is sealed (`_seal`): a small HMAC of its file's
  identity, which no write can leave unchanged; a load whose entry shows the sealed identity
  reads it as it unpickles it. Only this user can write the file meanwhile (it is 0600);
- files are written to a new temporary file of an unpredictable name, created exclusively
  (0600) and never through a symlink, synced, then renamed over the entry.

The entries of one directory are pruned to the most recently used (`prune`), and the stores of
memo.py to the version the running rulex writes.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import re
import secrets
import stat
import sys
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType
from typing import BinaryIO

ENTRIES = 16                # compiled packs kept: the most recently used ($RULEX_CACHE_ENTRIES)
STALE_TMP_SECONDS = 3600    # a half-written file this old belongs to a process that died
KEY_NAME = "hmac-key"
KEY_BYTES = 32
MAGIC = b"rulex-cache-1\n"  # then the 32-byte tag, then the pickle
HEADER = len(MAGIC) + 32
CHUNK = 1 << 21             # the signed bytes are hashed in chunks, on several threads
SETTLE_SECONDS = 2.0        # an entry is sealed (`_seal`) once unchanged this long
_ENTRY = re.compile(r"([0-9a-f]{32})\.(pickle|seal)")
_STORE = re.compile(r"([a-z]+(?:-[a-z]+)*)-([0-9a-f]{16})\.(pickle|seal)")  # memo.py: name-version
_TEMP = re.compile(r"[\w.-]+\.(?:[0-9a-f]{16}|\d+)\.tmp")   # ours, or an older rulex's (`.<pid>.tmp`)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_AT = os.open in os.supports_dir_fd     # else (Windows) files are named by their full path


class CacheWarning(UserWarning):
    """The cache (or one entry of it) was not used: it is not this user's, or was altered."""


def location() -> Path:
    """$RULEX_CACHE_DIR, else $XDG_CACHE_HOME/rulex, else ~/.cache/rulex."""
    explicit = os.environ.get("RULEX_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG specification: a relative path is to be ignored
        return Path(xdg) / "rulex"
    return Path.home() / ".cache" / "rulex"


# -- reading and writing entries -------------------------------------------------------------

@contextlib.contextmanager
def open_entry(name: str, directory: Path | None = None) -> Iterator[BinaryIO | None]:
    """The pickled bytes of the entry `name` as a file, if this user's rulex wrote them, else
    None (a warning says why, unless the entry is simply not there)."""
    with _Directory.open(directory, create=False) as folder:
        fh = _checked_entry(folder, name) if folder else None
    try:
        yield fh
    finally:
        if fh is not None:
            fh.close()


def _checked_entry(folder: _Directory, name: str) -> BinaryIO | None:
    key = folder.key(create=False)
    if key is None:
        return None
    fd = folder.open_file(name)
    if fd is None:
        return None
    fh = os.fdopen(fd, "rb")
    try:
        before = os.fstat(fd)
        header = fh.read(HEADER)
        if len(header) < HEADER or not header.startswith(MAGIC):
            _warn(f"ignored the cache entry {folder.path / name}: not a rulex cache entry; compiled anew")
        elif folder.sealed(name, seal := _seal(key, name, header, before)):
            return fh  # the bytes checked whole before (see `_seal`): read as they are unpickled
        else:
            payload = fh.read()
            if not hmac.compare_digest(header[len(MAGIC):], _tag(key, name, len(payload), _digests(_chunks(payload)))):
                _warn(f"ignored the cache entry {folder.path / name}: its signature does not match (altered, "
                      "or written by someone else); compiled anew")
            else:
                if _seal(key, name, header, os.fstat(fd)) == seal and time.time() - before.st_ctime > SETTLE_SECONDS:
                    folder.write(_seal_name(name), (seal,), sync=False)
                return io.BytesIO(payload)
    except OSError:
        pass
    fh.close()
    return None


def write_entry(name: str, payload: bytes, directory: Path | None = None) -> bool:
    """Sign and write the entry `name` (atomically), then prune the directory. False if the
    cache cannot be used (never an exception: caching is an optimisation only)."""
    with _Directory.open(directory, create=True) as folder:
        key = folder.key(create=True) if folder else None
        if key is None:
            return False
        tag = _tag(key, name, len(payload), _digests(_chunks(payload)))
        if not folder.write(name, (MAGIC + tag, payload)):
            return False
        folder.prune(keep=name)
        return True


def read_file(name: str, directory: Path | None = None) -> bytes | None:
    """A plain file of the cache directory (no signature: for data that runs no code, such as
    JSON), if the directory and the file are this user's and no one else can write them."""
    with _Directory.open(directory, create=False) as folder:
        fd = folder.open_file(name) if folder else None
        if fd is None:
            return None
        try:
            with os.fdopen(os.dup(fd), "rb") as fh:
                return fh.read()
        except OSError:
            return None
        finally:
            os.close(fd)


def write_file(name: str, data: bytes, directory: Path | None = None) -> bool:
    """Write a plain file of the cache directory atomically (0600); False if it cannot be."""
    with _Directory.open(directory, create=True) as folder:
        return bool(folder) and folder.write(name, (data,))


def prune(directory: Path | None = None, keep: str | None = None, entries: int | None = None) -> list[Path]:
    """Delete all but the `entries` most recently used compiled packs (and old half-written
    files) from the cache directory; every edit of a pack makes a new entry, so without this
    the cache grows without end. Returns what was deleted."""
    with _Directory.open(directory, create=False) as folder:
        return folder.prune(keep, entries) if folder else []


# -- the directory ---------------------------------------------------------------------------

class _Directory:
    """The cache directory, opened once and checked: every file is then opened relative to it
    (`dir_fd`), so that the directory cannot be swapped between the check and the use."""

    def __init__(self, path: Path, fd: int | None = None, ok: bool = False):
        self.path, self.fd, self.ok = path, fd, ok

    @classmethod
    def open(cls, path: Path | None, create: bool) -> _Directory:
        """The directory if it can be trusted; else a false one (with a warning if it exists
        but is someone else's or writable by others)."""
        path = Path(path) if path is not None else location()
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
            except OSError:
                return cls(path)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC) if _AT else None
            info = os.fstat(fd) if fd is not None else os.stat(path)
        except PermissionError:  # someone else's directory, closed to us
            _refuse_directory(path, _stat_or_none(path))
            return cls(path)
        except OSError:
            return cls(path)
        folder = cls(path, fd, ok=True)
        if not stat.S_ISDIR(info.st_mode) or not _trusted(info):
            _refuse_directory(path, info)
            folder.close()
            return cls(path)
        if info.st_mode & 0o077:  # ours, but readable by others (the default of an older rulex)
            _chmod(fd if fd is not None else path, 0o700)
        return folder

    def __bool__(self) -> bool:
        return self.ok

    def __enter__(self) -> _Directory:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
        self.fd, self.ok = None, False

    def _name(self, name: str) -> str:
        return name if _AT else str(self.path / name)

    def open_file(self, name: str) -> int | None:
        """A descriptor of the file `name` if it is this user's, a regular file (not a link) and
        writable by no one else; None (with a warning if it is there but fails that)."""
        try:
            fd = os.open(self._name(name), os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=self.fd)
        except FileNotFoundError:
            return None
        except OSError:  # a symlink (ELOOP), or not ours to read
            _warn(f"ignored the cache file {self.path / name}: not a regular file of yours")
            return None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _trusted(info):
            os.close(fd)
            _warn(f"ignored the cache file {self.path / name}: {_whose(info)}")
            return None
        return fd

    def key(self, create: bool) -> bytes | None:
        """This user's secret key, made on first use; None (with a warning) if the key file is
        someone else's or others can read or write it."""
        for _ in range(2):
            try:
                fd = os.open(self._name(KEY_NAME), os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=self.fd)
            except FileNotFoundError:
                if not create or not self._make_key():
                    return None
                continue
            except OSError:
                _refuse_directory(self.path, None, f"its key file {KEY_NAME} is not a regular file of yours")
                return None
            try:
                info = os.fstat(fd)
                key = os.read(fd, KEY_BYTES + 1)
            finally:
                os.close(fd)
            if not stat.S_ISREG(info.st_mode) or not _trusted(info, private=True) or len(key) != KEY_BYTES:
                why = _whose(info) if len(key) == KEY_BYTES else f"it does not hold a {KEY_BYTES}-byte key"
                _refuse_directory(self.path, None, f"its key file {KEY_NAME}: {why}")
                return None
            return key
        return None

    def _make_key(self) -> bool:
        """Write a new key: complete in a temporary file, then linked to its name, so that a
        process racing this one reads one whole key or the other's (os.link never replaces)."""
        tmp = self._temporary(KEY_NAME)
        if tmp is None:
            return False
        name, fd = tmp
        try:
            _write_all(fd, (secrets.token_bytes(KEY_BYTES),))
            os.close(fd)
            try:
                os.link(self._name(name), self._name(KEY_NAME), src_dir_fd=self.fd, dst_dir_fd=self.fd)
            except FileExistsError:
                pass  # another process made one first: it is the key
            return True
        except OSError:
            return False
        finally:
            self._unlink(name)

    def sealed(self, name: str, seal: bytes) -> bool:
        """Whether the entry `name` holds `seal`; if so, the seal is marked as used now."""
        fd = self.open_file(_seal_name(name))
        if fd is None:
            return False
        try:
            if not hmac.compare_digest(os.read(fd, len(seal) + 1), seal):
                return False
            _touch(fd)  # the entry's own times are part of its seal: its seal says when it was used
            return True
        finally:
            os.close(fd)

    def write(self, name: str, parts, sync: bool = True) -> bool:
        """Write `parts` (bytes-like) to a new temporary file, sync it and rename it to `name`."""
        tmp = self._temporary(name)
        if tmp is None:
            return False
        fd: int | None
        temp, fd = tmp
        try:
            _write_all(fd, parts, sync)
            os.close(fd)
            fd = None
            os.replace(self._name(temp), self._name(name), src_dir_fd=self.fd, dst_dir_fd=self.fd)
            return True
        except OSError:
            self._unlink(temp)
            return False
        finally:
            if fd is not None:
                os.close(fd)

    def _temporary(self, name: str) -> tuple[str, int] | None:
        """A new file `<name>.<random>.tmp`, 0600, created exclusively (never through a link)."""
        for _ in range(8):
            temp = f"{name}.{secrets.token_hex(8)}.tmp"
            try:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
                return temp, os.open(self._name(temp), flags, 0o600, dir_fd=self.fd)
            except FileExistsError:
                continue
            except OSError:
                return None
        return None

    def _unlink(self, name: str) -> None:
        try:
            os.unlink(self._name(name), dir_fd=self.fd)
        except OSError:
            pass  # another process got there first, or cannot delete: no harm

    def prune(self, keep: str | None = None, entries: int | None = None) -> list[Path]:
        if entries is None:
            try:
                entries = int(os.environ.get("RULEX_CACHE_ENTRIES") or ENTRIES)
            except ValueError:
                entries = ENTRIES
        now, removed = time.time(), []
        used: dict[str, tuple[list[str], float]] = {}  # entry stem -> (files, newest)
        stores: dict[str, dict[str, tuple[list[str], float]]] = {}  # store -> version -> (files, newest)
        with os.scandir(self.fd if _AT else self.path) as found:
            for item in found:
                entry, temp, store = _ENTRY.fullmatch(item.name), _TEMP.fullmatch(item.name), _STORE.fullmatch(item.name)
                if not (entry or temp or store):
                    continue  # not ours to delete (the key, the word-forms memo, a user's file)
                try:
                    when = item.stat(follow_symlinks=False).st_mtime
                except OSError:
                    continue  # deleted meanwhile by another process
                if store:
                    files, last = stores.setdefault(store.group(1), {}).get(store.group(2), ([], 0.0))
                    stores[store.group(1)][store.group(2)] = (files + [item.name], max(last, when))
                elif temp:
                    if now - when > STALE_TMP_SECONDS:
                        removed.append(item.name)
                elif entry:  # an entry, or its seal, which is touched when the entry is used
                    files, last = used.get(entry.group(1), ([], 0.0))
                    used[entry.group(1)] = (files + [item.name], max(last, when))
        packs = sorted(((last, files) for stem, (files, last) in used.items()
                        if f"{stem}.pickle" != keep and f"{stem}.pickle" in files), reverse=True)
        removed += [f for stem, (files, _) in used.items() if f"{stem}.pickle" not in files for f in files]  # orphan seals
        removed += [f for _, files in packs[max(0, entries - (keep is not None)):] for f in files]
        for versions in stores.values():  # a store made by another rulex (or regex module) than the newest
            newest = max(versions, key=lambda v: (any(f == keep for f in versions[v][0]), versions[v][1]))
            removed += [f for version, (files, _) in versions.items() if version != newest for f in files]
        for name in removed:
            self._unlink(name)
        return [self.path / name for name in removed]


# -- signatures ------------------------------------------------------------------------------

def _tag(key: bytes, name: str, size: int, digests: list[bytes]) -> bytes:
    """HMAC-SHA256 of the entry's name, its size and the SHA-256 of each of its chunks (a hash
    list, so that the chunks can be hashed in parallel: a large pack is tens of MB)."""
    mac = hmac.new(key, MAGIC + name.encode() + b"\0" + size.to_bytes(8, "big"), hashlib.sha256)
    for digest in digests:
        mac.update(digest)
    return mac.digest()


def _seal(key: bytes, name: str, header: bytes, info: os.stat_result) -> bytes:
    """The seal of an entry checked whole: an HMAC of its name, its tag and the identity of its
    file as it was then (device, inode, size, modification and change times). The change time
    is set by the kernel on every write, rename or chmod, and no user can set it back, so while
    the file shows the same identity its bytes are the ones checked, and a load need not hash
    tens of MB again. A seal is only made for a file unchanged for SETTLE_SECONDS, longer than
    the file system's timestamp granularity, so a later write cannot leave the same times."""
    identity = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    return hmac.new(key, b"seal\0" + name.encode() + b"\0" + header + repr(identity).encode(), hashlib.sha256).digest()


def _seal_name(name: str) -> str:
    return name.rsplit(".", 1)[0] + ".seal"


def _sha256(chunk) -> bytes:
    return hashlib.sha256(chunk).digest()  # releases the GIL: the chunks hash on several cores


def _threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _chunks(data: bytes) -> list[memoryview]:
    view = memoryview(data)
    return [view[i:i + CHUNK] for i in range(0, len(view), CHUNK)]


def _digests(chunks: list) -> list[bytes]:
    if _threads() == 1 or len(chunks) < 2:
        return [_sha256(c) for c in chunks]
    with ThreadPoolExecutor(_threads()) as pool:
        return list(pool.map(_sha256, chunks))


# -- small helpers ---------------------------------------------------------------------------

def _write_all(fd: int, parts, sync: bool = True) -> None:
    for part in parts:
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view):]
    if sync:
        os.fsync(fd)


def _trusted(info: os.stat_result, private: bool = False) -> bool:
    """Owned by this user and writable by no one else (with `private`, not readable either)."""
    if not hasattr(os, "geteuid"):
        return True  # no owners and modes to check (Windows): a user's profile is private
    return info.st_uid == os.geteuid() and not info.st_mode & (0o077 if private else 0o022)


def _whose(info: os.stat_result) -> str:
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return f"it is owned by another user (uid {info.st_uid})"
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        return "it is not a regular file"
    return f"others can {'write' if info.st_mode & 0o022 else 'read'} it (mode {stat.S_IMODE(info.st_mode):04o})"


def _refuse_directory(path: Path, info: os.stat_result | None, why: str | None = None) -> None:
    why = why or (_whose(info) if info is not None else "it cannot be checked")
    _warn(f"not using the compile cache {path}: {why}; packs are compiled anew")


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _chmod(target, mode: int) -> None:
    try:
        os.chmod(target, mode)
    except OSError:
        pass


def _touch(fd: int) -> None:
    """Mark an entry as used now (the pruning keeps the most recently used)."""
    try:
        os.utime(fd)
    except (OSError, NotImplementedError):
        pass


def _warn(message: str) -> None:
    """A `CacheWarning` pointing at the first caller outside rulex (as with warnings raised by
    the API), so that a run shows one line about the cache it did not use."""
    here, level = os.path.dirname(__file__), 1
    frame: FrameType | None = sys._getframe(0)
    while frame is not None and frame.f_code.co_filename.startswith(here):
        frame, level = frame.f_back, level + 1
    warnings.warn(f"rulex: {message}", CacheWarning, stacklevel=level)
