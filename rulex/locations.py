"""Where input documents live: local paths, globs and fsspec URLs, compressed or not.

`list_locations` turns the INPUTS of a sharded run (`rulex run -o DIR/`, `--dask`) into the
files to read, in a fixed order: a local file as given; a local directory's input files
(recursively, sorted, as `inputs.read_inputs` lists them); a glob (`news/*.jsonl`,
`s3://bucket/2020/**/*.jsonl.gz`) as its matches, sorted; a URL (`s3://`, `gs://`,
`file://`, `memory://`, any protocol fsspec knows) as that file, or that directory's input
files. A name that is none of these is a `LocationError` (a typo should stop a long run
before it starts). `.gz` and `.bz2` files are decompressed as they are read; the suffix
under the compression one (`.jsonl` in `a.jsonl.gz`) says how the file is read, and the
document id of a text file is its name without either (`a` for `a.txt.gz`).

Nothing here runs code a name holds: a URL only picks a filesystem class that fsspec has
registered, and the protocol must be one of `url_protocol`'s (letters, digits, `+.-`).
"""
from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import IO, Any

INPUT_SUFFIXES = (".txt", ".jsonl")
COMPRESSED_SUFFIXES = {".gz": "gzip", ".bz2": "bz2"}
_PROTOCOL = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*)://")
_GLOB = re.compile(r"[*?\[]")


class LocationError(ValueError):
    """An input that names no file; the message says which and why."""


class Compression(str, Enum):
    """How a file's bytes are stored: as they are, or gzip or bzip2 compressed."""
    NONE = "none"
    GZIP = "gzip"
    BZIP2 = "bz2"


@dataclass(frozen=True)
class Location:
    """One input file: its `name` (as messages and default document ids show it: the path or
    URL), its size in bytes and a `version` that changes when the file does (the local
    modification time, an object store's ETag or last-modified time)."""
    name: str
    size: int
    version: str
    compression: Compression

    @property
    def inner_suffix(self) -> str:
        """The suffix that says how the file is read, under any compression suffix."""
        return _split_name(self.name)[1]

    @property
    def stem(self) -> str:
        """The file name without its suffixes (compression included): a text file's document id."""
        return _split_name(self.name)[0]

    @property
    def splittable(self) -> bool:
        """Whether byte ranges of the file can be read on their own (not compressed)."""
        return self.compression is Compression.NONE


def url_protocol(name: str) -> str | None:
    """The protocol of a URL (`s3` of `s3://b/k`), or None for a local path."""
    found = _PROTOCOL.match(name)
    return found.group(1).lower() if found else None


def has_glob(name: str) -> bool:
    """Whether a name is a glob pattern (holds `*`, `?` or `[`)."""
    return _GLOB.search(name) is not None


def _split_name(name: str) -> tuple[str, str]:
    """(stem, reading suffix) of a path or URL: `a.jsonl.gz` -> (`a`, `.jsonl`)."""
    base = PurePosixPath(name.rstrip("/").rsplit("/", 1)[-1] if "://" in name else Path(name).name)
    if base.suffix in COMPRESSED_SUFFIXES:
        base = PurePosixPath(base.stem)
    return base.stem, base.suffix


def compression_of(name: str) -> Compression:
    """The compression a name's last suffix says."""
    kind = COMPRESSED_SUFFIXES.get(PurePosixPath(name).suffix)
    return Compression(kind) if kind else Compression.NONE


def is_input_file(name: str) -> bool:
    """Whether a directory's file is read: .txt or .jsonl, compressed or not."""
    return _split_name(name)[1] in INPUT_SUFFIXES


def list_locations(names: list[str]) -> list[Location]:
    """The files the inputs name, in reading order; LocationError for a name that names none."""
    found: list[Location] = []
    for name in names:
        if name == "-":
            raise LocationError("standard input (-) cannot be split into partitions; give files or URLs")
        if url_protocol(name) is not None:
            found.extend(_remote_locations(name))
        else:
            found.extend(_local_locations(name))
    return found


def _local_locations(name: str) -> list[Location]:
    path = Path(name)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and is_input_file(p.name))
        return [_local(str(p)) for p in files]
    if path.is_file():
        return [_local(name)]
    if has_glob(name):
        matches = sorted(m for m in glob.glob(name, recursive=True) if Path(m).is_file())
        if not matches:
            raise LocationError(f"{name}: no file matches")
        return [_local(m) for m in matches]
    raise LocationError(f"{name}: no such file or directory")


def _local(name: str) -> Location:
    try:
        stat = os.stat(name)
    except OSError as err:
        raise LocationError(f"{name}: cannot read: {err.strerror or err}") from None
    return Location(name, stat.st_size, str(stat.st_mtime_ns), compression_of(name))


def filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path in it) of a URL; LocationError when fsspec cannot open it."""
    import fsspec
    try:
        fs, path = fsspec.core.url_to_fs(url)
        return fs, str(path)
    except (ImportError, ValueError) as err:   # an unknown protocol, or its package not installed
        raise LocationError(f"{url}: {err}") from None


def _remote_locations(url: str) -> list[Location]:
    fs, path = filesystem(url)
    try:
        if has_glob(path):
            paths = sorted(p for p in fs.glob(path) if fs.isfile(p))
            if not paths:
                raise LocationError(f"{url}: no file matches")
        elif fs.isdir(path):
            paths = sorted(p for p in fs.find(path) if is_input_file(p))
        elif fs.isfile(path):
            paths = [path]
        else:
            raise LocationError(f"{url}: no such file or directory")
        return [_remote(fs, p, url) for p in paths]
    except OSError as err:
        raise LocationError(f"{url}: cannot read: {err}") from None


def _remote(fs: Any, path: str, given: str) -> Location:
    info = fs.info(path)
    name = fs.unstrip_protocol(path)
    if url_protocol(given) == "file" and not name.startswith("file://"):
        name = "file://" + path
    version = next((str(info[k]) for k in ("ETag", "etag", "md5Hash", "mtime", "LastModified", "last_modified",
                                           "updated", "created") if info.get(k) is not None), "")
    return Location(name, int(info.get("size") or 0), version, compression_of(path))


def open_location(location: Location, start: int = 0) -> IO[bytes]:
    """The file's bytes (decompressed), from byte `start` (of an uncompressed file)."""
    compression = None if location.compression is Compression.NONE else location.compression.value
    if url_protocol(location.name) is None:
        if compression is None:
            handle: IO[bytes] = open(location.name, "rb")   # noqa: SIM115 - the caller closes it
        else:
            import fsspec
            handle = fsspec.open(location.name, "rb", compression=compression).open()
    else:
        import fsspec
        handle = fsspec.open(location.name, "rb", compression=compression).open()
    if start:
        handle.seek(start)
    return handle


def count_newlines(location: Location, start: int, end: int) -> int:
    """How many newline bytes the file holds in [start, end) (to number the lines of a range)."""
    count, chunk = 0, 1 << 22
    with open_location(location, start) as fh:
        left = end - start
        while left > 0:
            data = fh.read(min(chunk, left))
            if not data:
                break
            count += data.count(b"\n")
            left -= len(data)
    return count


@dataclass(frozen=True)
class Piece:
    """The part of a file one partition reads: the lines that start in bytes [start, end)
    (end None: to the end of the file), the first of them line number `first_line`."""
    location: Location
    start: int = 0
    end: int | None = None
    first_line: int = 1

    @property
    def size(self) -> int:
        """Bytes of the file in the piece (the stored size, for compressed files)."""
        return (self.location.size if self.end is None else self.end) - self.start
