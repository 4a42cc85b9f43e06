"""Matches of a dask.bag of records, as a bag of JSONL objects and as a dask.dataframe with the
columns of `rulex run -f csv` (docs/cluster.md; run by tests/test_cluster.py).

    python docs/examples/cluster/bag_matches.py PACK
"""
import sys

import dask.bag
from distributed import Client, LocalCluster

import rulex
from rulex.cluster import extract_bag, matches_dataframe

RECORDS = [
    {"id": "a1", "text": "Iran launched missiles against the base in Iraq.", "date": "2020-01-08"},
    {"id": "a2", "text": "Nothing happened today."},
    {"id": "a3", "text": "Iran has delivered missile strikes against two military facilities in western Iraq."},
]


def main(pack_path: str) -> None:
    # --8<-- [start:example]
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster):
        pack = rulex.load(pack_path)                        # compiled here, once
        records = dask.bag.from_sequence(RECORDS, npartitions=2)   # or texts: plain strings

        matches = extract_bag(pack, records)                # a bag of output-contract objects
        print(matches.pluck("rule").frequencies().compute())

        table = matches_dataframe(pack, records)            # rows="event" for one row per match
        print(table[["doc", "type", "role", "arg_text"]].compute().to_string(index=False))
    # --8<-- [end:example]


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "rules/conflict")
