"""The console ships with the package: every static file is package data (so a
``pip install`` has it) and lives under chalicelib/ (so Chalice deploys it); the
vendored library comes with its licences and matches tools/console's pin."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib" / "sirocco"
STATIC = PACKAGE / "console" / "static"


def globbed(path: str, pattern: str) -> bool:
    """As setuptools globs package data: ``*`` stays within one directory."""
    found, wanted = PurePosixPath(path), PurePosixPath(pattern)
    return len(found.parts) == len(wanted.parts) and found.match(pattern)


def test_every_static_file_is_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["sirocco"]
    files = [p.relative_to(PACKAGE).as_posix() for p in STATIC.rglob("*") if p.is_file()]
    assert "console/static/index.html" in files
    assert [f for f in files if not any(globbed(f, pattern) for pattern in patterns)] == []


def test_the_vendored_library_is_the_pinned_one_with_its_licences() -> None:
    lock = json.loads((ROOT / "tools" / "console" / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/@dagrejs/dagre"]["version"]
    assert f"@dagrejs/dagre {version} (MIT)" in (STATIC / "vendor" / "LICENSE-dagre.txt").read_text()
    assert "Permission is hereby granted" in (STATIC / "vendor" / "LICENSE-graphlib.txt").read_text()
    script = (STATIC / "vendor" / "dagre.min.js").read_text()
    assert f'"{version}"' in script  # the bundle names its version
    assert "sourceMappingURL" not in script  # the map is not shipped
