"""A pytest plugin: every inline example (and annotated corpus line) of a rule pack as a test.

Installed with rulex (entry point `pytest11`), and off until asked for:

    pytest --rulex rules/conflict           # on the command line (repeatable), or in the ini file:
    [pytest]
    rulex_packs = rules/conflict rules/other

(several packs on a line, or one per line, as pytest's own `testpaths`).

Each example is one test item, named after its rule, reported at the rule file's line; a
failure shows the same report as `rulex test` (expected against actual, the nearest miss).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rulex", "rulex rule packs")
    group.addoption("--rulex", action="append", default=[], metavar="PACK",
                    help="collect the inline examples of this rule pack as tests (repeatable)")
    parser.addini("rulex_packs", type="args", default=[],   # split as a shell splits: "my pack" is one
                  help="rule packs whose examples are collected as tests, separated by spaces or newlines "
                       "(paths relative to the ini file)")


def _packs(config: pytest.Config) -> list[Path]:
    base = Path(config.inipath).parent if config.inipath else Path(config.rootpath)
    packs = [(base / p).resolve() for p in config.getini("rulex_packs")]
    packs += [Path(p).resolve() for p in config.getoption("rulex")]
    return list(dict.fromkeys(packs))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    for pack in _packs(config):
        name = os.path.relpath(pack, config.rootpath)
        collector = RulePack.from_parent(session, name=name, nodeid=name, path=pack)
        report = collector.ihook.pytest_make_collect_report(collector=collector)
        collector.ihook.pytest_collectreport(report=report)  # counted and shown like any collection
        if report.passed:
            items.extend(node for node in report.result if isinstance(node, pytest.Item))


class RuleExampleFailure(Exception):
    """An example that did not do what it says."""


class RulePack(pytest.Collector):
    """A rule pack: its examples and corpus lines become items."""

    def collect(self):
        import rulex
        from rulex import testing
        from rulex.pack import resolve_pack
        try:
            pack = rulex.load(self.path)
            resolved = resolve_pack(self.path)
        except rulex.RulexError as err:
            raise self.CollectError(f"rule pack {self.path} does not compile:\n{err.render()}") from None
        counts: dict[str, int] = {}
        for index, rule in enumerate(pack.program.rules):
            for example in rule.examples:
                counts[rule.local_id] = counts.get(rule.local_id, 0) + 1
                kind = "example" if example.positive else "counter"
                yield RuleExample.from_parent(
                    self, name=f"{rule.local_id}[{kind}{counts[rule.local_id]}]",
                    run=lambda i=index, r=rule, e=example: testing.check_example(pack, i, r, e, resolved),
                    where=(example.span.file, example.span.line))
        for path in testing.corpus_files([self.path], pack.program.manifest.tests, pack.program.manifest.dependencies):
            for case in testing.read_corpus(path):
                for rule_id in case.rules:
                    one = testing.CorpusCase(case.file, case.line, case.text, (rule_id,), case.expect, case.todo)
                    yield RuleExample.from_parent(
                        self, name=f"{Path(case.file).name}:{case.line}[{rule_id}]",
                        run=lambda c=one: testing.check_corpus(pack, [c])[0], where=(case.file, case.line))


class RuleExample(pytest.Item):
    def __init__(self, *, run, where: tuple[str, int], **kwargs):
        super().__init__(**kwargs)
        self._run, self._where = run, where
        self.result = None

    def runtest(self) -> None:
        self.result = result = self._run()
        if result.todo:
            pytest.xfail("todo: " + "; ".join(result.failures) if result.failures else "todo passes now")
        if result.failures:
            raise RuleExampleFailure()

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, RuleExampleFailure) and self.result is not None:
            from rulex.testing import render_result
            return render_result(self.result, os.path.relpath(self.parent.path)).rstrip()
        return super().repr_failure(excinfo)

    def reportinfo(self):
        file, line = self._where
        return Path(file), line - 1, f"{self.name}"
