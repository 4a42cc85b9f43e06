"""Resumable runs: the state file kept beside `rulex run -o FILE`, and `--resume`.

A run of a line format (jsonl, csv, text) into a file keeps `FILE.rulex-run.json` beside it
(`state_path`): what the run is (`describe_run`: the rulex version, a digest of the pack's
files, every input file with its size and modification time, the options that shape the
output) and how far it got (`Progress`: the input items done, the documents, failed documents
and matches among them, and the size of FILE and of the errors file after them). A checkpoint
is written after the output is flushed, at most every CHECKPOINT_SECONDS (more seldom when the
state is big) and at the end, to a temporary file renamed over the old state, so the state on
disk is always whole and FILE always holds at least what it says, whole. A run started without
`--resume` replaces the state of an earlier run.

`RunState.resume` reads the state, refuses (`ResumeRefused`) when the pack, the inputs or an
option is not the same, and truncates FILE (and the errors file) to the sizes of the last
checkpoint, which drops whatever was written after it, a partial last line included. The
caller skips the items done and appends the rest: the result is byte for byte the output of a
run that was never interrupted, with any number of worker processes.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from . import __version__
from .inputs import input_files
from .loader import pack_files

STATE_SUFFIX = ".rulex-run.json"
STATE_VERSION = 1
LINE_FORMATS = ("jsonl", "csv", "text")    # formats whose output a resumed run can append to
CHECKPOINT_SECONDS = 0.5


class ResumeRefused(Exception):
    """`--resume` cannot continue this output; the message says why."""


@dataclass
class Progress:
    items: int = 0            # input items done (documents and input problems), in input order
    documents: int = 0        # documents written
    matches: int = 0          # matches written
    failures: int = 0         # documents that failed
    output_bytes: int = 0     # size of the output file after them
    errors_bytes: int = 0     # size of the errors file after them


def state_path(target: str | os.PathLike) -> Path:
    return Path(f"{os.fspath(target)}{STATE_SUFFIX}")


def pack_digest(pack: str) -> str:
    """SHA-256 of the rulex version and of every file that decides the pack (names and bytes)."""
    digest = hashlib.sha256(__version__.encode())
    for path in pack_files([Path(pack)]):
        digest.update(b"\0" + os.fsencode(path) + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def describe_run(pack: str, inputs: list[str], options: dict) -> dict:
    """What decides a run's output: rulex, the pack, the input files and the options."""
    files = []
    for name in input_files(inputs):
        try:
            stat = os.stat(name)
            files.append({"path": os.fsdecode(name), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
        except OSError:
            files.append({"path": os.fsdecode(name), "missing": True})
    return {"rulex": __version__, "pack": {"path": pack, "digest": pack_digest(pack)},
            "inputs": files, "options": options}


class RunState:
    """The state file of one run into `target`; `checkpoint` records progress."""

    def __init__(self, target: str, run: dict, errors: str | None):
        self.path = state_path(target)
        self.run = run
        self.errors = str(Path(errors).resolve()) if errors and errors != "-" else None
        self._last = 0.0          # when the last checkpoint was written
        self._interval = CHECKPOINT_SECONDS

    @classmethod
    def start(cls, target: str, run: dict, errors: str | None) -> tuple[RunState, Progress, bool]:
        """A new run, as `resume` returns it: the state of any earlier run into `target` is removed
        (before the output is opened, so that no old state ever describes the new output)."""
        state = cls(target, run, errors)
        state.path.unlink(missing_ok=True)
        return state, Progress(), False

    @classmethod
    def resume(cls, target: str, run: dict, errors: str | None) -> tuple[RunState, Progress, bool]:
        """Continue the run into `target`: (state, progress done, whether to append to the errors
        file). Truncates the output (and errors) file to the last checkpoint. An output that does
        not exist yet, with no state, starts from the beginning."""
        state = cls(target, run, errors)
        if not state.path.exists():
            if Path(target).exists():
                raise ResumeRefused(f"{target} has no state file {state.path.name} beside it, so what it holds "
                                    "is not known (it was written by a finished run of an older rulex, or not "
                                    "by rulex run -o)")
            return state, Progress(), False
        try:
            saved = json.loads(state.path.read_text(encoding="utf-8"))
            if saved.get("state") != STATE_VERSION:
                raise ValueError("unknown state version")
            done = Progress(**{f.name: int(saved["progress"][f.name]) for f in fields(Progress)})
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise ResumeRefused(f"cannot read the state file {state.path}: {err}") from None
        why = run_difference(saved.get("run") or {}, run)
        if why:
            raise ResumeRefused(why)
        if not Path(target).is_file():
            raise ResumeRefused(f"{target} is gone (its state file {state.path.name} is still there)")
        size = os.stat(target).st_size
        if size < done.output_bytes:
            raise ResumeRefused(f"{target} is shorter than the interrupted run left it "
                                f"({size} bytes, {done.output_bytes} expected): it was changed since")
        os.truncate(target, done.output_bytes)
        append_errors = False
        if state.errors and saved.get("errors") == state.errors and Path(state.errors).exists():
            if os.stat(state.errors).st_size >= done.errors_bytes:
                os.truncate(state.errors, done.errors_bytes)
                append_errors = True
        if not append_errors:
            done.errors_bytes = 0
        state._last = time.monotonic()
        return state, done, append_errors

    def checkpoint(self, progress: Progress, complete: bool = False, force: bool = False) -> None:
        """Record `progress` (taken after the output was flushed), unless the last checkpoint is
        recent; `force` writes it now."""
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        record = {"state": STATE_VERSION, "complete": complete, "run": self.run, "errors": self.errors,
                  "progress": asdict(progress)}
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._last = time.monotonic()
        # a big state (many input files) is written more seldom: at most ~5% of the run's time
        self._interval = max(CHECKPOINT_SECONDS, 20 * (self._last - now))


def run_difference(saved: dict, now: dict) -> str | None:
    """Why a run described as `now` is not the run described as `saved` (None: it is); shared
    by the sharded runs' manifests (shards.py)."""
    if saved.get("rulex") != now["rulex"]:
        return f"the interrupted run was made by rulex {saved.get('rulex')}, this is rulex {now['rulex']}"
    if saved.get("pack") != now["pack"]:
        old = (saved.get("pack") or {}).get("path")
        if old != now["pack"]["path"]:
            return f"the pack is not the same: the interrupted run used {old}, this run {now['pack']['path']}"
        return f"the pack {now['pack']['path']} has changed since the interrupted run"
    old_inputs, new_inputs = saved.get("inputs") or [], now["inputs"]
    if old_inputs != new_inputs:
        old_by_path = {item.get("path"): item for item in old_inputs}
        for item in new_inputs:
            before = old_by_path.get(item["path"])
            if before is None:
                return f"the inputs are not the same: {item['path']} was not an input of the interrupted run"
            if before != item:
                return f"the input {item['path']} has changed since the interrupted run (size or modification time)"
        missing = [item.get("path") for item in old_inputs if item.get("path") not in {i["path"] for i in new_inputs}]
        if missing:
            return f"the inputs are not the same: {missing[0]} was an input of the interrupted run"
        return "the inputs are not the same: they are given in another order"
    old_options, new_options = saved.get("options") or {}, now["options"]
    for name in sorted(set(old_options) | set(new_options)):
        if old_options.get(name) != new_options.get(name):
            return (f"the option {name} is not the same: {old_options.get(name)!r} in the interrupted run, "
                    f"{new_options.get(name)!r} now")
    return None
