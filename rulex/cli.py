"""The `rulex` command line: run packs over documents, check packs.

Exit codes: 0 ok; 1 some documents failed (bad input, a rule timed out); 2 bad rules or usage.
"""
from __future__ import annotations

import json
import sys

import click

from . import __version__
from .document import parse_date
from .errors import RulexError
from .inputs import InputProblem, read_inputs
from .pack import check as check_pack, load

EXIT_OK, EXIT_DATA, EXIT_RULES = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rulex")
def cli() -> None:
    """Run, check and test information-extraction rule packs."""


@cli.command()
@click.argument("pack", type=click.Path(exists=True))
@click.argument("inputs", nargs=-1, required=True)
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Document date for documents that carry none.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Write here (default stdout).")
@click.option("--no-cache", is_flag=True, help="Compile the pack even if a cached copy exists.")
def run(pack: str, inputs: tuple[str, ...], date_text: str | None, output, no_cache: bool) -> None:
    """Run PACK over INPUTS (.txt, .jsonl, directories, - for stdin) and print JSONL matches."""
    try:
        date = parse_date(date_text)
    except ValueError:
        raise click.BadParameter(f"{date_text!r} is not YYYY-MM-DD", param_hint="--date")
    compiled = _load_or_exit(pack, not no_cache)
    failures = 0
    for item in read_inputs(list(inputs), date):
        if isinstance(item, InputProblem):
            failures += 1
            click.echo(f"rulex: {item.source}: {item.message}", err=True)
            continue
        result = compiled.process(item)
        for problem in result.problems:
            failures += 1
            click.echo(f"rulex: {item.id}: {problem.message} [{problem.code}]", err=True)
        for match in result.matches:
            output.write(json.dumps(match.to_dict(), ensure_ascii=False) + "\n")
        output.flush()
    if failures:
        click.echo(f"rulex: {failures} problem(s) with the input; see above", err=True)
        sys.exit(EXIT_DATA)


@cli.command()
@click.argument("pack", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def check(pack: tuple[str, ...], fmt: str) -> None:
    """Compile PACK and report every error and warning."""
    diagnostics, sources = check_pack(list(pack))
    errors = [d for d in diagnostics if d.severity.value == "error"]
    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.render(sources) + "\n")
        warnings = len(diagnostics) - len(errors)
        click.echo(f"{len(errors)} error(s), {warnings} warning(s)", err=True)
    sys.exit(EXIT_RULES if errors else EXIT_OK)


def _load_or_exit(pack: str, cache: bool):
    try:
        return load(pack, cache=cache)
    except RulexError as err:
        click.echo(err.render(), err=True)
        click.echo(f"rulex: {pack}: {len([d for d in err.diagnostics if d.severity.value == 'error'])} error(s); "
                   "nothing was run", err=True)
        sys.exit(EXIT_RULES)


def main() -> None:
    """Entry point: never shows a Python traceback to the user."""
    try:
        cli(standalone_mode=True)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as err:  # a bug in rulex, not in the user's input
        click.echo(f"rulex: internal error: {type(err).__name__}: {err}\n"
                   "please report it with the command that caused it", err=True)
        sys.exit(70)
