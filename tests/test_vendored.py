"""Front-end files the app serves itself match the checksums recorded next to them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "static" / "vendor"


def test_idiomorph_is_the_recorded_release():
    folder = STATIC / "idiomorph"
    recorded = re.search(
        r"SHA-256 of `idiomorph-ext.min.js` \| `([0-9a-f]{64})`", (folder / "README.md").read_text()
    )
    assert recorded, "the README records the file's SHA-256"
    digest = hashlib.sha256((folder / "idiomorph-ext.min.js").read_bytes()).hexdigest()
    assert digest == recorded.group(1)
    assert "Zero-Clause BSD" in (folder / "LICENSE").read_text()
