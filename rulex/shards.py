"""Sharded runs: inputs cut into partitions, one JSONL shard per partition, a manifest, resume.

`rulex run PACK INPUTS -o DIR/` (with `--jobs N`, or `--dask ADDRESS`: cluster.py) plans the
run (`plan`): the input files (locations.py) in order, cut into partitions of about
`partition_bytes`: a big uncompressed JSONL file into byte ranges (a partition holds the lines
that start in its range; the lines before each range are counted first, by the workers, so
that ids and problems name the same line numbers as a single-process run), small files
grouped. `run_partition`, in whatever process runs it, reads its partition, matches it and
writes `part-NNNNN.jsonl` whole (to a temporary name, renamed when complete), so the shards
concatenated in order are byte for byte the output of `rulex run PACK INPUTS`; it returns
what it did (`ShardResult`: counts, the failed documents, the shard's size and SHA-256).

The manifest (`DIR/manifest.json`, `Manifest`) says what the run is (the rulex version, the
pack's digest, every input with its size and version, the options: `describe`), its
partitions, and for each partition done, its result. Only the client writes it, after a
shard is complete, so a shard it lists is whole; a shard not listed (a worker or the client
killed before it was recorded) is written again by `--resume`, from scratch, with the same
bytes. `read_manifest` reads it as data only (JSON, every field checked: `ManifestError`).

The pack reaches the workers as `ShippedPack`: its compiled form as bytes (pack.to_payload)
with their digest; a worker loads it once (`worker_pack`, ~0.3 s for the conflict pack, never
compiled) and keeps it for every later task of the run.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from . import __version__
from .inputs import InputFormat, InputProblem, read_as_jsonl, read_piece
from .locations import Compression, Location, Piece, count_newlines, filesystem, url_protocol
from .outputs.jsonl import json_line
from .pack import Pack, from_payload, to_payload

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
DEFAULT_PARTITION_BYTES = 4_000_000   # ~1 s of the conflict pack: the cost of a task (~10 ms) is lost in it
CHECKPOINT_SECONDS = 0.5
SHARD_PREFIX, SHARD_SUFFIX = "part-", ".jsonl"


class ManifestError(ValueError):
    """A manifest that cannot be read or is not one rulex wrote; the message says where."""


class TaskFailed(Exception):
    """A partition's task failed as a whole (its worker died too often, the output cannot be
    written); the message names the partition."""


class ResumeRefused(Exception):
    """`--resume` cannot continue this output directory; the message says why."""


@dataclass(frozen=True)
class Partition:
    """One task's share of the inputs and the shard it writes."""
    index: int
    shard: str
    pieces: tuple[Piece, ...]

    @property
    def size(self) -> int:
        return sum(piece.size for piece in self.pieces)


@dataclass(frozen=True)
class Failure:
    """A document that failed (bad input, a rule out of time), as the --errors file lists it."""
    doc: str | None
    source: str | None
    code: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "source": self.source, "code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class ShardResult:
    """What one partition's task did: its shard (size, SHA-256), counts and failed documents;
    `seconds`, the time the task took in its worker (pack lookup included)."""
    index: int
    documents: int
    matches: int
    characters: int
    shard_bytes: int
    sha256: str
    failures: tuple[Failure, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class RunSpec:
    """What every task needs besides the pack and its partition."""
    outdir: str
    date: dt.date | None = None
    input_format: InputFormat = InputFormat.AUTO
    rules: frozenset[int] | None = None
    types: frozenset[str] | None = None


@dataclass(frozen=True)
class ShippedPack:
    """A compiled pack on its way to workers: pack.to_payload's bytes and their SHA-256."""
    digest: str
    payload: bytes = field(repr=False)


@dataclass(frozen=True)
class Manifest:
    """A sharded run: what it is (`run`: rulex, pack, inputs, options), its partitions and the
    result of each partition done (None: not yet)."""
    run: dict[str, Any]
    partitions: tuple[Partition, ...]
    results: tuple[ShardResult | None, ...]
    complete: bool = False

    @property
    def pending(self) -> list[Partition]:
        return [p for p, r in zip(self.partitions, self.results) if r is None]

    def done(self) -> list[ShardResult]:
        return [r for r in self.results if r is not None]

    def with_result(self, result: ShardResult) -> Manifest:
        results = list(self.results)
        results[result.index] = result
        return replace(self, results=tuple(results))


# ---- the pack in workers ---------------------------------------------------------------

_PACKS: dict[str, Pack] = {}   # digest -> pack, in this process (a worker keeps the last two)
KEPT_PACKS = 2


def ship(pack: Pack) -> ShippedPack:
    payload = to_payload(pack)
    return ShippedPack(hashlib.sha256(payload).hexdigest(), payload)


def install(shipped: ShippedPack) -> Pack:
    """Load a shipped pack into this process (once: later calls find it)."""
    found = _PACKS.get(shipped.digest)
    if found is None:
        while len(_PACKS) >= KEPT_PACKS:
            del _PACKS[next(iter(_PACKS))]
        found = _PACKS[shipped.digest] = from_payload(shipped.payload, freeze=True)
    return found


def keep_local(pack: Pack) -> str:
    """Make a pack loaded in this process the one tasks here use by its digest (-j 1)."""
    digest = "local-" + uuid.uuid4().hex
    _PACKS[digest] = pack
    return digest


def worker_pack(source: ShippedPack | str) -> Pack:
    """The pack a task runs: the shipped one (loaded once per process), or by digest one already
    installed (a --jobs worker's initializer installed it)."""
    if isinstance(source, ShippedPack):
        return install(source)
    try:
        return _PACKS[source]
    except KeyError:
        raise RuntimeError(f"pack {source} was not installed in this worker") from None


# ---- planning ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LineCount:
    """A count of newline bytes to make: [start, end) of a file."""
    location: Location
    start: int
    end: int


def count_job(job: LineCount) -> int:
    return count_newlines(job.location, job.start, job.end)


Counter = Callable[[list[LineCount]], list[int]]


def plan(locations: list[Location], partition_bytes: int, counter: Counter | None = None,
         input_format: InputFormat = InputFormat.AUTO) -> list[Partition]:
    """The partitions of a run: big uncompressed JSONL files cut into ranges of about
    `partition_bytes` (their first line numbers counted by `counter`, which may run the counts on
    workers), the other files (text, compressed) grouped in order up to that size."""
    counter = counter or (lambda jobs: [count_job(job) for job in jobs])
    ranges: list[list[tuple[int, int | None]]] = []
    jobs: list[LineCount] = []
    for location in locations:
        if location.splittable and location.size > partition_bytes and read_as_jsonl(location, input_format):
            cuts = list(range(0, location.size, partition_bytes))
            ranges.append([(start, min(start + partition_bytes, location.size)) for start in cuts])
            # newlines in [previous start - 1, start - 1): summed, the lines before each cut
            jobs += [LineCount(location, max(cuts[i - 1] - 1, 0), cuts[i] - 1) for i in range(1, len(cuts))]
        else:
            ranges.append([(0, None)])
    counts = iter(counter(jobs))
    pieces: list[Piece] = []
    for location, location_ranges in zip(locations, ranges):
        before = 0
        for number, (start, end) in enumerate(location_ranges):
            if number:
                before += next(counts)
            pieces.append(Piece(location, start, end, 2 + before if start else 1))
    groups: list[list[Piece]] = []
    size = 0
    for piece in pieces:   # a range of a big file is a partition of its own; whole files are grouped
        ranged = piece.end is not None
        if not groups or ranged or groups[-1][-1].end is not None or size + piece.size > partition_bytes:
            groups.append([])
            size = 0
        groups[-1].append(piece)
        size += piece.size
    width = max(5, len(str(len(groups) - 1)))
    return [Partition(i, f"{SHARD_PREFIX}{i:0{width}d}{SHARD_SUFFIX}", tuple(group)) for i, group in enumerate(groups)]


# ---- a task: one partition -----------------------------------------------------------------

def run_partition(pack_source: ShippedPack | str, partition: Partition, spec: RunSpec) -> ShardResult:
    """Match one partition and write its shard whole (the same bytes however often it runs)."""
    started = time.perf_counter()
    pack = worker_pack(pack_source)
    rules = set(spec.rules) if spec.rules is not None else None
    documents = matches = characters = 0
    failures: list[Failure] = []
    digest = hashlib.sha256()
    written = 0
    with shard_file(spec.outdir, partition.shard) as out:
        for piece in partition.pieces:
            for item in read_piece(piece, spec.date, spec.input_format):
                if isinstance(item, InputProblem):
                    failures.append(Failure(item.doc, item.source, "input", item.message))
                    continue
                result = pack.process(item, rules)
                failures += [Failure(item.id, item.origin, p.code, p.message) for p in result.problems]
                documents += 1
                characters += len(item.text)
                for match in result.matches:
                    if spec.types is None or match.type in spec.types:
                        line = json_line(match).encode("utf-8")
                        out.write(line)
                        digest.update(line)
                        written += len(line)
                        matches += 1
    return ShardResult(partition.index, documents, matches, characters, written, digest.hexdigest(),
                       tuple(failures), time.perf_counter() - started)


class shard_file:
    """A shard being written: to a temporary name beside it, renamed over it when complete
    (a local directory); to an object store, where a file appears only once closed, directly."""

    def __init__(self, outdir: str, name: str):
        self.local = local_dir(outdir)
        self.outdir, self.name = outdir, name
        self.tmp = ""
        self.raw: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if self.local is not None:
            self.local.mkdir(parents=True, exist_ok=True)
            self.tmp = str(self.local / f".{self.name}.{uuid.uuid4().hex[:12]}.tmp")
            self.raw = open(self.tmp, "wb", buffering=1 << 20)   # noqa: SIM115 - closed in __exit__
        else:
            fs, root = filesystem(self.outdir)
            self.raw = fs.open(f"{root.rstrip('/')}/{self.name}", "wb")
        assert self.raw is not None
        return self.raw

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        assert self.raw is not None
        self.raw.close()
        if self.local is None:
            return
        if error is None:
            os.replace(self.tmp, self.local / self.name)
        else:
            Path(self.tmp).unlink(missing_ok=True)


def local_dir(outdir: str) -> Path | None:
    """The local directory an output directory is (a path or file:// URL), else None."""
    protocol = url_protocol(outdir)
    if protocol is None:
        return Path(outdir)
    if protocol == "file":
        return Path(outdir[len("file://"):])
    return None


# ---- the output directory, seen from the client ------------------------------------------

class OutputDir:
    """Reading and replacing the manifest and shards of an output directory (local or a URL)."""

    def __init__(self, outdir: str):
        self.outdir = outdir
        self.local = local_dir(outdir)
        if self.local is None:
            self.fs, self.root = filesystem(outdir)

    def _path(self, name: str) -> str:
        return f"{self.root.rstrip('/')}/{name}"

    def read(self, name: str) -> bytes | None:
        try:
            if self.local is not None:
                return (self.local / name).read_bytes()
            with self.fs.open(self._path(name), "rb") as fh:
                data: bytes = fh.read()
                return data
        except FileNotFoundError:
            return None

    def size(self, name: str) -> int | None:
        try:
            if self.local is not None:
                return (self.local / name).stat().st_size
            return int(self.fs.info(self._path(name))["size"])
        except FileNotFoundError:
            return None

    def replace(self, name: str, data: bytes) -> None:
        """Write a file whole: a reader sees the old one or the new one, never a part."""
        if self.local is None:
            self.fs.pipe_file(self._path(name), data)
            return
        self.local.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.local)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.local / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def shards(self) -> list[str]:
        """The shard files in the directory."""
        if self.local is not None:
            if not self.local.is_dir():
                return []
            names = [p.name for p in self.local.iterdir()]
        else:
            try:
                names = [p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(self.root, detail=False)]
            except FileNotFoundError:
                return []
        return sorted(n for n in names if n.startswith(SHARD_PREFIX) and n.endswith(SHARD_SUFFIX))

    def remove(self, name: str) -> None:
        if self.local is not None:
            (self.local / name).unlink(missing_ok=True)
        else:
            self.fs.rm_file(self._path(name))

    def remove_temporaries(self) -> None:
        """Drop the temporary shards of tasks that were killed or ran twice (a local directory)."""
        if self.local is not None and self.local.is_dir():
            for path in self.local.glob(f".{SHARD_PREFIX}*.tmp"):
                path.unlink(missing_ok=True)


# ---- the manifest ------------------------------------------------------------------------

def describe(pack_path: str, pack_digest: str, locations: list[Location], options: dict[str, Any]) -> dict[str, Any]:
    """What decides a sharded run's output (as resume.describe_run for one file)."""
    return {"rulex": __version__, "pack": {"path": pack_path, "digest": pack_digest},
            "inputs": [{"path": loc.name, "size": loc.size, "version": loc.version} for loc in locations],
            "options": options}


def manifest_json(manifest: Manifest) -> str:
    totals = {"partitions": len(manifest.partitions), "done": len(manifest.done()),
              "documents": sum(r.documents for r in manifest.done()),
              "matches": sum(r.matches for r in manifest.done()),
              "failures": sum(len(r.failures) for r in manifest.done())}
    record = {"rulex_manifest": MANIFEST_VERSION, "complete": manifest.complete, "run": manifest.run, "totals": totals,
              "partitions": [_partition_dict(p, r) for p, r in zip(manifest.partitions, manifest.results)]}
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


def _partition_dict(partition: Partition, result: ShardResult | None) -> dict[str, Any]:
    pieces = [{"path": p.location.name, "size": p.location.size, "version": p.location.version,
               "compression": p.location.compression.value, "start": p.start, "end": p.end,
               "first_line": p.first_line} for p in partition.pieces]
    done = None if result is None else {
        "documents": result.documents, "matches": result.matches, "characters": result.characters,
        "bytes": result.shard_bytes, "sha256": result.sha256, "seconds": round(result.seconds, 4),
        "failures": [f.to_dict() for f in result.failures]}
    return {"index": partition.index, "shard": partition.shard, "pieces": pieces, "done": done}


def read_manifest(text: str | bytes) -> Manifest:
    """A manifest read back: JSON data only, every field checked; ManifestError names the first
    one that is wrong."""
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as err:   # UnicodeDecodeError is a ValueError
        raise ManifestError(f"not JSON: {err}") from None
    data = _Checked(record, "manifest")
    if data.field("rulex_manifest", int) != MANIFEST_VERSION:
        raise ManifestError(f"manifest: unknown version {record.get('rulex_manifest')!r}")
    complete = data.field("complete", bool)
    run = data.field("run", dict)
    run_data = _Checked(run, "run")
    run_data.field("rulex", str)
    pack = _Checked(run_data.field("pack", dict), "run.pack")
    pack.field("path", str)
    pack.field("digest", str)
    for i, item in enumerate(run_data.field("inputs", list)):
        _Checked(item, f"run.inputs[{i}]").field("path", str)
    run_data.field("options", dict)
    partitions, results = [], []
    for i, item in enumerate(data.field("partitions", list)):
        where = f"partitions[{i}]"
        entry = _Checked(item, where)
        if entry.field("index", int) != i:
            raise ManifestError(f"{where}.index: {item.get('index')!r}, expected {i}")
        shard = entry.field("shard", str)
        if not (shard.startswith(SHARD_PREFIX) and shard.endswith(SHARD_SUFFIX) and shard[5:-6].isdigit()
                and shard[5:-6].isascii()):
            raise ManifestError(f"{where}.shard: {shard!r} is not a shard name (part-NNNNN.jsonl)")
        pieces = tuple(_piece(piece, f"{where}.pieces[{j}]") for j, piece in enumerate(entry.field("pieces", list)))
        partitions.append(Partition(i, shard, pieces))
        done = entry.field("done", dict, optional=True)
        results.append(None if done is None else _result(i, _Checked(done, f"{where}.done")))
    return Manifest(run, tuple(partitions), tuple(results), complete)


def _piece(item: object, where: str) -> Piece:
    entry = _Checked(item, where)
    try:
        compression = Compression(entry.field("compression", str))
    except ValueError:
        raise ManifestError(f"{where}.compression: {entry.data.get('compression')!r} is not one of "
                            f"{', '.join(c.value for c in Compression)}") from None
    location = Location(entry.field("path", str), entry.count("size"), entry.field("version", str), compression)
    end = entry.field("end", int, optional=True)
    start = entry.count("start")
    if end is not None and end < start:
        raise ManifestError(f"{where}.end: {end} is before start {start}")
    first_line = entry.count("first_line")
    if first_line < 1:
        raise ManifestError(f"{where}.first_line: {first_line}, expected 1 or more")
    return Piece(location, start, end, first_line)


def _result(index: int, entry: _Checked) -> ShardResult:
    failures = []
    for k, item in enumerate(entry.field("failures", list)):
        failure = _Checked(item, f"{entry.where}.failures[{k}]")
        failures.append(Failure(failure.field("doc", str, optional=True), failure.field("source", str, optional=True),
                                failure.field("code", str), failure.field("reason", str)))
    seconds = entry.field("seconds", (int, float))
    return ShardResult(index, entry.count("documents"), entry.count("matches"), entry.count("characters"),
                       entry.count("bytes"), entry.field("sha256", str), tuple(failures), float(seconds))


class _Checked:
    """A JSON object whose fields are read with their type checked."""

    def __init__(self, data: object, where: str):
        if not isinstance(data, dict):
            raise ManifestError(f"{where}: expected an object, found {type(data).__name__}")
        self.data: dict[str, Any] = data
        self.where = where

    def field(self, name: str, kind: Any, optional: bool = False) -> Any:
        value = self.data.get(name)
        if value is None and optional:
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            raise ManifestError(f"{self.where}.{name}: expected {expected}, found {value!r:.60}")
        return value

    def count(self, name: str) -> int:
        value: int = self.field(name, int)
        if value < 0:
            raise ManifestError(f"{self.where}.{name}: {value} is negative")
        return value


# ---- starting, resuming, driving a run -------------------------------------------------------

def start(outdir: OutputDir, run: dict[str, Any], partitions: Callable[[], list[Partition]], resume: bool) -> Manifest:
    """The manifest to run: a fresh one (old shards removed), or with --resume the one in the
    directory, checked against `run`, its partitions whose shard is gone or not as recorded
    marked to do again. ResumeRefused when it cannot be continued."""
    from .resume import run_difference
    found = outdir.read(MANIFEST_NAME)
    if resume and found is not None:
        try:
            saved = read_manifest(found)
        except ManifestError as err:
            raise ResumeRefused(f"cannot read its {MANIFEST_NAME}: {err}") from None
        why = run_difference(saved.run, run)
        if why:
            raise ResumeRefused(why)
        results = tuple(None if r is None or outdir.size(p.shard) != r.shard_bytes else r
                        for p, r in zip(saved.partitions, saved.results))
        return Manifest(run, saved.partitions, results)
    if resume and outdir.shards():
        raise ResumeRefused(f"it holds shards but no {MANIFEST_NAME}, so what they hold is not known")
    if found is not None:
        outdir.remove(MANIFEST_NAME)   # first: no manifest ever describes shards of another run
    for name in outdir.shards():
        outdir.remove(name)
    planned = partitions()
    return Manifest(run, tuple(planned), (None,) * len(planned))


Executor = Callable[[list[Partition]], Iterable[ShardResult]]


def drive(outdir: OutputDir, manifest: Manifest, execute: Executor,
          on_result: Callable[[ShardResult], None] = lambda result: None) -> Manifest:
    """Run the partitions not done, recording each result in the manifest as it comes (at most
    every CHECKPOINT_SECONDS, and at the end, even when interrupted)."""
    outdir.replace(MANIFEST_NAME, manifest_json(manifest).encode("utf-8"))
    last = time.monotonic()
    try:
        for result in execute(manifest.pending):
            manifest = manifest.with_result(result)
            on_result(result)
            if time.monotonic() - last >= CHECKPOINT_SECONDS:
                outdir.replace(MANIFEST_NAME, manifest_json(manifest).encode("utf-8"))
                last = time.monotonic()
        manifest = replace(manifest, complete=not manifest.pending)
        outdir.remove_temporaries()
    finally:
        outdir.replace(MANIFEST_NAME, manifest_json(manifest).encode("utf-8"))
    return manifest


def local_executor(pack: Pack, spec: RunSpec, jobs: int) -> Executor:
    """Partitions run in this process (jobs 1) or in `jobs` worker processes, each loading the
    shipped pack once."""
    def execute(partitions: list[Partition]) -> Iterator[ShardResult]:
        if not partitions:
            return
        if jobs == 1:
            digest = keep_local(pack)
            try:
                for partition in partitions:
                    yield task_result(functools.partial(run_partition, digest, partition, spec), partition)
            finally:
                _PACKS.pop(digest, None)
            return
        shipped = ship(pack)
        with ProcessPoolExecutor(jobs, initializer=install, initargs=(shipped,)) as pool:
            try:
                futures = {pool.submit(run_partition, shipped.digest, p, spec): p for p in partitions}
                for future in as_completed(futures):
                    yield task_result(future.result, futures[future])
            finally:
                pool.shutdown(cancel_futures=True)
    return execute


def task_result(result: Callable[[], ShardResult], partition: Partition) -> ShardResult:
    """A task's result, or TaskFailed saying which partition's task failed and why."""
    try:
        return result()
    except Exception as err:   # noqa: BLE001 - whatever a worker raised, named with its partition
        where = ", ".join(f"{p.location.name}" + (f" bytes {p.start}-{p.end}" if p.end is not None else "")
                          for p in partition.pieces[:3])
        raise TaskFailed(f"partition {partition.index} ({where}) failed: {type(err).__name__}: {err}") from None


def local_counter(jobs: int) -> Counter:
    """Line counts made here, or by `jobs` processes."""
    def count(items: list[LineCount]) -> list[int]:
        if jobs == 1 or len(items) < 2:
            return [count_job(job) for job in items]
        with ProcessPoolExecutor(min(jobs, len(items))) as pool:
            return list(pool.map(count_job, items))
    return count
