"""MkDocs hook of the rulex documentation: the pages that cannot rot.

Loaded by mkdocs.yml (`hooks:`). At build time it fills four kinds of markers in the Markdown:

`<!-- rulex-cli -->`
    the command-line reference, generated from the click command tree `rulex.cli.cli`;
`<!-- rulex-diagnostics -->`
    every code of `rulex.diagnostics.CODES`, with the example, explanation and fix written for it
    in docs/data/diagnostics.yaml, and what `rulex check` really says about the example;
`<!-- live: COMMAND -->`
    replaced by COMMAND's output, run now (for output that changes with work elsewhere, such
    as the conflict pack's, and for the architecture page's views of internal stages);
`<!-- output: COMMAND -->` followed by a fenced block
    left as written: tests/test_docs.py runs COMMAND and fails when its output differs from
    the block. `python docs/hooks/rulex_docs.py --update` rewrites those blocks.

Options go between the marker's name and the colon: `json` pretty-prints each line of output
as JSON (`depth=N`: how many levels get a line per key); `keys=a,b.c` keeps only those keys of
each JSON object (`b.c`: the key `c` of the object `b`); `first=N` keeps the first N lines;
`lang=x` names the fence's language.

COMMAND runs in the project root: `rulex ...` in this process (click's CliRunner, stdout and
stderr interleaved as a terminal shows them), `python SCRIPT.py ...` in this process too,
anything else (pipes, redirections) with bash.

Also: `on_files` adds reference/sample-report.html (the HTML report of the cookbook pack on the
sample articles), linked from the output page.
"""
from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DIAGNOSTICS_DATA = DOCS / "data" / "diagnostics.yaml"
EXAMPLE_LEXICONS = DOCS / "examples" / "news" / "lexicons"

MARKER = re.compile(r"^<!--[ \t]*(output|live)((?:[ \t]+[\w-]+(?:=[^\s:]+)?)*)[ \t]*:[ \t]*(.+?)[ \t]*-->[ \t]*$",
                    re.MULTILINE)
FENCE = re.compile(r"^(`{3,})([^\n]*)\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
SHELL_CHARACTERS = re.compile(r"[|<>;&$`]")


# ---- commands and their output ---------------------------------------------------------------

class Marker:
    """One marker of a page: `kind` is "output" or "live"; start and end are the offsets of its
    line; `block` is (start, end, body) of the fenced block after an output marker."""

    def __init__(self, kind: str, options: dict, command: str, start: int, end: int):
        self.kind, self.options, self.command, self.start, self.end = kind, options, command, start, end
        self.block: tuple[int, int, str] | None = None

    @property
    def lang(self) -> str:
        return self.options.get("lang") or ("json" if "json" in self.options else "text")


def fenced_ranges(markdown: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of every fenced code block of a page."""
    ranges, opened, offset = [], None, 0
    for line in markdown.splitlines(keepends=True):
        fence = re.match(r"[ \t]*(`{3,})", line)
        if opened is None and fence:
            opened = (offset, len(fence.group(1)))
        elif opened is not None and fence and len(fence.group(1)) >= opened[1] and not line.strip().strip("`"):
            ranges.append((opened[0], offset + len(line)))
            opened = None
        offset += len(line)
    return ranges


def markers(markdown: str) -> list[Marker]:
    """Every output and live marker of a page (not those shown inside code blocks), each
    output marker with the block after it."""
    found = []
    code = fenced_ranges(markdown)
    for m in MARKER.finditer(markdown):
        if any(start <= m.start() < end for start, end in code):
            continue
        options = {}
        for word in m.group(2).split():
            key, _, value = word.partition("=")
            options[key] = value
        marker = Marker(m.group(1), options, m.group(3), m.start(), m.end())
        if marker.kind == "output":
            fence = FENCE.match(markdown, m.end() + 1)
            if fence is None:
                raise ValueError(f"`<!-- output: {marker.command} -->` must be followed by a fenced block")
            marker.block = (fence.start(), fence.end(), fence.group(3))
        found.append(marker)
    return found


@contextlib.contextmanager
def working_directory(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run(command: str, cwd: Path = ROOT) -> tuple[int, str, str]:
    """(exit code, stdout, what a terminal shows: stdout and stderr interleaved)."""
    words = shlex.split(command)
    if words and words[0] == "rulex" and not SHELL_CHARACTERS.search(command):
        from click.testing import CliRunner

        from rulex.cli import cli
        with working_directory(cwd):
            result = CliRunner().invoke(cli, words[1:], prog_name="rulex")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise RuntimeError(f"`{command}` failed: {result.exception!r}") from result.exception
        return result.exit_code, result.stdout, result.output
    if len(words) >= 2 and words[0] == "python" and words[1].endswith(".py") and not SHELL_CHARACTERS.search(command):
        return _run_script(words[1:], cwd)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stdout + done.stderr


def _run_script(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """`python SCRIPT ARGS` in this process (the scripts of docs/examples are quick, Python is not)."""
    import io
    import runpy
    out = io.StringIO()
    old_argv = sys.argv
    sys.argv = argv
    code = 0
    try:
        with working_directory(cwd), contextlib.redirect_stdout(out):
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    finally:
        sys.argv = old_argv
    return code, out.getvalue(), out.getvalue()


def select(value: dict, keys: list[str]) -> dict:
    """The given keys of a JSON object, in that order; `a.b` keeps key `b` of the object `a`."""
    out: dict = {}
    for key in keys:
        head, _, rest = key.partition(".")
        if head not in value:
            continue
        if rest and isinstance(value[head], dict):
            inner = select(value[head], [rest])
            if inner:
                out.setdefault(head, {}).update(inner)
        else:
            out[head] = value[head]
    return out


def compact_json(value, indent: int = 0, depth: int = 2) -> str:
    """JSON with one key (or list item of objects) per line down to `depth` levels, and
    everything deeper on one line."""
    pad = "  " * (indent + 1)
    if depth > 0 and isinstance(value, dict) and value:
        items = [f"{pad}{json.dumps(k)}: {compact_json(v, indent + 1, depth - 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if depth > 0 and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = [pad + compact_json(v, indent + 1, depth - 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return json.dumps(value, ensure_ascii=False)


def clean(text: str) -> str:
    """Trailing spaces and blank lines off, so editors and fences do not change what is compared."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


_LIVE_RUNS: dict[tuple[str, Path], tuple[int, str, str]] = {}   # one run per command and build


def command_output(marker: Marker, cwd: Path = ROOT) -> tuple[int, str]:
    """The exit code and the text to show for a marker's command."""
    if marker.kind == "live":
        if (marker.command, cwd) not in _LIVE_RUNS:
            _LIVE_RUNS[marker.command, cwd] = run(marker.command, cwd)
        code, stdout, shown = _LIVE_RUNS[marker.command, cwd]
    else:
        code, stdout, shown = run(marker.command, cwd)
    if "first" in marker.options:   # only the first N lines (of stdout, for json)
        count = int(marker.options["first"])
        stdout = "\n".join(stdout.splitlines()[:count])
        shown = "\n".join(shown.splitlines()[:count])
    if "json" in marker.options:
        keys = [k for k in marker.options.get("keys", "").split(",") if k]
        objects = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        if keys:
            objects = [select(o, keys) for o in objects]
        shown = "\n".join(compact_json(o, depth=int(marker.options.get("depth", 2))) for o in objects)
    return code, clean(shown)


def check_outputs(path: Path) -> list[str]:
    """For each output marker of a page, a diff when the block differs from the command's output."""
    markdown = path.read_text(encoding="utf-8")
    problems = []
    for marker in markers(markdown):
        if marker.kind != "output":
            continue
        _, actual = command_output(marker)
        expected = clean(marker.block[2])
        if actual != expected:
            diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                                  "in the page", "the command now", lineterm=""))
            problems.append(f"{path.relative_to(ROOT)}: `{marker.command}` now prints something else:\n{diff}")
    return problems


def update_outputs(path: Path) -> bool:
    """Rewrite the output blocks of a page from their commands; True when the page changed."""
    markdown = path.read_text(encoding="utf-8")
    pieces, last = [], 0
    for marker in markers(markdown):
        if marker.kind != "output":
            continue
        start, end, _ = marker.block
        fence = FENCE.match(markdown, start)
        _, actual = command_output(marker)
        ticks = fence.group(1) if "`" * len(fence.group(1)) not in actual else "`" * (len(fence.group(1)) + 1)
        pieces += [markdown[last:start], f"{ticks}{fence.group(2)}\n{actual}\n{ticks}"]
        last = end
    updated = "".join(pieces) + markdown[last:]
    if updated != markdown:
        path.write_text(updated, encoding="utf-8")
    return updated != markdown


def fenced(text: str, lang: str = "text", title: str | None = None) -> str:
    ticks = "```" if "```" not in text else "````"
    head = f'{ticks}{lang}' + (f' title="{title}"' if title else "")
    return f"{head}\n{text}\n{ticks}"


def expand_live(markdown: str) -> str:
    """Each live marker replaced by its command's output, run now."""
    out, last = [], 0
    for marker in markers(markdown):
        if marker.kind != "live":
            continue
        code, shown = command_output(marker)
        if code not in (0, 1) or not shown:
            raise RuntimeError(f"`{marker.command}` exited with {code} and printed:\n{shown}")
        out += [markdown[last:marker.start], fenced(shown, marker.lang)]
        last = marker.end
    return "".join(out) + markdown[last:]


# ---- the command-line reference ---------------------------------------------------------------

def _is_unset(value) -> bool:
    return value is None or type(value).__name__ == "Sentinel" or value == () or value is False


def _value_of(param) -> str:
    import click
    if getattr(param, "is_flag", False) and not getattr(param, "secondary_opts", None):
        return "flag"
    if getattr(param, "secondary_opts", None):
        return "on / off"
    kind = param.type
    if isinstance(kind, click.Choice):
        return " \\| ".join(f"`{c}`" for c in kind.choices)
    if isinstance(kind, click.IntRange):
        return f"a whole number, {kind.min} to {kind.max}"
    if getattr(param, "metavar", None):
        return f"`{param.metavar}`"
    if isinstance(kind, click.File):
        return "`FILE`"
    if isinstance(kind, click.Path):
        return "`PATH`"
    return f"`{kind.name.upper()}`"


def _argument_text(argument) -> str:
    import click
    what = []
    if isinstance(argument.type, click.Path):
        what.append("a file or directory that exists" if argument.type.exists else "a path")
        if argument.type.dir_okay is False:
            what[-1] = "a file that exists"
    else:
        what.append("text")
    if argument.nargs == -1:
        what.append("one or more" if argument.required else "any number")
    elif not argument.required:
        what.append("optional")
    return "; ".join(what)


def _help_paragraphs(text: str) -> str:
    """A click help text as Markdown paragraphs (click's `\\b` marks a block kept as it is)."""
    paragraphs = []
    for block in textwrap.dedent(text or "").strip().split("\n\n"):
        if block.startswith("\b"):
            paragraphs.append(fenced(block[1:].strip("\n")))
        else:
            paragraphs.append(" ".join(line.strip() for line in block.splitlines()))
    return "\n\n".join(paragraphs)


def cli_reference() -> str:
    """The CLI reference page body, from `rulex.cli.cli` and every command under it."""
    import click

    from rulex.cli import cli
    out = []
    ctx = click.Context(cli, info_name="rulex")
    out.append(_help_paragraphs(cli.help))
    commands = list(cli_commands())
    out.append("| command | what it does |\n| --- | --- |")
    out[-1] += "".join(f"\n| [`rulex {name}`](#rulex-{name.replace(' ', '-')}) | {cmd.get_short_help_str(200)} |"
                       for name, cmd, _ in commands)
    out.append("Options of `rulex` itself: " + ", ".join(
        f"`{' '.join(p.opts)}` ({p.help or ''})".replace(" ()", "") for p in cli.get_params(ctx)
        if isinstance(p, click.Option)) + ".")
    for name, cmd, sub in commands:
        usage = " ".join(["rulex", name] + cmd.collect_usage_pieces(sub))
        section = [f"## rulex {name} {{#rulex-{name.replace(' ', '-')}}}", fenced(usage), _help_paragraphs(cmd.help)]
        arguments = [p for p in cmd.params if isinstance(p, click.Argument)]
        if arguments:
            rows = "".join(f"\n| `{a.make_metavar(sub) if _takes_ctx(a) else a.make_metavar()}` | {_argument_text(a)} |"
                           for a in arguments)
            section.append("**Arguments**\n\n| argument | what it takes |\n| --- | --- |" + rows)
        options = [p for p in cmd.get_params(sub) if isinstance(p, click.Option)]
        rows = []
        for option in options:
            names = ", ".join(f"`{o}`" for o in option.opts + option.secondary_opts)
            default = "" if _is_unset(option.default) else f"`{option.default}`"
            if option.secondary_opts and not _is_unset(option.default):
                default = f"`{option.opts[-1] if option.default else option.secondary_opts[-1]}`"
            help_text = (option.help or "").replace("|", "\\|")
            if option.required:
                help_text = "Required. " + help_text
            rows.append(f"\n| {names} | {_value_of(option)} | {default} | {help_text} |")
        section.append("**Options**\n\n| option | value | default | what it does |\n| --- | --- | --- | --- |"
                       + "".join(rows))
        section.append(f'??? example "`rulex {name} --help`"\n\n'
                       + textwrap.indent(fenced(cmd.get_help(sub).rstrip()), "    "))
        out.append("\n\n".join(section))
    return "\n\n".join(out)


def cli_commands():
    """(name, command, context) of every command of `rulex`, and of the commands of each group
    (`rulex import spacy` is named "import spacy")."""
    import click

    from rulex.cli import cli
    root = click.Context(cli, info_name="rulex")

    def walk(group, parent, prefix):
        for name, cmd in group.commands.items():
            ctx = click.Context(cmd, info_name=name, parent=parent)
            yield prefix + name, cmd, ctx
            if isinstance(cmd, click.Group):
                yield from walk(cmd, ctx, prefix + name + " ")
    return walk(cli, root, "")


def _takes_ctx(argument) -> bool:
    import inspect
    return "ctx" in inspect.signature(argument.make_metavar).parameters


# ---- the diagnostics reference ----------------------------------------------------------------

def diagnostics_data() -> dict:
    import yaml
    return yaml.safe_load(DIAGNOSTICS_DATA.read_text(encoding="utf-8"))


def write_example_pack(root: Path, entry: dict, files_key: str = "files") -> Path:
    """An example of the diagnostics data as a pack directory `my-pack` under root."""
    pack = root / "my-pack"
    pack.mkdir(parents=True, exist_ok=True)
    key = "fixed_lexicons" if files_key == "fixed" and "fixed_lexicons" in entry else "lexicons"
    encodings = entry.get("encodings", {}) if files_key == "files" else {}
    for name, text in entry[files_key].items():
        path = pack / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encodings.get(name, "utf-8")))
    for name in entry.get(key, []):
        target = pack / "lexicons" / Path(name).name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text((EXAMPLE_LEXICONS / name).read_text(encoding="utf-8"), encoding="utf-8")
    if "pack.yaml" not in entry[files_key]:
        lexicons = 'lexicons: ["lexicons/*"]\n' if (pack / "lexicons").is_dir() else ""
        (pack / "pack.yaml").write_text("name: my-pack\n" + lexicons, encoding="utf-8")
    return pack


def run_example(entry: dict, files_key: str = "files") -> tuple[int, str, set[str]]:
    """(exit code, what the command prints, the codes it reports) for one example."""
    with tempfile.TemporaryDirectory() as tmp:
        write_example_pack(Path(tmp), entry, files_key)
        for name, text in entry.get("inputs", {}).items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        cache = os.environ.get("RULEX_CACHE_DIR")
        os.environ["RULEX_CACHE_DIR"] = str(Path(tmp) / "cache")   # never a cached copy of another example
        try:
            code, _, shown = run(entry.get("command", "rulex check my-pack"), Path(tmp))
        finally:
            if cache is None:
                os.environ.pop("RULEX_CACHE_DIR", None)
            else:
                os.environ["RULEX_CACHE_DIR"] = cache
    return code, clean(shown), set(re.findall(r"\[(RX\d{3})\]", shown))


def _language(name: str) -> str:
    return {".rulex": "rulex", ".yaml": "yaml", ".yml": "yaml"}.get(Path(name).suffix, "text")


def diagnostics_reference() -> str:
    from rulex.diagnostics import CODES
    data = diagnostics_data()
    missing = sorted(set(CODES) - set(data))
    if missing:
        raise RuntimeError(f"docs/data/diagnostics.yaml has no entry for {', '.join(missing)}")
    rows = ["| code | severity | what it means |", "| --- | --- | --- |"]
    rows += [f"| [{code}](#{code.lower()}) | {severity.value} | {text} |" for code, (severity, text) in CODES.items()]
    out = ["\n".join(rows)]
    for code, (severity, text) in CODES.items():
        entry = data[code]
        part = [f"## {code}: {text} {{#{code.lower()}}}",
                f"**{severity.value}**" + (" · found when the pack runs, not by `rulex check`"
                                            if entry.get("command", "").startswith("rulex run") else ""),
                entry["explain"].strip()]
        shown = entry.get("show") or list(entry["files"])
        for name in shown:
            part.append(fenced(entry["files"][name].rstrip("\n"), _language(name), f"my-pack/{name}"))
        for name, text in entry.get("inputs", {}).items():
            part.append(fenced(text.rstrip("\n"), "text", name))
        _, output, _ = run_example(entry)
        command = entry.get("command", "rulex check my-pack")
        part.append(f"`{command}` says:\n\n" + fenced(output))
        part.append("**Fix.** " + entry["fix"].strip())
        if "fixed" in entry:
            for name in entry.get("show_fixed") or list(entry["fixed"]):
                part.append(fenced(entry["fixed"][name].rstrip("\n"), _language(name), f"my-pack/{name}"))
        out.append("\n\n".join(part))
    return "\n\n".join(out)


# ---- MkDocs events ----------------------------------------------------------------------------

SAMPLES = ROOT.parent / "shared" / "samples" / "news"
REPORT = "reference/sample-report.html"


def sample_report() -> str:
    """The HTML report of the cookbook pack on the sample articles (or its own articles)."""
    inputs = "../shared/samples/news" if SAMPLES.is_dir() else "docs/examples/news/articles"
    code, stdout, shown = run(f"rulex run docs/examples/news {inputs} -f html")
    if code != 0 or "</html>" not in stdout:
        raise RuntimeError(f"the sample report could not be made:\n{shown}")
    return stdout


def on_files(files, config):
    """Add the HTML report that the output page links to, made now."""
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File
    try:
        files.append(File.generated(config, REPORT, content=sample_report()))
    except Exception as err:
        raise PluginError(f"{REPORT}: {err}") from err
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    from mkdocs.exceptions import PluginError
    try:
        if "<!-- rulex-cli -->" in markdown:
            markdown = markdown.replace("<!-- rulex-cli -->", cli_reference())
        if "<!-- rulex-diagnostics -->" in markdown:
            markdown = markdown.replace("<!-- rulex-diagnostics -->", diagnostics_reference())
        return expand_live(markdown)
    except Exception as err:  # a page that cannot be generated fails the build, with the reason
        raise PluginError(f"{page.file.src_path}: {err}") from err


# ---- `python docs/hooks/rulex_docs.py --update` -----------------------------------------------

def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def main(argv: list[str]) -> int:
    if argv != ["--update"] and argv != ["--check"]:
        print(__doc__)
        print("usage: python docs/hooks/rulex_docs.py --update | --check")
        return 2
    if argv == ["--update"]:
        for path in pages():
            if update_outputs(path):
                print(f"updated {path.relative_to(ROOT)}")
        return 0
    problems = [p for path in pages() for p in check_outputs(path)]
    print("\n\n".join(problems) or "every output block is up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
