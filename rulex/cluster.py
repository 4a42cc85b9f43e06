"""Runs on a Dask cluster (`rulex run ... -o DIR/ --dask ADDRESS`), and Dask collections in Python.

Dask (`distributed`) schedules; rulex only says what a task is. `connect` reaches a scheduler
(`tcp://host:8786`) or starts a local cluster of worker processes (`local`, `local:N`).
`executor` runs a sharded run's partitions there (shards.py): the compiled pack goes to every
worker once, scattered as `shards.ShippedPack` (pack.to_payload's bytes, broadcast to the
workers when the run starts and copied from a peer to a worker that joins later, e.g. in place
of a killed one), and each task is `shards.run_partition(pack, partition, spec)`: the worker
loads the pack on its first task (~0.3 s for the conflict pack, never compiled) and finds it in
memory on every later one. A worker killed mid-task is survived by Dask, which runs its tasks
again elsewhere; the shard is then written again whole, with the same bytes.

For Python users with Dask collections: `extract_bag` turns a `dask.bag` of texts or records
(`{"id", "text", "date", ...}`, as in JSONL input) into a bag of matches (the JSONL objects),
and `matches_dataframe` into a `dask.dataframe` with the columns of `rulex run -f csv` (one
row per argument, or per event with `rows="event"`). Both work with any Dask scheduler; the
pack is one node of the graph, so it too reaches each worker once.
"""
from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .document import Document, parse_date
from .outputs.csv import ARGUMENT_COLUMNS, EVENT_COLUMNS, ROW_MODES, argument_rows, event_row
from .pack import Pack
from .shards import (
    Counter,
    Executor,
    LineCount,
    Partition,
    RunSpec,
    ShardResult,
    ShippedPack,
    count_job,
    run_partition,
    ship,
    task_result,
    worker_pack,
)

# The workers of a local cluster: no statistical profiler. It wakes every 10 ms to sample the
# task thread's stack, and each time takes the GIL from the matching: on a busy machine (every
# core at work) that cost a third of the throughput of 2 workers on 2 cores. Set it for the
# workers of any cluster: DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False (docs/cluster.md).
LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}
_LOCAL = re.compile(r"local(?::([1-9][0-9]{0,3}))?")


class ClusterError(Exception):
    """The Dask cluster cannot be reached or started; the message says why."""


@dataclass(frozen=True)
class Cluster:
    """A client of a Dask cluster, and the local cluster rulex started for it (if any)."""
    client: Any
    local: Any = None

    def close(self) -> None:
        self.client.close()
        if self.local is not None:
            self.local.close()


def _untyped(module: str) -> Any:
    """A module of dask or distributed (untyped: called as Any)."""
    return importlib.import_module(module)


def local_workers(address: str) -> int | None:
    """N of `local:N` (`local` alone: 2), or None when the address is not a local cluster's."""
    found = _LOCAL.fullmatch(address)
    if found is None:
        return None
    return int(found.group(1) or 2)


def connect(address: str) -> Cluster:
    """A client of the scheduler at `address`, or of a new local cluster (`local[:N]`: N worker
    processes of one thread each)."""
    try:
        distributed = _untyped("distributed")
    except ImportError as err:
        raise ClusterError(f"--dask needs the distributed package: {err}") from None
    workers = local_workers(address)
    try:
        if workers is not None:
            with _untyped("dask").config.set(LOCAL_WORKER_CONFIG):
                local = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=None)
            return Cluster(distributed.Client(local), local)
        return Cluster(distributed.Client(address, timeout="20s"))
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {err}") from None


def executor(client: Any, pack: Pack, spec: RunSpec) -> Executor:
    """Partitions run as Dask tasks, each result yielded as it comes."""
    def execute(partitions: list[Partition]) -> Iterator[ShardResult]:
        as_completed = _untyped("distributed").as_completed
        if not partitions:
            return
        shipped = ship(pack)
        [pack_future] = client.scatter([shipped], broadcast=True, hash=False)
        keys = [f"rulex-partition-{shipped.digest[:12]}-{p.index}" for p in partitions]
        futures = client.map(run_partition, [pack_future] * len(partitions), partitions, spec=spec, key=keys,
                             pure=False)
        by_key = {future.key: partition for future, partition in zip(futures, partitions)}
        try:
            for future in as_completed(futures):
                yield task_result(future.result, by_key[future.key])
        finally:
            client.cancel(futures + [pack_future])
    return execute


def counter(client: Any) -> Counter:
    """Line counts made as Dask tasks."""
    def count(jobs: list[LineCount]) -> list[int]:
        if not jobs:
            return []
        return list(client.gather(client.map(count_job, jobs, pure=False)))
    return count


# ---- Dask collections ------------------------------------------------------------------------

def extract_bag(pack: Pack, texts: Any) -> Any:
    """A `dask.bag` of matches (the JSONL objects of the output contract) from a bag of texts
    (str; ids `bag-P-N`, partition P, item N) or records (`{"id", "text", "date", ...}`)."""
    import dask
    shipped = dask.delayed(ship(pack), pure=True)
    task = dask.delayed(_partition_matches, pure=True)
    return _untyped("dask.bag").from_delayed([task(part, shipped, number) for number, part in enumerate(texts.to_delayed())])


def matches_dataframe(pack: Pack, texts: Any, rows: str = "argument") -> Any:
    """A `dask.dataframe` of the matches in a bag of texts or records, with the columns of
    `rulex run -f csv --csv-rows ROWS` (ROWS: argument or event)."""
    import dask
    import pandas as pd
    if rows not in ROW_MODES:
        raise ValueError(f"rows must be one of {', '.join(ROW_MODES)}, not {rows!r}")
    columns = ARGUMENT_COLUMNS if rows == "argument" else EVENT_COLUMNS
    shipped = dask.delayed(ship(pack), pure=True)
    meta = pd.DataFrame({c: pd.Series(dtype="int64" if c in _INTEGER_COLUMNS else "object") for c in columns})
    task = dask.delayed(_partition_frame, pure=True)
    parts = [task(part, shipped, number, rows, meta) for number, part in enumerate(texts.to_delayed())]
    return _untyped("dask.dataframe").from_delayed(parts, meta=meta, verify_meta=False)


_INTEGER_COLUMNS = {"match_start", "match_end", "start", "end", "rule_line"}


def _documents(items: list[Any], partition: int) -> Iterator[Document]:
    for number, item in zip(itertools.count(), items):
        if isinstance(item, str):
            yield Document(f"bag-{partition}-{number}", item)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            meta = {k: v for k, v in item.items() if k not in ("id", "text", "date")}
            date = parse_date(item.get("date"))
            yield Document(str(item.get("id", f"bag-{partition}-{number}")), item["text"], date, meta,
                           "document" if date else "option")
        else:
            raise TypeError(f"a bag item must be a text or a record with a string `text`, not {type(item).__name__}")


def _partition_matches(items: Any, shipped: ShippedPack, number: int) -> list[dict[str, Any]]:
    pack = worker_pack(shipped)
    return [m.to_dict() for doc in _documents(list(items), number) for m in pack.process(doc).matches]


def _partition_frame(items: Any, shipped: ShippedPack, number: int, rows: str, meta: Any) -> Any:
    import pandas as pd
    pack = worker_pack(shipped)
    out: list[list[Any]] = []
    for doc in _documents(list(items), number):
        for match in pack.process(doc).matches:
            out += argument_rows(match) if rows == "argument" else [event_row(match)]
    return pd.DataFrame(out, columns=list(meta.columns)).astype(meta.dtypes.to_dict())
