"""A pack reads only files inside its directory or a directory its manifest lists under
`dependencies:`, symlinks followed; YAML tags that are not plain data are reported, never run.

Every refusal is a located diagnostic that shows nothing of the refused file (issue 17,
items 2 and 4).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import rulex

SECRET = "SECRET-7f3a9c-do-not-print"
WEAPONS = "type: Weapon\nentries:\n  - id: missile\n    aliases: [missile, missiles]\n"
RULE = 'event: Attack\n\nrule: r\n  pattern: {weapon:Weapon} exploded\n  example: "a missile exploded"\n'
MANIFEST = "name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*.yaml']\n"
TAG = '!!python/object/apply:os.system ["touch MARKER"]'


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def pack(tmp_path: Path, files: dict[str, str], manifest: str | None = MANIFEST) -> Path:
    """A pack in tmp_path/pack with a Weapon lexicon and the given files; `outside/` beside it
    holds a file whose first line is the secret."""
    write(tmp_path / "outside", {"secret.rulex": SECRET + "\n" + RULE, "secret.yaml": f"# {SECRET}\n" + WEAPONS})
    files = {"lexicons/weapons.yaml": WEAPONS, **files}
    if manifest is not None:
        files["pack.yaml"] = manifest
    return write(tmp_path / "pack", files)


def errors(path: Path) -> rulex.RulexError:
    with pytest.raises(rulex.RulexError) as info:
        rulex.load(path, cache=False)
    return info.value


def codes(err: rulex.RulexError) -> list[tuple[str, str, int]]:
    return [(d.code, d.span.file if d.span else "", d.span.line if d.span else 0) for d in err.diagnostics]


def check_output(path: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "rulex", "check", str(path), *args], capture_output=True,
                            text=True, cwd=path.parent, env={**os.environ})
    assert result.returncode == 2, result.stderr
    return result.stdout + result.stderr


# ---- imports ------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["../../../../etc/passwd", "/etc/passwd", "DEEP"])
def test_an_import_of_a_system_file_is_refused_without_reading_it(tmp_path, target):
    root = tmp_path / "pack"
    if target == "DEEP":   # enough `..` to reach the real /etc/passwd from wherever tmp_path is
        target = "../" * len(root.parts) + "etc/passwd"
    root = pack(tmp_path, {"attack.rulex": f'import: "{target}"\n' + RULE})
    err = errors(root)
    [diagnostic] = err.diagnostics
    assert (diagnostic.code, diagnostic.span.file.endswith("attack.rulex"), diagnostic.span.line) == ("RX200", True, 1)
    assert f"`import: {target}` leaves the pack (resolves to " in diagnostic.message
    assert "a pack reads only files inside its directory or a directory pack.yaml lists under `dependencies:`" \
        in diagnostic.message
    assert "root:" not in str(err)


def test_an_import_out_of_the_pack_never_shows_the_file(tmp_path):
    root = pack(tmp_path, {"attack.rulex": 'import: "../outside/secret.rulex"\n' + RULE})
    err = errors(root)
    assert [d.code for d in err.diagnostics] == ["RX200"]
    assert f"resolves to {(tmp_path / 'outside' / 'secret.rulex').resolve()}" in str(err)
    assert SECRET not in str(err)
    assert SECRET not in check_output(root)
    assert SECRET not in check_output(root, "--format", "json")


def test_a_rule_file_given_by_name_reads_only_its_own_directory(tmp_path):
    root = pack(tmp_path, {"attack.rulex": 'import: "../outside/secret.rulex"\n' + RULE,
                           "lexicons/weapons.rulex": "entity: Weapon\n\nrule: w\n  pattern: missile\n"})
    err = errors(root / "attack.rulex")
    assert "RX200" in [d.code for d in err.diagnostics]
    assert "a rule file given by name reads only files inside its own directory" in str(err)
    assert SECRET not in str(err)


# ---- symlinks -----------------------------------------------------------------------------

def test_a_symlinked_rule_file_pointing_outside_is_refused(tmp_path):
    root = pack(tmp_path, {})
    (root / "attack.rulex").symlink_to(tmp_path / "outside" / "secret.rulex")
    err = errors(root)
    assert ("RX200", "pack.yaml", 2) in [(c, Path(f).name, line) for c, f, line in codes(err)]
    assert "names" in str(err) and "leaves the pack" in str(err)
    assert SECRET not in str(err)
    assert SECRET not in check_output(root)


def test_a_symlinked_lexicon_pointing_outside_is_refused(tmp_path):
    root = pack(tmp_path, {"attack.rulex": RULE})
    (root / "lexicons" / "weapons.yaml").unlink()
    (root / "lexicons" / "weapons.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    err = errors(root)
    assert ("RX200", "pack.yaml", 3) in [(c, Path(f).name, line) for c, f, line in codes(err)]
    assert f"resolves to {(tmp_path / 'outside' / 'secret.yaml').resolve()}" in str(err)
    assert SECRET not in str(err)
    assert SECRET not in check_output(root)


def test_symlinks_out_of_a_pack_without_manifest_are_refused_at_the_link(tmp_path):
    root = pack(tmp_path, {"attack.rulex": RULE}, manifest=None)
    (root / "other.rulex").symlink_to(tmp_path / "outside" / "secret.rulex")
    err = errors(root)
    [diagnostic] = err.diagnostics
    assert diagnostic.code == "RX200" and diagnostic.span.file.endswith("other.rulex")
    assert "leaves the pack" in diagnostic.message
    assert SECRET not in str(err)


# ---- the manifest's globs -----------------------------------------------------------------

def test_a_glob_out_of_the_pack_is_refused(tmp_path):
    root = pack(tmp_path, {"attack.rulex": RULE}, MANIFEST.replace("['lexicons/*.yaml']", "['../outside/*.yaml']"))
    err = errors(root)
    assert ("RX200", "pack.yaml", 3) in [(c, Path(f).name, line) for c, f, line in codes(err)]
    assert "`../outside/*.yaml` leaves the pack" in str(err)
    assert SECRET not in str(err)


@pytest.mark.parametrize("key", ["files", "lexicons", "tests"])
def test_an_absolute_glob_is_a_diagnostic_not_a_crash(tmp_path, key):
    absolute = str(tmp_path / "outside" / "*.yaml")
    manifest = f"name: t\nfiles: ['*.rulex']\nlexicons: ['lexicons/*.yaml']\n{key}: ['{absolute}']\n"
    root = pack(tmp_path, {"attack.rulex": RULE}, manifest)
    err = errors(root)
    assert ("RX200", "pack.yaml", 4) in [(c, Path(f).name, line) for c, f, line in codes(err)]
    assert f"`{absolute}` is an absolute path" in str(err)
    assert SECRET not in str(err)


def test_dot_dot_after_a_wildcard_is_refused(tmp_path):
    root = pack(tmp_path, {"attack.rulex": RULE},
                MANIFEST.replace("['lexicons/*.yaml']", "['lexicons/*/../../../outside/*.yaml']"))
    err = errors(root)
    assert "has `..` after a wildcard" in str(err)


# ---- dependencies -------------------------------------------------------------------------

def test_a_directory_listed_under_dependencies_may_be_read(tmp_path):
    write(tmp_path / "shared", {"weapons.yaml": WEAPONS,
                                "common.rulex": "define: boom = exploded | blew up\n"})
    root = pack(tmp_path, {"attack.rulex": 'import: "../shared/common.rulex"\n'
                           + RULE.replace("exploded", "{boom}")},
                "name: t\ndependencies: ['../shared']\nfiles: ['*.rulex']\nlexicons: ['../shared/*.yaml']\n")
    (root / "lexicons" / "weapons.yaml").unlink()
    loaded = rulex.load(root, cache=False)
    [match] = loaded.extract("A missile blew up.")
    assert match.args["weapon"].text == "missile"


def test_a_dependency_does_not_open_anything_else(tmp_path):
    write(tmp_path / "shared", {"weapons.yaml": WEAPONS})
    root = pack(tmp_path, {"attack.rulex": 'import: "../outside/secret.rulex"\n' + RULE},
                "name: t\ndependencies: ['../shared']\nfiles: ['*.rulex']\nlexicons: ['../shared/*.yaml']\n")
    err = errors(root)
    assert [d.code for d in err.diagnostics] == ["RX200"]
    assert SECRET not in str(err)


def test_a_missing_dependency_is_reported_where_it_is_listed(tmp_path):
    root = pack(tmp_path, {"attack.rulex": RULE}, MANIFEST + "dependencies: ['../nowhere']\n")
    err = errors(root)
    assert codes(err)[0][0] == "RX200" and Path(codes(err)[0][1]).name == "pack.yaml" and codes(err)[0][2] == 4
    assert "dependency `../nowhere` not found" in str(err)


def test_an_edit_in_a_dependency_reaches_a_cached_pack(tmp_path):
    write(tmp_path / "shared", {"weapons.yaml": WEAPONS})
    root = pack(tmp_path, {"attack.rulex": RULE},
                "name: t\ndependencies: ['../shared']\nfiles: ['*.rulex']\nlexicons: ['../shared/*.yaml']\n")
    (root / "lexicons" / "weapons.yaml").unlink()
    assert rulex.load(root).extract("A rocket exploded.") == []
    (tmp_path / "shared" / "weapons.yaml").write_text(WEAPONS.replace("missiles]", "missiles, rocket]"))
    assert len(rulex.load(root).extract("A rocket exploded.")) == 1


# ---- YAML tags ----------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["lexicon", "rule file", "pack.yaml"])
def test_a_python_tag_is_reported_and_never_run(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)   # `touch MARKER` would write here
    files = {"attack.rulex": RULE}
    manifest = MANIFEST
    if where == "lexicon":
        files["lexicons/weapons.yaml"] = WEAPONS + f"    attrs: {TAG}\n"
        at = ("weapons.yaml", 5)
    elif where == "rule file":
        files["rules.yaml"] = f"event: Attack\nrules:\n  - id: {TAG}\n    pattern: missile fired\n"
        manifest = MANIFEST.replace("['*.rulex']", "['*.rulex', 'rules.yaml']")
        at = ("rules.yaml", 3)
    else:
        manifest = MANIFEST + f"description: {TAG}\n"
        at = ("pack.yaml", 4)
    root = pack(tmp_path, files, manifest)
    err = errors(root)
    assert not (tmp_path / "MARKER").exists()
    found = [d for d in err.diagnostics if d.code == "RX201"]
    assert [(Path(d.span.file).name, d.span.line) for d in found] == [at]
    assert "YAML tag `!!python/object/apply:os.system` is not plain data" in found[0].message
    assert "RX201" in check_output(root)
    assert not (tmp_path / "MARKER").exists()


@pytest.mark.parametrize("value", ["!!python/name:os.system ''", "!custom x", "&a [1, *a]", "!!int abc"])
def test_other_values_that_are_not_plain_data_are_diagnostics(tmp_path, value):
    root = pack(tmp_path, {"attack.rulex": RULE, "lexicons/weapons.yaml": WEAPONS + f"    attrs:\n      x: {value}\n"})
    err = errors(root)
    in_lexicon = [(c, line) for c, f, line in codes(err) if Path(f).name == "weapons.yaml"]
    assert in_lexicon == [("RX201", 6)]


# ---- annotated corpus files ------------------------------------------------------------------

def test_a_corpus_test_file_symlinked_outside_the_pack_is_not_read(tmp_path):
    from rulex import testing
    root = pack(tmp_path, {"rules.rulex": RULE, "tests/inside.txt": "# expect: r\na missile exploded\n"})
    outside = tmp_path / "outside" / "cases.txt"
    outside.write_text(f"# expect: r\n{SECRET} a missile exploded\n", encoding="utf-8")
    (root / "tests" / "linked.txt").symlink_to(outside)
    loaded = rulex.load(root, cache=False)
    files = testing.corpus_files([root], loaded.program.manifest.tests, loaded.program.manifest.dependencies)
    assert [f.name for f in files] == ["inside.txt"]
