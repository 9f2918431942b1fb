"""Imported files and share codes never crash their readers (#14.6, in the style of
tests/sim/test_loader_fuzz.py).

Hypothesis mutates the shipped examples (``docs/examples``): as YAML and JSON files
through ``transfer.import_text`` (every case imports or raises ``ImportProblems`` with
at least one problem, each a sentence with a line number ≥ 0), and as designs packed in
share codes, plus hostile text, through ``share.decode`` (a design or ``ShareError``
with a sentence). 60 cases of each kind (the loader's own fuzz runs 2,000).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from architect.sandbox import share, transfer

from helpers.fuzz import texts, topologies, yaml_documents

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))
TEXTS = tuple(path.read_text(encoding="utf-8") for path in EXAMPLES)
DATA = tuple(yaml.safe_load(text) for text in TEXTS)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _imports_or_lists(raw: bytes, name: str) -> None:
    try:
        transfer.import_text(raw, name)
    except transfer.ImportProblems as error:
        assert error.problems
        assert all(p.text and p.line >= 0 for p in error.problems)


@FUZZ
@given(text=yaml_documents(TEXTS))
def test_an_imported_yaml_file_imports_or_lists_its_problems(text):
    _imports_or_lists(text.encode("utf-8", "surrogatepass"), "design.yaml")


@FUZZ
@given(data=topologies(DATA))
def test_an_imported_json_file_imports_or_lists_its_problems(data):
    try:
        text = json.dumps(data, indent=1)
    except (ValueError, RecursionError):  # not JSON at all (a NaN is written, 10**5000 not)
        return
    _imports_or_lists(text.encode("utf-8", "surrogatepass"), "design.json")


@FUZZ
@given(data=topologies(DATA), seed=st.integers(-5, 2**40) | st.booleans() | texts())
def test_a_share_code_opens_or_says_why(data, seed):
    try:
        code = share.encode(data, seed)
    except (ValueError, RecursionError):
        return
    try:
        share.decode(code)
    except share.ShareError as error:
        assert error.message


@FUZZ
@given(
    code=texts()
    | st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
)
def test_any_text_as_a_code_opens_or_says_why(code):
    try:
        share.decode(code)
    except share.ShareError as error:
        assert error.message
