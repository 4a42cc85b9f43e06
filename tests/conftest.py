"""Shared fixtures: paths to the project and ../shared, a private compile cache, pack builders."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "samples" / "news"
CONFLICT = ROOT / "rules" / "conflict"
MINI_PACK = ROOT / "tests" / "data" / "cli_pack"  # a frozen small pack: CLI tests must not move with the conflict pack


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """Each test session compiles into its own cache, never the user's."""
    settings = {"RULEX_CACHE_DIR": str(tmp_path_factory.getbasetemp() / "rulex-cache"),
                "RULEX_CACHE_ENTRIES": "10000"}   # a session compiles many small packs: keep them all
    old = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    yield
    for name, value in old.items():
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value


@pytest.fixture
def make_pack(tmp_path):
    """Write files (name -> text) into a fresh pack directory and return its path."""
    def make(files: dict[str, str], manifest: str | None = None) -> Path:
        root = tmp_path / "pack"
        root.mkdir(exist_ok=True)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        if manifest is not None:
            (root / "pack.yaml").write_text(textwrap.dedent(manifest), encoding="utf-8")
        return root
    return make


ACTORS = """
type: Actor
entries:
  - id: Iran
    aliases: [Iran, Iranian]
  - id: United_States
    aliases: [US, U.S., United States]
  - id: IRGC
    aliases: [IRGC, Islamic Revolutionary Guard Corps, IRGC Aerospace Force]
"""
PLACES = """
type: Place
entries:
  - id: Iraq
    aliases: [Iraq, western Iraq]
  - id: Erbil
    aliases: [Erbil, Irbil]
  - id: Baghdad
    aliases: [Baghdad]
  - id: Baghdad_Airport
    aliases: [Baghdad airport]
  - id: Al_Asad_Airbase
    aliases: [Al-Assad, Al Asad, Ein al-Assad]
"""
WEAPONS = """
type: Weapon
entries:
  - id: missile
    aliases: [missile, missiles]
  - id: ballistic_missile
    aliases: [ballistic missile, ballistic missiles]
"""


@pytest.fixture
def lexicons() -> dict[str, str]:
    return {"lexicons/actors.yaml": ACTORS, "lexicons/places.yaml": PLACES, "lexicons/weapons.yaml": WEAPONS}
