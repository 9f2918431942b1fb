"""static/vendor/idiomorph/ is the idiomorph release its VERSIONS names, unchanged."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDORED = Path(__file__).resolve().parents[1] / "static" / "vendor" / "idiomorph"
SUM_LINE = re.compile(r"^(?P<digest>[0-9a-f]{64})  (?P<name>[^/\s]+)$")


def test_every_file_matches_its_recorded_sha256():
    sums = {}
    for line in (VENDORED / "SHA256SUMS").read_text().splitlines():
        match = SUM_LINE.match(line)
        assert match, f"not `<sha256>  <name>`: {line!r}"
        sums[match["name"]] = match["digest"]
    assert set(sums) == {"idiomorph-ext.min.js", "LICENSE", "VERSIONS"}
    for name, digest in sums.items():
        assert hashlib.sha256((VENDORED / name).read_bytes()).hexdigest() == digest, name


def test_the_file_is_the_listed_version_under_its_licence():
    listed = [
        line.split()
        for line in (VENDORED / "VERSIONS").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert listed == [["idiomorph", "0.8.0", "0BSD"]]
    assert "Zero-Clause BSD" in (VENDORED / "LICENSE").read_text()
    script = (VENDORED / "idiomorph-ext.min.js").read_text()
    assert 'htmx.defineExtension("morph"' in script  # the htmx extension, not idiomorph alone
