"""The `rulex` command line: run packs over documents; check, explain and inspect packs.

Exit codes: 0 ok; 1 some documents failed (bad input, a rule timed out) or examples
failed; 2 bad rules or usage; 70 a bug in rulex (reported without a traceback). When the
reader of its output goes away (`rulex run ... | head`), rulex ends silently by SIGPIPE.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import functools
import itertools
import json
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .budget import DOCUMENT_BUDGET_ENV
from .document import Document, parse_date
from .errors import RulexError
from .inputs import InputFormat, InputProblem, clobbered_input, read_inputs, same_file
from .match import DocResult
from .outputs import FORMATS, open_writer
from .outputs.labelstudio import labelconfig_path
from .pack import Pack, load, resolve_pack, wait_for_cache_writes
from .pack import check as check_pack
from .resume import LINE_FORMATS, Progress, ResumeRefused, RunState, describe_run, state_path
from .shards import DEFAULT_PARTITION_BYTES

EXIT_OK, EXIT_DATA, EXIT_RULES = 0, 1, 2


def _end_by_broken_pipe() -> NoReturn:
    """End as grep, cat and the rest of coreutils do when the reader of their output is gone
    (`rulex run ... | head`): they leave SIGPIPE at its default action, so the write kills
    them, with no message, and the shell sees 128 + 13 = 141, which `set -o pipefail` scripts
    take for what it is. Python ignores SIGPIPE and raises BrokenPipeError instead; rulex,
    once its outputs are closed, restores the default action and sends itself the signal."""
    try:   # nothing left for Python to flush into the closed pipe at exit (where there is no SIGPIPE)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)
    sys.exit(128 + 13)


class _RulexCommands(click.Group):
    """The group of commands; a broken pipe ends any of them as it ends a Unix tool."""

    def make_context(self, *args, **kwargs) -> click.Context:   # where `rulex --help` is written
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            pass
        _end_by_broken_pipe()

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            pass   # leaving the handler drops the traceback, so that open generators and pools close
        _end_by_broken_pipe()


def colour_wanted() -> bool | None:
    """False when NO_COLOR is set to anything but "" (https://no-color.org), else None: colour
    when the output is a terminal. An explicit --color still wins."""
    return False if os.environ.get("NO_COLOR") else None


@click.group(cls=_RulexCommands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="rulex")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Run, check, explain and test information-extraction rule packs.

    Exit codes: 0 ok; 1 some documents or examples failed; 2 bad rules or usage. Colour only
    on a terminal, and never when NO_COLOR is set.
    """
    ctx.color = colour_wanted()   # every command's click.echo and click.style follow it


# ---- run --------------------------------------------------------------------------------

INPUT_FORMAT_HELP = ("How INPUTS are read: text (one document per file or stream), jsonl (one document per "
                     "line), or auto: by suffix for files (.jsonl, else text), and for stdin and pipes JSONL if "
                     "the first line is a JSON object, else text.")


@cli.command(short_help="Run a pack over documents and write its matches.")
@click.argument("pack", type=click.Path(exists=True))
@click.argument("inputs", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="jsonl", show_default=True,
              help="Output format; brat needs -o DIR; labelstudio with -o OUT.json also writes OUT.labelconfig.xml.")
@click.option("--input-format", type=click.Choice([f.value for f in InputFormat]), default="auto",
              show_default=True, help=INPUT_FORMAT_HELP)
@click.option("-o", "--output", "target", metavar="PATH",
              help="Write here (a directory for brat; default stdout). Never one of the inputs (exit 2).")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Document date for documents that carry none.")
@click.option("--types", metavar="T1,T2", help="Only these event or entity types, e.g. Attack,Kill.")
@click.option("--rules", "rule_globs", metavar="GLOB,...", help="Only rules whose id matches, e.g. 'conflict.attack.*'.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Worker processes; the output is the same, in the same order.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write each failed document (id, source, reason) here, as JSONL (emptied at the start; "
                   "continued by --resume).")
@click.option("--csv-rows", type=click.Choice(["argument", "event"]), default="argument", show_default=True,
              help="csv: one row per argument or one per event.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="A summary at the end even when stderr is not a terminal.")
@click.option("--no-cache", is_flag=True, help="Compile the pack even if a cached copy exists.")
@click.option("--profile", is_flag=True,
              help="At the end, on stderr: the rules that took the most time, the sentences they were tried in "
                   "and their matches (before overlaps are settled).")
@click.option("--document-budget", "document_budget_ms", type=click.IntRange(1), metavar="MS",
              help="The time a document may take, per million characters (default: the pack's "
                   "document_budget_ms, else 30000); a document over it fails with RX501 and the run goes on.")
@click.option("--resume", is_flag=True,
              help="Continue the interrupted run into -o FILE (jsonl, csv, text) or -o DIR/: same pack, inputs and "
                   "options, checked (exit 2 if not); the documents (or partitions) done are skipped.")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run on a Dask cluster: its scheduler's address (tcp://host:8786), or local[:N] for a cluster of "
                   "N worker processes on this machine; writes sharded output into -o DIR.")
@click.option("--partition-mb", type=click.FloatRange(0.001), default=DEFAULT_PARTITION_BYTES / 1e6,
              show_default=True, metavar="MB",
              help="Sharded output (-o DIR/, --dask): the input each task and shard covers, in MB.")
def run(pack: str, inputs: tuple[str, ...], fmt: str, input_format: str, target: str | None,
        date_text: str | None, types: str | None, rule_globs: str | None, jobs: int, errors_path: str | None,
        csv_rows: str, quiet: bool, verbose: bool, no_cache: bool, profile: bool, resume: bool,
        document_budget_ms: int | None, dask_address: str | None, partition_mb: float) -> None:
    """Run PACK over INPUTS (.txt, .jsonl, directories, - for stdin) and write the matches.

    Standard input is one text document, or JSONL when its first line is a JSON object
    (`echo 'Iran fired missiles at Erbil.' | rulex run PACK -`); --input-format forces either.

    Documents that cannot be processed (bad UTF-8, a JSONL line that is bad or holds a lone
    surrogate such as \\ud800, a rule out of time) are reported on stderr (and in --errors
    FILE) and the run goes on; the exit code is then 1.

    An output (-o, --errors) that is one of the inputs (the same file, also through a link, or
    a file of an input directory; for brat, an input inside the output directory) is refused
    with exit 2 before anything is written.

    With -o FILE in jsonl, csv or text, the run keeps FILE.rulex-run.json beside it (what the
    run is and how far it got). After an interruption (even kill -9), the same command with
    --resume checks that the pack, the inputs and the options are the same, cuts FILE back to
    its last whole document, skips the documents done and appends the rest: FILE ends up byte
    for byte as an uninterrupted run writes it, with any --jobs. A run without --resume
    replaces FILE and its state.
    """
    try:
        date = parse_date(date_text)
    except ValueError:
        raise click.BadParameter(f"{date_text!r} is not YYYY-MM-DD", param_hint="--date") from None
    if fmt == "brat" and not target:
        raise click.UsageError("--format brat writes a directory: give it with -o DIR")
    if target == "-":
        target = None
    if dask_address is not None or (target is not None and _is_directory_target(target) and fmt != "brat"):
        if profile:
            raise click.UsageError("--profile times rules in one process: run it without sharded output (-o DIR/, "
                                   "--dask)")
        _run_sharded(pack, list(inputs), fmt, input_format, target, date, types, rule_globs, jobs, errors_path,
                     quiet, verbose, no_cache, resume, document_budget_ms, dask_address, partition_mb)
        return
    keep_state = target is not None and fmt in LINE_FORMATS and "-" not in inputs
    _check_run_outputs(fmt, target, errors_path, list(inputs), keep_state, resume)
    compiled = _load_or_exit(pack, not no_cache)
    if document_budget_ms:  # read by budget.document_budget, here and in --jobs workers
        os.environ[DOCUMENT_BUDGET_ENV] = str(document_budget_ms)
    selected = _selected_rules(compiled, types, rule_globs)
    wanted_types = set(types.split(",")) if types else None
    state, done, append_errors = None, Progress(), False
    if keep_state:
        assert target is not None  # keep_state has one
        run_id = describe_run(pack, list(inputs), {"format": fmt, "csv_rows": csv_rows if fmt == "csv" else None,
                                                   "date": str(date) if date else None, "types": types,
                                                   "rules": rule_globs, "document_budget": document_budget_ms,
                                                   # only when forced: the state of a run before the option matches
                                                   **({"input_format": input_format} if input_format != "auto" else {})})
        try:
            state, done, append_errors = (RunState.resume if resume else RunState.start)(target, run_id, errors_path)
        except ResumeRefused as err:
            click.echo(f"rulex: cannot resume {target}: {err}; run without --resume to start again", err=True)
            sys.exit(EXIT_RULES)
    writer = open_writer(fmt, target, {"csv_rows": csv_rows, "pack": compiled.name, "append": bool(done.items),
                                       "model_version": f"{compiled.name}@{compiled.version}+{compiled.digest[:12]}"})
    errors_file = click.open_file(errors_path, "a" if append_errors else "w", encoding="utf-8") if errors_path else None
    silent = quiet and errors_file is not None
    interactive = sys.stderr.isatty() and not quiet
    progress = _progress(interactive)
    earlier_failures = done.failures
    size, started = 0, time.perf_counter()
    costs: dict[str, list] = {}  # rule id -> [seconds, sentences, matches], with --profile
    good = _progress_of(done, writer, errors_path) if state is not None else done   # after the last whole item
    if state is not None and not done.items:
        state.checkpoint(good, force=True)
    complete = False
    try:
        items = itertools.islice(read_inputs(list(inputs), date, InputFormat(input_format)), done.items, None)
        for item, result in _process(compiled, items, selected, jobs, pack, not no_cache, profile):
            if isinstance(item, InputProblem):
                done.failures += 1
                _report_failure(item.doc, item.source, item.message, "input", errors_file, silent)
                progress.update(0)
            else:
                assert result is not None  # a document's
                for problem in result.problems:
                    done.failures += 1
                    _report_failure(item.id, item.origin, problem.message, problem.code, errors_file, silent)
                for spent in result.rule_times:
                    cost = costs.setdefault(spent.rule, [0.0, 0, 0])
                    cost[0] += spent.seconds
                    cost[1] += spent.sentences
                    cost[2] += spent.matches
                kept = [m for m in result.matches if wanted_types is None or m.type in wanted_types]
                writer.write(item, kept)
                done.documents += 1
                done.matches += len(kept)
                size += len(item.text)
                progress.update(1, done.matches)
            done.items += 1
            if state is not None:
                good = _progress_of(done, writer, errors_path)
                state.checkpoint(good)
        complete = True
    finally:
        try:
            writer.close()   # raises BrokenPipeError again when stdout's reader is gone
        finally:
            progress.close()
            if errors_file is not None:
                errors_file.close()
            if state is not None:   # kill -9 leaves the last periodic checkpoint instead
                state.checkpoint(good, complete=complete, force=True)
    documents, matches, failures = done.documents, done.matches, done.failures
    elapsed = time.perf_counter() - started
    if (verbose or interactive) and not quiet:
        click.echo(f"rulex: {documents} documents, {matches} matches, {failures} failed, "
                   f"{elapsed:.1f} s ({size / 1e6 / elapsed if elapsed else 0:.2f} M characters/s)", err=True)
    if profile:
        _print_profile(costs, elapsed, jobs)
    if failures:
        if silent:
            where = f"listed in {errors_path}"
        else:
            where = "see above" + (f" and {errors_path}" if errors_path else "")
            if earlier_failures:
                where += f" ({earlier_failures} of them before --resume)"
        click.echo(f"rulex: {failures} document(s) failed; {where}", err=True)
        sys.exit(EXIT_DATA)


def _is_directory_target(target: str) -> bool:
    """Whether -o names a directory: sharded output."""
    return target.endswith("/") or Path(target).is_dir()


def _run_sharded(pack: str, inputs: list[str], fmt: str, input_format: str, target: str | None,
                 date: dt.date | None, types: str | None, rule_globs: str | None, jobs: int, errors_path: str | None,
                 quiet: bool, verbose: bool, no_cache: bool, resume: bool, document_budget_ms: int | None,
                 dask_address: str | None, partition_mb: float) -> None:
    """`run` with sharded output: -o DIR/, with --jobs or --dask (shards.py, cluster.py)."""
    from . import shards
    from .locations import LocationError, list_locations, url_protocol
    if target is None:
        raise click.UsageError("sharded output (--dask) is written into a directory: give it with -o DIR/")
    if fmt != "jsonl":
        raise click.UsageError(f"-o {target} is a directory: sharded output is JSONL (one shard per partition); "
                               f"{fmt} output is a file")
    if dask_address is not None and jobs > 1:
        raise click.UsageError("--jobs and --dask do not go together: the Dask cluster's workers do the work")
    if errors_path and errors_path != "-" and url_protocol(target) is None:
        if Path(errors_path).resolve().is_relative_to(Path(target).resolve()):
            raise click.UsageError(f"--errors {errors_path} is inside the output directory {target}")
    try:
        locations = list_locations(inputs)
    except LocationError as err:
        raise click.UsageError(str(err)) from None
    local = shards.local_dir(target)
    if local is not None:
        for location in locations:
            if url_protocol(location.name) is None and Path(location.name).resolve().is_relative_to(local.resolve()):
                raise click.UsageError(f"-o {target} holds the input {location.name}: shards written there could "
                                       "overwrite it; write somewhere else")
    compiled = _load_or_exit(pack, not no_cache)
    if document_budget_ms:   # carried to every worker inside the pack
        compiled = Pack(dataclasses.replace(compiled.program, manifest=dataclasses.replace(
            compiled.program.manifest, document_budget_ms=document_budget_ms)), compiled.diagnostics)
    selected = _selected_rules(compiled, types, rule_globs)
    partition_bytes = max(1, round(partition_mb * 1e6))
    options = {"format": fmt, "date": str(date) if date else None, "types": types, "rules": rule_globs,
               "document_budget": document_budget_ms, "partition_bytes": partition_bytes,
               **({"input_format": input_format} if input_format != "auto" else {})}
    from .resume import pack_digest
    run_id = shards.describe(pack, pack_digest(pack), locations, options)
    spec = shards.RunSpec(target, date, InputFormat(input_format), frozenset(selected) if selected is not None else None,
                          frozenset(types.split(",")) if types else None)
    outdir = shards.OutputDir(target)
    cluster = None
    if dask_address is not None:
        from . import cluster as dask_cluster
        try:
            cluster = dask_cluster.connect(dask_address)
        except dask_cluster.ClusterError as err:
            click.echo(f"rulex: {err}", err=True)
            sys.exit(EXIT_RULES)
        execute, counter = dask_cluster.executor(cluster.client, compiled, spec), dask_cluster.counter(cluster.client)
    else:
        execute, counter = shards.local_executor(compiled, spec, jobs), shards.local_counter(jobs)
    interactive = sys.stderr.isatty() and not quiet
    progress = _progress(interactive)
    silent = quiet and bool(errors_path)
    started = time.perf_counter()

    def report(result: shards.ShardResult) -> None:
        for failure in result.failures:
            if not silent:
                _report_failure(failure.doc, failure.source, failure.reason, failure.code, None, False)
        progress.update(result.documents, None)

    try:
        try:
            planned = functools.partial(shards.plan, locations, partition_bytes, counter, InputFormat(input_format))
            manifest = shards.start(outdir, run_id, planned, resume)
        except shards.ResumeRefused as err:
            click.echo(f"rulex: cannot resume {target}: {err}; run without --resume to start again", err=True)
            sys.exit(EXIT_RULES)
        earlier = sum(len(r.failures) for r in manifest.done())
        try:
            manifest = shards.drive(outdir, manifest, execute, report)
        finally:
            progress.close()
            if errors_path:
                with click.open_file(errors_path, "w", encoding="utf-8") as errors_file:
                    for result in manifest.done():
                        for failure in result.failures:
                            errors_file.write(json.dumps(failure.to_dict(), ensure_ascii=False) + "\n")
    except shards.TaskFailed as err:
        click.echo(f"rulex: {err}; the partitions done are kept: run again with --resume", err=True)
        sys.exit(EXIT_DATA)
    except OSError as err:
        click.echo(f"rulex: cannot write {target}: {err}", err=True)
        sys.exit(EXIT_RULES)
    finally:
        if cluster is not None:
            cluster.close()
    done = manifest.done()
    documents, matches = sum(r.documents for r in done), sum(r.matches for r in done)
    failures = sum(len(r.failures) for r in done)
    elapsed = time.perf_counter() - started
    if (verbose or interactive) and not quiet:
        size = sum(r.characters for r in done)
        click.echo(f"rulex: {documents} documents, {matches} matches, {failures} failed, {len(done)} partitions "
                   f"in {target}, {elapsed:.1f} s ({size / 1e6 / elapsed if elapsed else 0:.2f} M characters/s)",
                   err=True)
    if failures:
        where = f"listed in {errors_path} and " if errors_path else ""
        where += f"in {target}/{shards.MANIFEST_NAME}".replace("//", "/")
        if earlier:
            where += f" ({earlier} of them before --resume)"
        click.echo(f"rulex: {failures} document(s) failed; {where}", err=True)
        sys.exit(EXIT_DATA)


def _check_run_outputs(fmt: str, target: str | None, errors_path: str | None, inputs: list[str],
                       keep_state: bool, resume: bool) -> None:
    """Usage errors of `run`'s outputs, found before anything is opened for writing: an output
    that is one of the inputs, --errors the same file as -o, a --resume that cannot be."""
    if resume:
        if target is None:
            raise click.UsageError("--resume continues an output file: give it with -o FILE")
        if fmt not in LINE_FORMATS:
            raise click.UsageError(f"--resume cannot continue {fmt} output (a report or a collection is not "
                                   f"appended to); it works for {', '.join(LINE_FORMATS)}")
        if "-" in inputs:
            raise click.UsageError("--resume cannot continue a run over standard input (-): it cannot be read again")
    written = [("-o", target, fmt == "brat")] if target is not None else []
    if target is not None and fmt == "labelstudio":
        written.append(("the labeling config", str(labelconfig_path(target)), False))
    if errors_path and errors_path != "-":
        written.append(("--errors", errors_path, False))
    if keep_state:
        assert target is not None  # keep_state has one
        written.append(("the run's state file", str(state_path(target)), False))
    for option, path, directory in written:
        clash = clobbered_input(path, inputs, directory)
        if clash and directory:
            raise click.UsageError(f"{option} {path} holds the input {clash}: the files written there could "
                                   "overwrite it; write somewhere else")
        if clash:
            raise click.UsageError(f"{option} {path} is the input {clash}: writing it would destroy it; "
                                   "write somewhere else")
    if target is not None and errors_path and errors_path != "-" and same_file(target, errors_path):
        raise click.UsageError(f"--errors {errors_path} is the output file -o {target}")
    if target is not None and fmt != "brat" and Path(target).is_dir():
        raise click.UsageError(f"-o {target} is a directory; {fmt} output is a file")


def _progress_of(done: Progress, writer, errors_path: str | None) -> Progress:
    """A copy of `done` with the sizes of the output file (flushed by `writer`) and the errors file."""
    errors = os.stat(errors_path).st_size if errors_path and errors_path != "-" and os.path.exists(errors_path) else 0
    return Progress(done.items, done.documents, done.matches, done.failures, writer.position(), errors)


PROFILE_ROWS = 20


def _print_profile(costs: dict[str, list], elapsed: float, jobs: int) -> None:
    """The rules that took the most time, on stderr (`run --profile`)."""
    total = sum(cost[0] for cost in costs.values())
    click.echo(f"rulex: time in rules {total:.2f} s of {elapsed:.2f} s"
               + (f" ({jobs} workers)" if jobs > 1 else "") +
               "; the rest is reading, segmenting, finding mentions, settling overlaps and writing", err=True)
    click.echo(f"{'seconds':>9} {'share':>6} {'sentences':>9} {'ms/sent':>8} {'matches':>7}  rule", err=True)
    ranked = sorted(costs.items(), key=lambda item: (-item[1][0], item[0]))
    for rule_id, (seconds, sentences, found) in ranked[:PROFILE_ROWS]:
        click.echo(f"{seconds:9.3f} {seconds / total if total else 0:6.1%} {sentences:9d} "
                   f"{1000 * seconds / sentences if sentences else 0:8.3f} {found:7d}  {rule_id}", err=True)
    if len(ranked) > PROFILE_ROWS:
        rest = ranked[PROFILE_ROWS:]
        click.echo(f"{sum(c[0] for _, c in rest):9.3f} {'':6} {'':9} {'':8} {'':7}  "
                   f"({len(rest)} more rules)", err=True)


def _selected_rules(pack: Pack, types: str | None, rule_globs: str | None) -> set[int] | None:
    """The indices of the rules to run (None: all), from --types and --rules."""
    if not types and not rule_globs:
        return None
    wanted_types = set(types.split(",")) if types else None
    globs = [g.strip() for g in rule_globs.split(",")] if rule_globs else None
    chosen = set()
    for index, rule in enumerate(pack.rules):
        if not rule.standalone:
            continue
        if wanted_types is not None and rule.type not in wanted_types:
            continue
        if globs is not None and not any(fnmatch.fnmatchcase(rule.id, g) or fnmatch.fnmatchcase(rule.local_id, g)
                                         for g in globs):
            continue
        chosen.add(index)
    if not chosen and globs is not None:
        raise click.BadParameter(f"no rule of the pack matches {rule_globs!r}", param_hint="--rules")
    return chosen


def _report_failure(doc_id, source, reason: str, code: str, errors_file, silent: bool) -> None:
    if not silent:
        where = str(source or doc_id or "?")
        if source and doc_id and str(doc_id) not in str(source):
            where += f" (document {doc_id})"
        click.echo(f"rulex: {where}: {reason} [{code}]", err=True)
    if errors_file is not None:
        errors_file.write(json.dumps({"doc": doc_id, "source": source, "code": code, "reason": reason},
                                     ensure_ascii=False) + "\n")
        errors_file.flush()


_WORKER_PACK: Pack | None = None


def _worker_init(pack_path: str, cache: bool) -> None:
    global _WORKER_PACK
    _WORKER_PACK = load(pack_path, cache=cache, freeze=True)


def _worker_process(batch: list[Document], rules: set[int] | None, profile: bool) -> list[DocResult]:
    pack = _WORKER_PACK
    assert pack is not None  # set by _worker_init
    return [pack.process(doc, rules, profile) for doc in batch]


BATCH_CHARACTERS = 200_000  # documents go to workers in batches of about this much text


def _process(pack: Pack, items: Iterable[Document | InputProblem], rules: set[int] | None, jobs: int, pack_path: str,
             cache: bool, profile: bool = False) -> Iterator[tuple[Document | InputProblem, DocResult | None]]:
    """(document, result) in input order; with jobs > 1, batches of documents are matched in
    worker processes, a few batches per worker in flight at most, so memory stays flat."""
    if jobs == 1:
        for item in items:
            yield item, None if isinstance(item, InputProblem) else pack.process(item, rules, profile)
        return
    window: deque[tuple[list[Document | InputProblem], Future[list[DocResult]]]] = deque()

    def batches():
        batch, size = [], 0
        for item in items:
            batch.append(item)
            size += 0 if isinstance(item, InputProblem) else len(item.text)
            if size >= BATCH_CHARACTERS or len(batch) >= 500:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def drain(entry):
        batch, future = entry
        results = iter(future.result())
        for item in batch:
            yield item, None if isinstance(item, InputProblem) else next(results)

    wait_for_cache_writes()  # each worker loads the pack from its cache entry
    with ProcessPoolExecutor(jobs, initializer=_worker_init, initargs=(pack_path, cache)) as pool:
        try:
            for batch in batches():
                documents = [item for item in batch if not isinstance(item, InputProblem)]
                window.append((batch, pool.submit(_worker_process, documents, rules, profile)))
                if len(window) > jobs * 2:
                    yield from drain(window.popleft())
            while window:
                yield from drain(window.popleft())
        finally:   # a run that stops early (a broken pipe) does not wait for the batches not started
            pool.shutdown(cancel_futures=True)


class _progress:
    """A progress bar on stderr (tqdm) when it is a terminal, else nothing."""

    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm
            self.bar = tqdm(unit=" docs", file=sys.stderr, dynamic_ncols=True, leave=False)

    def update(self, documents: int, matches: int | None = None) -> None:
        if self.bar is not None:
            if matches is not None:
                self.bar.set_postfix(matches=matches, refresh=False)
            self.bar.update(documents)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.refresh()  # the final count, even if the last update came too soon to be drawn
            self.bar.close()


# ---- check ------------------------------------------------------------------------------

CHECK_SCHEMA = 1   # the version of `rulex check --format json`'s object; a change of its shape bumps it


@cli.command(short_help="Report every error and warning of a pack.")
@click.argument("pack", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: file:line:col, snippet and caret; json: one object for tools (schema, diagnostics "
                   "with start and end line and column, counts).")
def check(pack: tuple[str, ...], fmt: str) -> None:
    """Compile PACK and report every error and warning (exit 2 on errors)."""
    diagnostics, sources = check_pack(list(pack))
    errors = [d for d in diagnostics if d.severity.value == "error"]
    if fmt == "json":
        report = {"schema": CHECK_SCHEMA, "diagnostics": [d.to_dict(sources) for d in diagnostics],
                  "errors": len(errors), "warnings": len(diagnostics) - len(errors)}
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.render(sources) + "\n")
        warnings = len(diagnostics) - len(errors)
        click.echo(f"{len(errors)} error(s), {warnings} warning(s)", err=True)
    sys.exit(EXIT_RULES if errors else EXIT_OK)


# ---- test -------------------------------------------------------------------------------

@cli.command(name="test", short_help="Run a pack's inline examples and corpus tests.")
@click.argument("packs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--update", is_flag=True, help="Rewrite the expected arguments of examples from the actual output "
                                            "(.rulex files), after showing the diff.")
@click.option("--coverage/--no-coverage", default=True, show_default=True,
              help="Say which rules, alternatives and lexicon entries no example exercised.")
@click.option("-q", "--quiet", is_flag=True, help="Only failures and the summary.")
def test_command(packs: tuple[str, ...], update: bool, coverage: bool, quiet: bool) -> None:
    """Run every inline example of every rule of each PACK, and its annotated corpus files
    (tests/*.txt: `# expect: RULE` / `# reject: RULE` / `# todo-expect: RULE` before a line).

    A failure shows the rule file:line, the sentence, expected against actual arguments, and
    for a sentence that did not match, the nearest miss (as `rulex explain` shows it).
    Exit 1 when an example fails (todo lines never fail).
    """
    from pathlib import Path

    from . import testing
    failed = 0
    for pack_path in packs:
        compiled = _load_or_exit(pack_path, True)
        # resolved (the whole pack read again) only to explain a miss
        resolved = functools.cache(lambda path=pack_path: resolve_pack(path))
        results = testing.check_examples(compiled, resolved)
        manifest = compiled.program.manifest
        cases = [c for f in testing.corpus_files([Path(pack_path)], manifest.tests, manifest.dependencies)
                 for c in testing.read_corpus(f)]
        results += testing.check_corpus(compiled, cases)
        for result in results:
            if result.ok and not result.todo:
                continue
            click.echo(testing.render_result(result, pack_path, click.style))
        bad = [r for r in results if r.counts_as_failure]
        todo = [r for r in results if r.todo]
        fixed = [r for r in todo if r.ok]
        failed += len(bad)
        summary = (f"{compiled.name}: {len(results)} examples, {len(results) - len(bad) - len(todo)} passed, "
                   f"{len(bad)} failed, {len(todo)} todo" + (f" ({len(fixed)} of them pass now)" if fixed else ""))
        click.echo(click.style(summary, fg="red" if bad else "green", bold=True))
        if coverage and not quiet:
            found = testing.coverage(compiled, results)
            for line in testing.coverage_report(compiled, found):
                click.echo("  " + line)
        if update:
            changed, skipped = testing.update_examples(results)
            for line in skipped:
                click.echo(line, err=True)
            for path, text in changed.items():
                click.echo(testing.unified_diff(path, text))
                Path(path).write_text(text, encoding="utf-8")
                click.echo(f"rulex: updated {path}", err=True)
    sys.exit(EXIT_DATA if failed and not update else EXIT_OK)


# ---- eval and diff ----------------------------------------------------------------------

@cli.command(name="eval", short_help="Score a pack against gold event annotations.")
@click.argument("pack", type=click.Path(exists=True))
@click.argument("gold", type=click.Path(exists=True))
@click.option("--gold-format", type=click.Choice(["auto", "events", "adjudicated", "labelstudio", "prodigy", "brat"]),
              default="auto", show_default=True,
              help="GOLD's format: events (`category`, `trigger_span`, `arg_list`), adjudicated (`type`, "
                   "`trigger`, `attrs`, `args` by role), an annotation tool's export (labelstudio: its JSON "
                   "export; prodigy: its JSONL; brat: a directory or a .ann file), or auto: told from GOLD.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False),
              help="YAML: rulex types -> gold categories, gold roles -> rulex roles, named scores, "
                   "document-level gold values -> rulex roles (events format and annotation tools; a tool's "
                   "labels are the pack's own types and roles without it).")
@click.option("--errors", "errors_file", type=click.File("w", encoding="utf-8"), metavar="FILE",
              help="Write every error here (JSONL), with its sentence, for review. Events format: false positives "
                   "and misses, and the wrong and missed arguments of matched events; adjudicated: every missed "
                   "or spurious mention, argument and value (missed_mention, spurious_mention, missed_argument, "
                   "spurious_argument, missed_value, wrong_value), with the rule that predicted it.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A text report, or the same figures as JSON.")
def eval_command(pack: str, gold: str, gold_format: str, mapping: str | None, errors_file, fmt: str) -> None:
    """Score PACK against GOLD, event annotations in JSONL (two formats) or an annotation tool's export.

    Events format (third-party gold such as WikiEvents or M2E2: `category`, `trigger_span`,
    `arg_list`): precision, recall and F1 of mentions and arguments, per named score, per type,
    per role and per rule (a predicted event counts when its span overlaps the trigger of a
    gold event of its category, an argument when it overlaps a gold argument of its role); for
    document-level gold (MUC-4, GVDB), of documents, and the recall of gold values.

    Adjudicated format (gold in the pack's own schema, one record per sentence: `type`,
    `trigger`, `attrs`, `args` by role, `doc_date`): precision, recall and F1 of mentions,
    arguments and values (count, casualties, time) for Attack, Kill and both (negated and
    future events left out on both sides), then per role, and per rule its correct of
    predicted mentions, arguments and values. Relative times resolve against each record's
    `doc_date`.

    Annotation tools (labelstudio, prodigy, brat; corrections of `rulex run -f labelstudio|prodigy|brat`
    output): read as the events format, a labelled span a mention of the category its label
    names, a relation from it an argument of the relation's role; Label Studio's annotations
    (never its predictions), Prodigy's accepted tasks. Broken texts are reported with their
    file:line and left out, the rest is scored, and the exit code is 1."""
    from .evaluate import detect_format, evaluate, evaluate_adjudicated, load_mapping, read_gold, render
    from .gold_formats import GoldError, GoldFormat, detect, pack_mapping, read_gold_file
    compiled = _load_or_exit(pack, True)
    tool = detect(gold) if gold_format == "auto" else None
    if gold_format in {f.value for f in GoldFormat}:
        tool = GoldFormat(gold_format)
    problems = 0
    if tool is not None:
        try:
            read = read_gold_file(gold, tool)
        except GoldError as err:
            raise click.BadParameter(str(err), param_hint="GOLD") from None
        for problem in read.problems:
            click.echo(f"rulex: {problem}", err=True)
        if read.left_out:
            click.echo(f"rulex: {read.left_out} {tool.value} task(s) without an accepted annotation left out", err=True)
        problems, records, kind = len(read.problems), list(read.records), "events"
        chosen = load_mapping(mapping) if mapping else pack_mapping(compiled, records)
    else:
        if Path(gold).is_dir():
            raise click.BadParameter(f"{gold} is a directory: only brat gold is (--gold-format brat)", param_hint="GOLD")
        try:
            records = read_gold(gold)
        except ValueError as err:
            raise click.BadParameter(f"{gold} is not JSONL: {err}", param_hint="GOLD") from err
        kind = detect_format(records) if gold_format == "auto" else gold_format
        chosen = load_mapping(mapping)
    if kind == "adjudicated" and mapping:
        raise click.UsageError("--mapping applies to gold in the events format; adjudicated gold uses the pack's "
                               "own types and roles")
    try:
        result = (evaluate_adjudicated(compiled, records) if kind == "adjudicated"
                  else evaluate(compiled, records, chosen))
    except (ValueError, KeyError, TypeError) as err:
        fields = "`type`, `trigger` and `args`" if kind == "adjudicated" else "`category` and `trigger_span`"
        raise click.BadParameter(f"{gold} is not {kind}-format gold JSONL (`id`, `text`, `events` with {fields}): "
                                 f"{type(err).__name__}: {err}", param_hint="GOLD") from err
    if errors_file is not None:
        for error in result.errors:
            errors_file.write(json.dumps(error, ensure_ascii=False) + "\n")
    click.echo(json.dumps(result.to_dict(), indent=2) if fmt == "json" else render(result))
    if problems:
        click.echo(f"rulex: {problems} gold text(s) could not be read and were left out; see above", err=True)
        sys.exit(EXIT_DATA)


@cli.command(name="diff", short_help="Show the matches two versions of a pack disagree on.")
@click.argument("old_pack", type=click.Path(exists=True))
@click.argument("new_pack", type=click.Path(exists=True))
@click.argument("inputs", nargs=-1, required=True)
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Document date for documents that carry none.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True,
              help="text: per rule, with sentences, for reading; jsonl: one change per line.")
@click.option("--input-format", type=click.Choice([f.value for f in InputFormat]), default="auto",
              show_default=True, help=INPUT_FORMAT_HELP)
def diff_command(old_pack: str, new_pack: str, inputs: tuple[str, ...], date_text: str | None, fmt: str,
                 input_format: str) -> None:
    """Run two versions of a pack over INPUTS and show what changed: matches gained, lost and
    changed (same rule and span, other arguments), per rule, with their sentences. Rules are
    compared by id without the pack name, so a renamed pack compares too."""
    from dataclasses import asdict

    from .evaluate import diff_matches
    try:
        date = parse_date(date_text)
    except ValueError:
        raise click.BadParameter(f"{date_text!r} is not YYYY-MM-DD", param_hint="--date") from None
    old, new = _load_or_exit(old_pack, True), _load_or_exit(new_pack, True)
    changes, failures = [], 0
    for item in read_inputs(list(inputs), date, InputFormat(input_format)):
        if isinstance(item, InputProblem):
            failures += 1
            click.echo(f"rulex: {item.source}: {item.message}", err=True)
            continue
        local = lambda ms, name: [_local(m, name) for m in ms]  # noqa: E731
        changes += diff_matches(local(old.process(item).matches, old.name), local(new.process(item).matches, new.name), item)
    if fmt == "jsonl":
        for change in changes:
            click.echo(json.dumps(asdict(change), ensure_ascii=False))
    else:
        by_rule: dict[str, list] = {}
        for change in changes:
            by_rule.setdefault(change.rule, []).append(change)
        for rule, items in sorted(by_rule.items()):
            counts = {k: sum(c.kind == k for c in items) for k in ("gained", "lost", "changed")}
            click.echo(click.style(rule, bold=True) + "  " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
            for c in items:
                sign = {"gained": click.style("+", fg="green"), "lost": click.style("-", fg="red"),
                        "changed": click.style("~", fg="yellow")}[c.kind]
                click.echo(f"  {sign} {c.doc} {c.start}-{c.end} \"{c.text}\"" + (f"  [{c.detail}]" if c.detail else ""))
                click.echo(f"      in: {c.sentence}")
        totals = {k: sum(c.kind == k for c in changes) for k in ("gained", "lost", "changed")}
        click.echo(f"{totals['gained']} gained, {totals['lost']} lost, {totals['changed']} changed", err=True)
    sys.exit(EXIT_DATA if failures else EXIT_OK)


def _local(match, pack_name: str):
    """The match with its rule id stripped of the pack name."""
    from dataclasses import replace
    prefix = pack_name + "."
    return replace(match, rule=match.rule[len(prefix):] if match.rule.startswith(prefix) else match.rule)


# ---- explain ----------------------------------------------------------------------------

@cli.command(short_help="Show why each rule did or did not match a text.")
@click.argument("pack", type=click.Path(exists=True))
@click.argument("text")
@click.option("--rule", "rule_ids", multiple=True, metavar="ID",
              help="Explain this rule (repeatable); its id or pack-qualified id.")
@click.option("--all", "every_rule", is_flag=True, help="Explain every rule, not only those whose words occur.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Document date for relative times.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: for reading; json: the same report for tools.")
@click.option("--color/--no-color", default=None,
              help="Colour or not (default: when stdout is a terminal and NO_COLOR is not set).")
def explain(pack: str, text: str, rule_ids: tuple[str, ...], every_rule: bool, date_text: str | None,
            fmt: str, color: bool | None) -> None:
    """Why each rule of PACK did or did not match TEXT (a sentence; - reads stdin).

    Shows the sentences and tokens, what the lexicons and built-in types found, each rule
    that matched with its arguments and how they were found, and for each rule that did
    not match, its nearest miss: how far its pattern got, which element failed on which
    word, what that element expected, and where in the sentence it does occur.
    """
    from .explain import explain as explain_text
    from .explain import render
    if text == "-":
        text = sys.stdin.read()
    try:
        date = parse_date(date_text)
    except ValueError:
        raise click.BadParameter(f"{date_text!r} is not YYYY-MM-DD", param_hint="--date") from None
    compiled = _load_or_exit(pack, True)
    known = {r.id for r in compiled.rules} | {r.local_id for r in compiled.rules}
    for rule_id in rule_ids:
        if rule_id not in known:
            from .diagnostics import did_you_mean
            raise click.BadParameter(f"no rule `{rule_id}` in the pack" + (
                f"; {did_you_mean(rule_id, sorted(known))}" if did_you_mean(rule_id, sorted(known)) else ""),
                param_hint="--rule")
    try:
        resolved = resolve_pack(pack)
    except RulexError as err:
        click.echo(err.render(), err=True)
        sys.exit(EXIT_RULES)
    result = explain_text(compiled, resolved, text, date, list(rule_ids), every_rule)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render(result, click.style), color=color)


# ---- suggest ----------------------------------------------------------------------------

@cli.command(short_help="Suggest a rule from a sentence with its trigger and roles marked.")
@click.argument("pack", type=click.Path(exists=True))
@click.option("--text", metavar="SENTENCE", help="The sentence (or use --from).")
@click.option("--trigger", metavar="MARK", help="The trigger: its words (`launched`), their Nth occurrence "
                                               "(`launched@2`) or character offsets (`12:20`).")
@click.option("--arg", "arg_marks", multiple=True, metavar="ROLE=MARK",
              help="An argument and its role, marked as the trigger is: attacker=Hamas (repeatable).")
@click.option("--type", "event_type", metavar="TYPE", help="The event type: Attack, Kill...")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="The sentence's date, for relative times.")
@click.option("--from", "from_file", type=click.File("r", encoding="utf-8"), metavar="FILE.jsonl",
              help='Marked sentences, one JSON object a line, all giving one rule: {"text": ..., "type": "Attack", '
                   '"trigger": "launched", "arguments": [{"role": "attacker", "mark": "Hamas"}, '
                   '{"role": "weapon", "span": [20, 27]}], "date": "2020-01-08"}.')
@click.option("--corpus", "corpus_paths", multiple=True, metavar="PATH",
              help="Show what the rule matches in these documents (.txt, .jsonl, directories; repeatable).")
@click.option("--limit", type=click.IntRange(0), default=10, show_default=True, help="Corpus hits shown at most.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: the rule, its check, its generalisations and corpus hits; json: the same for tools.")
def suggest(pack: str, text: str | None, trigger: str | None, arg_marks: tuple[str, ...], event_type: str | None,
            date_text: str | None, from_file, corpus_paths: tuple[str, ...], limit: int, fmt: str) -> None:
    """Suggest a rule for PACK from a sentence where the trigger and the arguments are marked:

    rulex suggest PACK --text "Hamas fired rockets at Sderot." --trigger fired --arg attacker=Hamas
    --arg weapon=rockets --arg target=Sderot --type Attack

    Prints the rule (words made word forms, arguments the lexicon or built-in type that covers
    them, other words kept or made gaps) with the sentence as its example, whether it matches
    the sentence with the marked arguments, and what it matches in --corpus documents. Several
    sentences (--from) give one rule for all. Exit 2 on a bad mark.
    """
    from . import suggest as suggesting
    try:
        if from_file is not None:
            if text is not None or trigger is not None or arg_marks:
                raise suggesting.MarkError("give either --from or --text with --trigger and --arg, not both")
            sentences = []
            for number, line in enumerate(from_file, 1):
                if not line.strip():
                    continue
                try:
                    sentences.append(suggesting.sentence_from_record(json.loads(line)))
                except (ValueError, suggesting.MarkError) as err:
                    raise suggesting.MarkError(f"{from_file.name}:{number}: {err}") from None
        else:
            if text is None or trigger is None or event_type is None:
                raise suggesting.MarkError("give --text, --trigger and --type (or --from FILE.jsonl)")
            sentences = [suggesting.marked_sentence(text, trigger, [suggesting.argument_mark(a) for a in arg_marks],
                                                    event_type, date_text)]
        compiled = _load_or_exit(pack, True)
        found = suggesting.suggest(compiled, sentences)
    except suggesting.MarkError as err:
        click.echo(f"rulex suggest: {err}", err=True)
        sys.exit(EXIT_RULES)
    hits = []
    if corpus_paths:
        documents = (d for d in read_inputs(list(corpus_paths)) if not isinstance(d, InputProblem))
        hits = suggesting.corpus_hits(found, documents, limit)
    if fmt == "json":
        click.echo(json.dumps({**found.to_dict(), "corpus_hits": [dataclasses.asdict(h) for h in hits]}, indent=2,
                              ensure_ascii=False))
        return
    click.echo(found.rule_text)
    check = found.check
    if not check.compiled:
        click.echo("check: the rule does not compile:\n" + "\n".join(check.errors))
    for number, example in enumerate(check.examples, 1):
        verdict = ("matches with exactly the marked arguments" if example.exact
                   else "matches with the example's arguments" if example.passes
                   else "matches at the trigger, with other arguments" if example.matched else "does not match")
        click.echo(f"check, sentence {number}: {verdict}")
        for problem in example.problems:
            click.echo(f"  {problem}")
    click.echo("generalisations:")
    for note in found.notes:
        change = f"{note.text!r} -> {note.element or '(left out)'}" if note.text else note.element
        click.echo(f"  {note.change.value}: {change}: {note.why}")
    if corpus_paths:
        click.echo(f"corpus hits not marked ({len(hits)}" + (f", the first {limit}" if len(hits) >= limit else "") + "):")
        for hit in hits:
            click.echo("  " + suggesting.render_hit(hit))


# ---- inspect ----------------------------------------------------------------------------

@cli.command(short_help="Print what a pipeline stage made of a pack.")
@click.argument("pack", type=click.Path(exists=True))
@click.option("--stage", type=click.Choice(["ast", "regex", "lexicons"]), required=True,
              help="ast: the rules as parsed (canonical text); regex: each rule's anchors and generated "
                   "regex; lexicons: each lexicon and its entries.")
@click.option("--rule", "rule_glob", metavar="GLOB", help="Only rules whose id matches.")
def inspect(pack: str, stage: str, rule_glob: str | None) -> None:
    """Print what a pipeline stage made of PACK (for debugging and bug reports)."""
    from .inspection import show
    compiled = _load_or_exit(pack, True)
    try:
        resolved = resolve_pack(pack)
    except RulexError as err:
        click.echo(err.render(), err=True)
        sys.exit(EXIT_RULES)
    click.echo(show(stage, compiled, resolved, rule_glob))


# ---- import -----------------------------------------------------------------------------

@cli.group(name="import", short_help="Turn rules written for other tools into a rulex pack.")
def import_group() -> None:
    """Turn rules written for other tools into a rulex pack."""


@import_group.command(name="spacy", short_help="Import spaCy EntityRuler / SpanRuler patterns (JSONL).")
@click.argument("patterns", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True, metavar="DIR",
              help="The folder of the new pack (pack.yaml, imported.rulex, lexicons/, IMPORT.txt).")
@click.option("--name", metavar="NAME", help="The pack's name (default: the folder's name).")
@click.option("--force", is_flag=True, help="Write over a pack already in DIR.")
def import_spacy(patterns: str, out_dir: str, name: str | None, force: bool) -> None:
    """Turn the patterns of an EntityRuler or SpanRuler (one JSON object a line: `label`,
    `pattern`, `id`) into a rulex pack in DIR: phrase patterns become lexicon entries (one
    lexicon per label, an `id` groups aliases), token patterns rulex rules, each spaCy label an
    entity type the pack outputs. Patterns rulex cannot say (POS, TAG, DEP, ENT_TYPE, SHAPE,
    REGEX...) are listed with their line and the reason, on stderr and in DIR/IMPORT.txt, and
    so are imported patterns whose inline example rulex does not match (the pack's examples
    are run). Exit 1 when some were not imported or not matched, 2 when the file cannot be read.
    """
    import re

    from .importers import spacy_patterns
    folder = Path(out_dir)
    if (folder / "pack.yaml").exists() and not force:
        click.echo(f"rulex: {folder} already holds a pack; --force writes over it", err=True)
        sys.exit(EXIT_RULES)
    try:
        imported = spacy_patterns.read_patterns(patterns)
    except OSError as err:
        click.echo(f"rulex: {patterns}: cannot read it: {err.strerror or err}", err=True)
        sys.exit(EXIT_RULES)
    pack_name = name or re.sub(r"[^a-z0-9_]", "_", folder.resolve().name.lower()) or "imported"
    try:
        written = spacy_patterns.write_pack(imported, folder, pack_name)
    except OSError as err:
        click.echo(f"rulex: {err.filename or folder}: cannot write it: {err.strerror or err}", err=True)
        sys.exit(EXIT_RULES)
    try:
        unmatched = spacy_patterns.unmatched_examples(imported, written)
    except RulexError as err:   # a bug of the import: say so, and show the pack's errors
        click.echo(err.render(), err=True)
        click.echo(f"rulex: the pack written in {folder} has errors; please report it with {patterns}", err=True)
        sys.exit(EXIT_RULES)
    report = spacy_patterns.report_lines(imported, written.types, unmatched)
    (folder / "IMPORT.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    click.echo(report[0])
    for line in report[1:]:
        click.echo(line, err=True)
    click.echo(f"rulex: wrote the pack {pack_name} in {folder} (rulex test {folder} runs its examples)", err=True)
    sys.exit(EXIT_DATA if imported.refused or unmatched else EXIT_OK)


# ---- serve ------------------------------------------------------------------------------

@cli.command(short_help="Edit a pack's rules in the browser and see them match.")
@click.argument("pack", type=click.Path(exists=True, file_okay=False))
@click.argument("corpus", nargs=-1)
@click.option("--host", default=None, metavar="ADDRESS",
              help="The address to listen on (default 127.0.0.1, this machine only). Another address lets "
                   "anyone who reaches it read and write the pack's rule files.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The port to listen on (0: any free port).")
def serve(pack: str, corpus: tuple[str, ...], host: str | None, port: int) -> None:
    """A playground for PACK in the browser: edit its rule files with highlighting and the
    pack's errors at their line and column, type a sentence and see its matches as you type,
    why the rule under the cursor matches it or not, the rule's inline examples pass or fail,
    and its hits in CORPUS (.txt, .jsonl, directories) as keyword in context.

    Edits stay in the page until you save (Save, or Ctrl-S), which writes only the pack's
    own rule files. The server listens on 127.0.0.1 and answers only requests addressed to
    it there (a web page you visit cannot drive it); --host other than this machine turns
    that check off, with a warning. Ctrl-C stops it.
    """
    import socket
    import threading

    import uvicorn

    from .serve import LOOPBACK, Refused, Session, create_app, local_hosts
    address = host or "127.0.0.1"
    loopback = address in LOOPBACK
    if not loopback:
        click.echo(click.style(f"rulex serve: warning: listening on {address}: anyone who can reach this machine "
                               "on that address can read and write the pack's rule files; requests are not checked "
                               "for a foreign Host or Origin", fg="yellow", bold=True), err=True)
    click.echo(f"rulex serve: compiling {pack} ...", err=True)
    try:
        session = Session(pack, corpus, freeze=True)
    except Refused as err:
        raise click.BadParameter(str(err), param_hint="PACK") from None
    threading.Thread(target=session.prepare_suggest, name="prepare-suggest", daemon=True).start()
    family = socket.AF_INET6 if ":" in address.strip("[]") else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((address.strip("[]"), port))
    except OSError as err:
        raise click.UsageError(f"cannot listen on {address}:{port}: {err.strerror or err}") from None
    port = listener.getsockname()[1]
    app = create_app(session, local_hosts(address, port) if loopback else None)
    shown = f"[{address.strip('[]')}]" if family == socket.AF_INET6 else address
    click.echo(f"rulex serve: {session.loaded.manifest.name} at http://{shown}:{port}/  (Ctrl-C to stop)", err=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    server.run(sockets=[listener])


def _load_or_exit(pack: str, cache: bool) -> Pack:
    try:
        return load(pack, cache=cache, freeze=True, write_behind=True)  # the pack lives as long as this process
    except RulexError as err:
        click.echo(err.render(), err=True)
        click.echo(f"rulex: {pack}: {len([d for d in err.diagnostics if d.severity.value == 'error'])} error(s); "
                   "nothing was run", err=True)
        sys.exit(EXIT_RULES)


def main() -> None:
    """Entry point: never shows a Python traceback to the user."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as err:  # a bug in rulex, not in the user's input
        click.echo(f"rulex: internal error: {type(err).__name__}: {err}\n"
                   "please report it with the command that caused it", err=True)
        sys.exit(70)
