"""static/vendor/codemirror/ is exactly what tools/vendor/codemirror/build.sh produced.

The bundle is generated, never edited: SHA256SUMS (written by the build) must match every
committed file, VERSIONS must match the recipe's package-lock.json, and every bundled
package must ship its licence. See docs/vendored.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDORED = ROOT / "static" / "vendor" / "codemirror"
RECIPE = ROOT / "tools" / "vendor" / "codemirror"
BUNDLE = VENDORED / "editor.min.js"
SUM_LINE = re.compile(r"^(?P<digest>[0-9a-f]{64})  (?P<name>[^/\s]+)$")


def listed_sums() -> dict[str, str]:
    sums = {}
    for number, line in enumerate((VENDORED / "SHA256SUMS").read_text().splitlines(), 1):
        match = SUM_LINE.match(line)
        assert match, f"SHA256SUMS:{number}: not `<sha256>  <name>`: {line!r}"
        sums[match["name"]] = match["digest"]
    return sums


def bundled_versions() -> dict[str, tuple[str, str]]:
    """VERSIONS as {package: (version, licence)}."""
    versions = {}
    for line in (VENDORED / "VERSIONS").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version, licence = line.split()
            versions[name] = (version, licence)
    return versions


def test_every_committed_file_matches_its_checksum() -> None:
    for name, digest in listed_sums().items():
        actual = hashlib.sha256((VENDORED / name).read_bytes()).hexdigest()
        assert actual == digest, (
            f"static/vendor/codemirror/{name} was changed by hand: rebuild it with "
            "tools/vendor/codemirror/build.sh (docs/vendored.md)"
        )


def test_every_file_in_the_folder_is_checksummed() -> None:
    present = {path.name for path in VENDORED.iterdir()} - {"SHA256SUMS"}
    assert present == set(listed_sums()), "files not produced by the build, or missing"
    assert {"editor.min.js", "VERSIONS", "LICENSES.txt"} <= present


def test_versions_are_the_locked_ones() -> None:
    lock = json.loads((RECIPE / "package-lock.json").read_text())["packages"]
    versions = bundled_versions()
    assert versions, "VERSIONS lists no package"
    for name, (version, licence) in versions.items():
        locked = lock[f"node_modules/{name}"]
        assert (version, licence) == (locked["version"], locked["license"]), name


def test_every_direct_dependency_is_pinned_exactly_and_bundled() -> None:
    manifest = json.loads((RECIPE / "package.json").read_text())
    versions = bundled_versions()
    pinned = {**manifest["dependencies"], **manifest["devDependencies"]}
    for name, version in pinned.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}: {version} is not exact"
    for name, version in manifest["dependencies"].items():
        assert versions[name][0] == version, f"{name} is pinned but not in the bundle"
    assert "esbuild" not in versions, "the bundler is a build tool, not bundled code"


def test_every_bundled_package_ships_its_licence_text() -> None:
    licences = (VENDORED / "LICENSES.txt").read_text()
    sections = dict(
        re.findall(
            r"^={72}\n(\S+ \S+) \(MIT\)\n={72}\n\n(.*?)(?=\n={72}\n|\Z)", licences, re.S | re.M
        )
    )
    for name, (version, licence) in bundled_versions().items():
        assert licence == "MIT", f"{name} is {licence}: review it and extend this test"
        text = sections.get(f"{name} {version}", "")
        assert "Permission is hereby granted, free of charge" in text, name
        assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text, name


@pytest.mark.parametrize("needle", ["eval(", "new Function", "Function(", "sourceMappingURL"])
def test_the_bundle_needs_no_eval_and_names_no_source_map(needle: str) -> None:
    """A strict CSP forbids eval and new Function; collectstatic's manifest storage
    would fail on a sourceMappingURL whose map is not committed."""
    assert needle not in BUNDLE.read_text(encoding="utf-8")


def test_the_bundle_names_its_licences() -> None:
    first_line = BUNDLE.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("/*! ") and "LICENSES.txt" in first_line
