"""The documentation cannot rot: every rule it shows compiles and passes its examples, every
command output it shows is what the command prints now, every example pack passes its tests,
every diagnostic code is documented, and the site builds with `mkdocs build --strict`.

When a page's output block is out of date, refresh them all with
`python docs/hooks/rulex_docs.py --update` and review the diff.
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pygments.token import Error

import rulex
from rulex import testing
from rulex.diagnostics import CODES, Severity
from rulex.highlight import RulexLexer
from rulex.pack import resolve_pack

from .conftest import ROOT, SHARED

DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
LEXICONS = EXAMPLES / "news" / "lexicons"
PAGES = sorted(DOCS.rglob("*.md"))
needs_shared = pytest.mark.skipif(not (SHARED / "samples" / "news").is_dir(), reason="../shared is not beside the project")


def load_hook():
    spec = importlib.util.spec_from_file_location("rulex_docs_hook", DOCS / "hooks" / "rulex_docs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


HOOK = load_hook()


# ---- ```rulex blocks --------------------------------------------------------------------------

RULEX_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})rulex\b[^\n]*\n(?P<body>.*?)^(?P=indent)(?P=ticks)[ \t]*$",
                         re.MULTILINE | re.DOTALL)
FRAGMENT = "<!-- fragment -->"   # put on the line before a ```rulex block that cannot compile alone
SNIPPET = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$')
ITEM = re.compile(r"^(event|entity|define|import|rule)[ \t]*:", re.MULTILINE)


def rulex_blocks():
    """(page, line, body, fragment) of every ```rulex block of the docs."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in RULEX_FENCE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            before = text[:m.start()].rstrip().splitlines()[-1:] or [""]
            body = textwrap.dedent(m.group("body"))
            yield page.relative_to(ROOT).as_posix(), line, body, before[0].strip() == FRAGMENT


BLOCKS = list(rulex_blocks())


def included(body: str) -> list[tuple[Path, str | None]]:
    """The files (and sections) a block includes with `--8<--`, or [] for a block of its own."""
    lines = [line for line in body.splitlines() if line.strip()]
    found = [SNIPPET.match(line) for line in lines]
    if not lines or not all(found):
        return []
    out = []
    for m in found:
        name, _, section = m.group(1).partition(":")
        out.append((ROOT / name, section or None))
    return out


def as_rule_file(body: str) -> str:
    """A block as a rule file: a file as it is, rules under a header, a bare pattern as a rule."""
    if ITEM.search(body) and not body.lstrip().startswith("rule:"):
        return body
    if body.lstrip().startswith("rule:"):
        return "event: Doc\n\n" + body
    return "event: Doc\n\nrule: doc.block\n  pattern: " + textwrap.indent(body.strip(), "    ").lstrip() + "\n"


def block_id(block) -> str:
    return f"{block[0]}:{block[1]}"


def test_the_docs_have_rulex_blocks_and_few_fragments():
    assert len(BLOCKS) >= 40
    assert sum(fragment for *_, fragment in BLOCKS) <= 3


@pytest.mark.parametrize("block", BLOCKS, ids=block_id)
def test_every_rulex_block_is_highlighted_without_error_tokens(block):
    page, line, body, _ = block
    files = included(body)
    texts = [section_text(path, section) for path, section in files] if files else [body]
    for text in texts:
        errors = [value for token, value in RulexLexer().get_tokens(text) if token in Error]
        assert not errors, f"{page}:{line}: the lexer does not know {errors}"


def section_text(path: Path, section: str | None) -> str:
    text = path.read_text(encoding="utf-8")
    if section is None:
        return text
    start, end = f"--8<-- [start:{section}]", f"--8<-- [end:{section}]"
    assert start in text and end in text, f"{path}: no section {section}"
    return text.split(start, 1)[1].split("\n", 1)[1].split(end, 1)[0].rsplit("\n", 1)[0]


@pytest.mark.parametrize("block", [b for b in BLOCKS if not b[3] and not included(b[2])], ids=block_id)
def test_every_rulex_block_compiles_and_passes_its_examples(block, tmp_path):
    """A block compiles in a pack with the cookbook's lexicons, and its examples pass."""
    page, line, body, _ = block
    pack = tmp_path / "block"
    (pack / "lexicons").mkdir(parents=True)
    for lexicon in LEXICONS.iterdir():
        (pack / "lexicons" / lexicon.name).write_text(lexicon.read_text(encoding="utf-8"), encoding="utf-8")
    (pack / "pack.yaml").write_text('name: docs\nlexicons: ["lexicons/*.yaml", "lexicons/*.csv"]\noutput: [Unit]\n',
                                    encoding="utf-8")
    (pack / "block.rulex").write_text(as_rule_file(body), encoding="utf-8")
    diagnostics, sources = rulex.check(pack)
    errors = [d.render(sources) for d in diagnostics if d.severity is Severity.ERROR]
    assert not errors, f"{page}:{line}: the block does not compile:\n" + "\n".join(errors)
    compiled = rulex.load(pack, cache=False)
    results = testing.check_examples(compiled, resolve_pack(pack))
    failed = [f"{r.rule} {'example' if r.positive else 'counter'} {r.text!r}: {'; '.join(r.failures)}"
              for r in results if not r.ok]
    assert not failed, f"{page}:{line}: examples of the block fail:\n" + "\n".join(failed)


def test_every_included_file_exists_and_every_section_is_there():
    for page, line, body, _ in BLOCKS:
        for path, section in included(body):
            assert path.is_file(), f"{page}:{line}: {path} does not exist"
            section_text(path, section)


# ---- command outputs shown on the pages -------------------------------------------------------

OUTPUTS = [(page, marker) for page in PAGES for marker in HOOK.markers(page.read_text(encoding="utf-8"))
           if marker.kind == "output"]


def test_the_pages_show_command_outputs():
    assert len(OUTPUTS) >= 15


@needs_shared
@pytest.mark.parametrize("page, marker", OUTPUTS,
                         ids=[f"{p.relative_to(DOCS)}:{m.command[:60]}" for p, m in OUTPUTS])
def test_every_output_shown_is_what_the_command_prints(page, marker):
    _, actual = HOOK.command_output(marker)
    expected = HOOK.clean(marker.block[2])
    assert actual == expected, (f"{page.relative_to(ROOT)}: `{marker.command}` prints something else now; "
                                "run `python docs/hooks/rulex_docs.py --update` and review the diff")


# ---- the example packs ------------------------------------------------------------------------

EXAMPLE_PACKS = sorted(p.parent for p in EXAMPLES.rglob("pack.yaml"))
FAILING_ON_PURPOSE = {EXAMPLES / "tutorial" / "2-pattern": 1}   # pack -> how many examples fail (the tutorial shows it)


@pytest.mark.parametrize("pack", EXAMPLE_PACKS, ids=[p.relative_to(EXAMPLES).as_posix() for p in EXAMPLE_PACKS])
def test_every_example_pack_compiles_and_passes_its_tests(pack):
    compiled = rulex.load(pack, cache=False)
    results = testing.check_examples(compiled, resolve_pack(pack))
    cases = [c for f in testing.corpus_files([pack], compiled.program.manifest.tests) for c in testing.read_corpus(f)]
    results += testing.check_corpus(compiled, cases)
    failed = [r for r in results if r.counts_as_failure]
    assert len(failed) == FAILING_ON_PURPOSE.get(pack, 0), [(r.rule, r.text, r.failures) for r in failed]
    assert compiled.rules, pack


def test_the_cookbook_pack_has_no_warnings():
    diagnostics, _ = rulex.check(EXAMPLES / "news")
    assert not diagnostics, [d.headline() for d in diagnostics]


# ---- generated pages: diagnostics and the command line ----------------------------------------

DIAGNOSTICS = HOOK.diagnostics_data()


def test_every_diagnostic_code_is_documented():
    assert set(DIAGNOSTICS) == set(CODES), "docs/data/diagnostics.yaml must have exactly the codes of CODES"
    for code, entry in DIAGNOSTICS.items():
        assert entry.get("explain") and entry.get("fix") and entry.get("files"), code


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_diagnostic_example_gives_its_code_and_its_fix_removes_it(code):
    entry = DIAGNOSTICS[code]
    _, output, codes = HOOK.run_example(entry)
    assert codes == {code} | set(entry.get("also", ())), f"{code}: the example reports {sorted(codes)}:\n{output}"
    if "fixed" in entry:
        _, output, codes = HOOK.run_example(entry, "fixed")
        errors = {c for c in codes if CODES[c][0] is Severity.ERROR}
        assert code not in codes and not errors, f"{code}: the fixed example reports {sorted(codes)}:\n{output}"


def test_the_cli_reference_covers_every_command_and_option():
    import click

    page = HOOK.cli_reference()
    commands = list(HOOK.cli_commands())
    assert "import spacy" in [name for name, *_ in commands]      # the commands of a group too
    for name, command, _ in commands:
        assert f"## rulex {name} " in page, name
        for param in command.params:
            if isinstance(param, click.Option):
                for flag in param.opts + param.secondary_opts:
                    assert f"`{flag}`" in page, (name, flag)
            else:
                assert param.human_readable_name.upper() in page, (name, param.name)


# ---- the site builds --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`mkdocs build --strict` into a temporary folder, as `make docs` runs it."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert not re.search(r"^(WARNING|ERROR)\b", log, re.MULTILINE), log
    return out


@needs_shared
def test_the_site_builds_strictly_with_every_page(site):
    for page in PAGES:
        if "hooks" in page.parts or "examples" in page.parts:
            continue
        relative = page.relative_to(DOCS).with_suffix("")
        html = site / ("index.html" if relative.name == "index" and relative.parent == Path(".")
                       else relative.parent / "index.html" if relative.name == "index" else relative / "index.html")
        assert html.is_file(), html


@needs_shared
def test_the_site_highlights_rulex_blocks_with_the_rulex_lexer(site):
    html = (site / "reference" / "language" / "index.html").read_text(encoding="utf-8")
    assert 'class="language-rulex highlight"' in html
    assert '<span class="nc">Actor</span>' in html        # a slot's type: Name.Class
    assert '<span class="k">pattern:</span>' in html       # a clause keyword


@needs_shared
def test_the_generated_pages_are_in_the_site(site):
    diagnostics = (site / "reference" / "diagnostics" / "index.html").read_text(encoding="utf-8")
    for code in CODES:
        assert f'id="{code.lower()}"' in diagnostics, code
    cli_page = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    for name in ("run", "check", "test", "explain", "inspect", "eval", "diff"):
        assert f'id="rulex-{name}"' in cli_page, name
    api = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("rulex.load", "rulex.check", "Pack", "Match", "Argument", "Provenance"):
        assert name in api, name
