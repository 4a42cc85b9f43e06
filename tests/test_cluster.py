"""Sharded runs (issue 20): `rulex run -o DIR/` with --jobs and on a real Dask cluster
(`distributed.LocalCluster`, worker processes): the shards concatenated are the single-process
output; a worker killed mid-run, a client killed then --resume, URL inputs, bad documents in
the manifest; the dask.bag / dask.dataframe API. Bounded: a corpus of ~1.5 MB, the mini pack."""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from rulex import shards
from rulex.inputs import read_inputs, read_piece
from rulex.locations import Location, LocationError, list_locations

from .conftest import MINI_PACK, ROOT, SAMPLES, SHARED
from .test_cli import RULEX, rulex

distributed = pytest.importorskip("distributed")
needs_shared = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared is not beside the project")
NEWS = SHARED / "corpus" / "news" / "wikinews.jsonl"
PARTITION_MB = "0.05"   # ~30 partitions: a run lasts long enough to be killed in its middle


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Real news (a part of the corpus), the sample articles that the mini pack matches, records
    without an id (named by line number), a bad line and a lone surrogate, over two files."""
    folder = tmp_path_factory.mktemp("cluster")
    news = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()[:150]]
    samples = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    first, second = folder / "a.jsonl", folder / "b.jsonl"
    with first.open("w", encoding="utf-8") as fh:
        for i, record in enumerate(news):
            if i % 4 == 0:
                del record["id"]
            fh.write(json.dumps(record) + "\n")
            fh.write(json.dumps({"text": samples[i % len(samples)], "date": "2020-01-08"}) + "\n")
            if i == 70:
                fh.write('{"id": "broken", "text": "no end\n')
            if i == 120:
                fh.write('{"id": "lone", "text": "x\\udbff"}\n')
    with second.open("w", encoding="utf-8") as fh:
        for i in range(200):
            fh.write(json.dumps({"id": f"s{i}", "text": samples[i % len(samples)], "date": "2020-01-08"}) + "\n")
    out, errors = folder / "single.jsonl", folder / "single-errors.jsonl"
    result = rulex("run", MINI_PACK, first, second, "-o", out, "--errors", errors, "-q")
    assert result.returncode == 1, result.stderr
    return first, second, out.read_bytes(), errors.read_bytes()


@pytest.fixture(scope="module")
def cluster():
    """A real local Dask cluster: two worker processes (restarted by their nannies when killed)."""
    local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(local)
    yield client
    client.close()
    local.close()


def _shards(outdir) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(outdir.glob("part-*.jsonl")))


def _manifest(outdir) -> dict:
    return json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))


def _check_identical(outdir, errors, corpus, repeat=1):
    _, _, expected, expected_errors = corpus
    assert _shards(outdir) == expected and expected.count(b"\n") > 500 * repeat
    assert errors.read_bytes() == expected_errors
    manifest = _manifest(outdir)
    assert manifest["complete"] and manifest["totals"]["failures"] == 2 * repeat
    failed = [f for p in manifest["partitions"] for f in p["done"]["failures"]]
    assert [(f["doc"], f["code"]) for f in failed] == [(None, "input"), ("lone", "input")] * repeat
    assert failed[0]["source"].endswith("a.jsonl:143")   # the line number of a single-process run
    assert not list(outdir.glob(".*.tmp"))


@needs_shared
@pytest.mark.parametrize("how", [["-j", "1"], ["-j", "2"], ["--dask", "local:2"]])
def test_sharded_output_concatenated_is_the_single_process_output(corpus, tmp_path, how):
    first, second, _, _ = corpus
    outdir, errors = tmp_path / "out", tmp_path / "errors.jsonl"
    result = rulex("run", MINI_PACK, first, second, "-o", f"{outdir}/", "--errors", errors, "-q",
                   "--partition-mb", PARTITION_MB, *how)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == f"rulex: 2 document(s) failed; listed in {errors} and in {outdir}/manifest.json"
    _check_identical(outdir, errors, corpus)
    assert len(_manifest(outdir)["partitions"]) > 20


REPEAT = 4   # the kill tests read the corpus 4 times over: a run long enough to be killed in its middle


@pytest.fixture(scope="module")
def big(corpus, tmp_path_factory):
    """The corpus files given REPEAT times over as inputs, and the single-process output."""
    first, second, _, _ = corpus
    inputs = [first, second] * REPEAT
    folder = tmp_path_factory.mktemp("big")
    out, errors = folder / "single.jsonl", folder / "single-errors.jsonl"
    result = rulex("run", MINI_PACK, *inputs, "-o", out, "--errors", errors, "-q")
    assert result.returncode == 1, result.stderr
    return inputs, out.read_bytes(), errors.read_bytes()


def _running(manifest):
    return 0 < manifest["totals"]["done"] < manifest["totals"]["partitions"] and not manifest["complete"]


def _kill_when(proc, outdir, ready, what):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            manifest = _manifest(outdir)
        except (OSError, ValueError):
            manifest = None
        if manifest and ready(manifest):
            what()
            return manifest
        time.sleep(0.02)
    raise AssertionError("the run ended before it could be killed: make the corpus bigger")


@needs_shared
def test_a_worker_killed_by_pid_mid_run_is_survived_with_nothing_lost_or_twice(big, cluster, tmp_path):
    inputs, expected, expected_errors = big
    outdir, errors = tmp_path / "out", tmp_path / "errors.jsonl"
    address = cluster.scheduler.address
    victims = list(cluster.run(os.getpid).values())
    proc = subprocess.Popen(RULEX + ["run", str(MINI_PACK), *map(str, inputs), "-o", f"{outdir}/", "--errors",
                                     str(errors), "-q", "--partition-mb", PARTITION_MB, "--dask", address],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _kill_when(proc, outdir, _running, lambda: os.kill(victims[0], signal.SIGKILL))
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    _check_identical(outdir, errors, (None, None, expected, expected_errors), REPEAT)
    cluster.wait_for_workers(2, timeout=30)   # its nanny started another in its place
    assert victims[0] not in cluster.run(os.getpid).values()


@needs_shared
def test_a_killed_client_then_resume_runs_only_what_is_missing(big, cluster, tmp_path):
    inputs, expected, expected_errors = big
    outdir, errors = tmp_path / "out", tmp_path / "errors.jsonl"
    args = ["run", MINI_PACK, *inputs, "-o", f"{outdir}/", "--errors", errors, "-q", "--partition-mb", PARTITION_MB]
    proc = subprocess.Popen(RULEX + [str(a) for a in args] + ["--dask", "local:2"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _kill_when(proc, outdir, _running, lambda: os.killpg(proc.pid, signal.SIGKILL))   # the client and its cluster
    proc.wait()
    killed = _manifest(outdir)
    assert not killed["complete"] and 0 < killed["totals"]["done"] < killed["totals"]["partitions"]
    done = {p["shard"]: (outdir / p["shard"]).stat().st_mtime_ns for p in _manifest(outdir)["partitions"] if p["done"]}
    resumed = rulex(*args, "--dask", cluster.scheduler.address, "--resume")
    assert resumed.returncode == 1, resumed.stderr
    _check_identical(outdir, errors, (None, None, expected, expected_errors), REPEAT)
    assert {name: (outdir / name).stat().st_mtime_ns for name in done} == done   # finished shards left alone


@needs_shared
def test_resume_refuses_a_changed_pack_or_changed_inputs(corpus, tmp_path):
    first, _, _, _ = corpus
    pack, source = tmp_path / "pack", tmp_path / "a.jsonl"
    shutil.copytree(MINI_PACK, pack)
    shutil.copy(first, source)
    outdir = tmp_path / "out"
    args = ["run", pack, source, "-o", f"{outdir}/", "-q", "--partition-mb", PARTITION_MB]
    assert rulex(*args).returncode == 1
    with (pack / "attack.rulex").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the pack's files\n")
    changed = rulex(*args, "--resume")
    assert changed.returncode == 2
    assert f"cannot resume {outdir}/: the pack {pack} has changed since the interrupted run" in changed.stderr
    shutil.rmtree(pack)
    shutil.copytree(MINI_PACK, pack)
    assert rulex(*args, "--resume").returncode == 1   # the same bytes: the same pack, nothing to do
    with source.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "new", "text": "Iran fired missiles at Erbil."}) + "\n")
    grown = rulex(*args, "--resume")
    assert grown.returncode == 2 and f"the input {source} has changed since the interrupted run" in grown.stderr
    assert rulex(*args).returncode == 1   # without --resume: started afresh
    other = rulex(*args[:-2], "--partition-mb", "1", "--resume")
    assert other.returncode == 2 and "the option partition_bytes is not the same" in other.stderr
    (outdir / "manifest.json").write_text('{"rulex_manifest": 1, "complete": "yes"}')
    broken = rulex(*args, "--resume")
    assert broken.returncode == 2 and "manifest.complete: expected bool" in broken.stderr
    assert "Traceback" not in broken.stderr


@needs_shared
def test_file_url_glob_and_gzip_inputs_give_the_same_output(corpus, tmp_path):
    first, second, expected, _ = corpus
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl.gz").write_bytes(gzip.compress(first.read_bytes()))
    shutil.copy(second, folder / "b.jsonl")
    outdir = tmp_path / "out"
    result = rulex("run", MINI_PACK, f"file://{folder}/*.jsonl*", "-o", f"{outdir}/", "-q",
                   "--partition-mb", PARTITION_MB)
    assert result.returncode == 1, result.stderr
    assert _shards(outdir) == expected
    sources = [piece["path"] for p in _manifest(outdir)["partitions"] for piece in p["pieces"]]
    assert sources[0] == f"file://{folder}/a.jsonl.gz" and sources[-1] == f"file://{folder}/b.jsonl"
    missing = rulex("run", MINI_PACK, f"file://{folder}/*.txt", "-o", f"{tmp_path}/o2/")
    assert missing.returncode == 2 and "no file matches" in missing.stderr and "Traceback" not in missing.stderr


def _read(items):
    return [(d.id, d.text) if hasattr(d, "text") else (d.doc, d.message) for d in items]


@needs_shared
def test_memory_urls_read_as_the_files_they_copy(corpus, tmp_path):
    import bz2

    import fsspec
    first, _, _, _ = corpus
    shutil.copy(first, tmp_path / "news.jsonl")
    expected = _read(read_inputs([str(tmp_path / "news.jsonl")]))
    memory = fsspec.filesystem("memory")
    memory.pipe_file("/rulex-test/news.jsonl", first.read_bytes())
    memory.pipe_file("/rulex-test/sub/news.jsonl.bz2", bz2.compress(first.read_bytes()))
    try:
        found = list_locations(["memory://rulex-test/"])
        assert [loc.name for loc in found] == ["memory:///rulex-test/news.jsonl", "memory:///rulex-test/sub/news.jsonl.bz2"]
        for location in found:
            partitions = shards.plan([location], 40_000)
            assert len(partitions) == (1 if location.compression.value == "bz2" else len(range(0, location.size, 40_000)))
            assert _read(d for p in partitions for piece in p.pieces for d in read_piece(piece)) == expected
        assert _read(read_inputs(["memory://rulex-test/*.jsonl"])) == expected   # a single-process run too
        with pytest.raises(LocationError, match="no such file"):
            list_locations(["memory://rulex-test/nothing.jsonl"])
    finally:
        memory.rm("/rulex-test", recursive=True)


@needs_shared
def test_a_bag_of_records_gives_matches_and_a_dataframe_with_the_csv_columns(corpus, cluster, tmp_path):
    import dask.bag

    from rulex import load
    from rulex.cluster import extract_bag, matches_dataframe
    first, _, _, _ = corpus
    records = [{"id": f"r{i}", **json.loads(line)} for i, line in enumerate(first.read_text(encoding="utf-8").splitlines()[:60])]
    pack = load(MINI_PACK)
    bag = dask.bag.from_sequence(records, npartitions=4)
    matches = extract_bag(pack, bag).compute()
    source = tmp_path / "part.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    single = rulex("run", MINI_PACK, source)
    assert [json.loads(line) for line in single.stdout.splitlines()] == matches and matches
    frame = matches_dataframe(pack, bag).compute()
    table = rulex("run", MINI_PACK, source, "-f", "csv")
    rows = list(csv.reader(io.StringIO(table.stdout)))
    assert list(frame.columns) == rows[0]
    assert [[str(v) for v in row] for row in frame.itertuples(index=False)] == rows[1:]
    texts = extract_bag(pack, dask.bag.from_sequence([r["text"] for r in records[:4]], npartitions=2)).compute()
    assert {m["doc"] for m in texts} <= {"bag-0-0", "bag-0-1", "bag-1-0", "bag-1-1"} and texts


def test_planned_pieces_read_every_line_once_with_its_number(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.one_of(st.just(""), st.text(alphabet="ab{}\"\u00e9", max_size=12)), max_size=30),
           st.integers(1, 40), st.booleans())
    def check(lines, size, trailing_newline):
        data = "\n".join(json.dumps({"text": t}) if t != "" else "" for t in lines)
        data += "\n" if trailing_newline and data else ""
        path = tmp_path / "p.jsonl"
        path.write_bytes(data.encode("utf-8"))
        location = Location(str(path), path.stat().st_size, "1", list_locations([str(path)])[0].compression)
        whole = [(d.id, d.text) for d in read_inputs([str(path)])]
        pieces = [piece for p in shards.plan([location], size) for piece in p.pieces]
        assert [(d.id, d.text) for piece in pieces for d in read_piece(piece)] == whole
    check()


# ---- outside input: the manifest read on --resume, input names ------------------------------

def _json_values():
    from hypothesis import strategies as st
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**6), st.floats(allow_nan=False), st.text(max_size=8))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=5)),
                        max_leaves=20)


def _sample_manifest(tmp_path) -> str:
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "a"}\n' * 50, encoding="utf-8")
    partitions = shards.plan(list_locations([str(path)]), 200)
    result = shards.ShardResult(1, 3, 4, 40, 100, "ab" * 32, (shards.Failure(None, "x.jsonl:3", "input", "bad"),), 0.5)
    manifest = shards.Manifest(shards.describe("pack", "d", list_locations([str(path)]), {"format": "jsonl"}),
                               tuple(partitions), (None, result) + (None,) * (len(partitions) - 2))
    return shards.manifest_json(manifest)


def test_a_manifest_reads_back_as_written_and_any_change_is_refused_or_read_as_data(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st
    text = _sample_manifest(tmp_path)
    again = shards.read_manifest(text)
    assert shards.manifest_json(again) == text and again.results[1].failures[0].source == "x.jsonl:3"
    record = json.loads(text)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(["rulex_manifest", "complete", "run", "partitions", "pieces", "done", "index",
                                     "shard", "start", "end", "first_line", "size", "compression", "failures",
                                     "sha256", "seconds", "documents", "path", "pack"]), min_size=1, max_size=3),
           _json_values())
    def replaced(keys, value):
        changed = json.loads(json.dumps(record))
        _replace_deep(changed, keys, value)
        try:
            shards.read_manifest(json.dumps(changed))
        except shards.ManifestError as err:
            assert str(err)

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(_json_values().map(json.dumps), st.binary(max_size=64), st.text(max_size=64)))
    def anything(data):
        try:
            shards.read_manifest(data)
        except shards.ManifestError:
            pass

    replaced()
    anything()


def _replace_deep(node, keys, value):
    """Replace the first field named keys[-1] found on the way down through keys[:-1] (lists: their first item)."""
    for key in keys[:-1]:
        while isinstance(node, list) and node:
            node = node[0]
        if isinstance(node, dict) and isinstance(node.get(key), (dict, list)):
            node = node[key]
    while isinstance(node, list) and node:
        node = node[0]
    if isinstance(node, dict):
        node[keys[-1]] = value


def test_input_names_parse_without_surprises():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from rulex.locations import Compression, compression_of, has_glob, is_input_file, url_protocol

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=40))
    def names(name):
        protocol = url_protocol(name)
        assert protocol is None or (name.lower().startswith(protocol + "://") and protocol.isascii())
        assert has_glob(name) == any(c in name for c in "*?[")
        assert compression_of(name) in set(Compression)
        assert isinstance(is_input_file(name), bool)
    names()
    assert url_protocol("s3://bucket/x.jsonl") == "s3" and url_protocol("C:/x.jsonl") is None
    assert url_protocol("news/a://b") is None and url_protocol("/abs/path") is None
    location = Location("s3://b/2020/a.jsonl.gz", 1, "", Compression.GZIP)
    assert (location.stem, location.inner_suffix, location.splittable) == ("a", ".jsonl", False)
    assert Location("news/a.b.txt", 1, "", Compression.NONE).stem == "a.b"
    assert is_input_file("x.txt.bz2") and not is_input_file("x.csv.gz")
    with pytest.raises(LocationError, match="standard input"):
        list_locations(["-"])


def test_the_documented_bag_example_runs():
    example = ROOT / "docs" / "examples" / "cluster" / "bag_matches.py"
    result = subprocess.run([RULEX[0], str(example), str(MINI_PACK)], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "('mini.attack.launch', 1)" in result.stdout and "two military facilities" in result.stdout


def test_only_uncompressed_jsonl_is_cut_into_ranges(tmp_path):
    (tmp_path / "long.txt").write_text("Iran fired missiles at Erbil.\n" * 100, encoding="utf-8")
    (tmp_path / "long.jsonl").write_text('{"text": "x"}\n' * 100, encoding="utf-8")
    (tmp_path / "long.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n' * 100))
    found = list_locations([str(tmp_path)])
    partitions = shards.plan(found, 300)
    whole = [(p.location.name, p.end) for part in partitions for p in part.pieces if p.end is None]
    assert whole == [(str(tmp_path / "long.jsonl.gz"), None), (str(tmp_path / "long.txt"), None)]
    assert len(partitions) == 2 + len(range(0, (tmp_path / "long.jsonl").stat().st_size, 300))
    forced = shards.plan([loc for loc in found if loc.name.endswith(".txt")], 300, input_format=shards.InputFormat.JSONL)
    assert len(forced) > 1   # --input-format jsonl: a .txt file read as JSONL is cut too


def test_sharded_usage_errors(tmp_path):
    source = tmp_path / "x.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Iran fired missiles at Erbil."}) + "\n", encoding="utf-8")
    out = f"{tmp_path}/out/"
    for args, words in [(["-o", out, "-f", "csv"], "sharded output is JSONL"),
                        (["-o", out, "--profile"], "--profile times rules in one process"),
                        (["--dask", "local:2"], "give it with -o DIR/"),
                        (["-o", out, "--dask", "local:2", "-j", "2"], "--jobs and --dask do not go together"),
                        (["-o", f"{tmp_path}/"], f"-o {tmp_path}/ holds the input {source}")]:
        result = rulex("run", MINI_PACK, source, *args)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
    stdin = rulex("run", MINI_PACK, "-", "-o", out, stdin="")
    assert stdin.returncode == 2 and "standard input (-) cannot be split" in stdin.stderr
    missing = rulex("run", MINI_PACK, tmp_path / "nothing.jsonl", "-o", out)
    assert missing.returncode == 2 and "nothing.jsonl: no such file or directory" in missing.stderr
    assert not (tmp_path / "out").exists()
    plain = rulex("run", MINI_PACK, source, "-o", tmp_path / "plain.jsonl")   # -o FILE: as before
    assert plain.returncode == 0 and (tmp_path / "plain.jsonl").read_text().count("\n") == 1


def _count_calls():
    """In a worker: count the pack loads and regex compiles from now on."""
    from rulex import pack, regexcode, shards
    counts = {"loads": 0, "compiles": 0}

    def counted(function, name):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)
        return wrapper
    regexcode.compile_recording = counted(regexcode.compile_recording, "compiles")
    shards.from_payload = counted(pack.from_payload, "loads")
    shards._PACKS.clear()
    regexcode._COMPILED.clear()    # patterns come from the shipped code, or are compiled (counted)
    regexcode.RECORDED.clear()
    globals()["WORKER_COUNTS"] = counts


def _counts():
    return globals()["WORKER_COUNTS"]


@needs_shared
def test_the_pack_reaches_each_worker_once_and_is_never_compiled_there(corpus, cluster, tmp_path):
    from rulex import load
    from rulex.cluster import executor
    first, _, _, _ = corpus
    cluster.run(_count_calls)
    spec = shards.RunSpec(str(tmp_path / "out"))
    partitions = shards.plan(list_locations([str(first)]), 30_000)
    results = list(executor(cluster, load(MINI_PACK), spec)(partitions))
    assert sorted(r.index for r in results) == list(range(len(partitions))) and len(partitions) > 10
    counts = list(cluster.run(_counts).values())
    assert [c["compiles"] for c in counts] == [0, 0]
    assert 1 <= sum(c["loads"] for c in counts) <= 2 and all(c["loads"] <= 1 for c in counts)
