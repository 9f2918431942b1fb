"""locale/ko: every message is translated, and the committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale" / "ko" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_po(text: str) -> list[Entry]:
    """A small PO reader: enough for makemessages output (obsolete #~ entries skipped)."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, key, started
        if started:
            entries.append(entry)
        entry, key, started = Entry(), None, False

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert key is not None, f"continuation line without a keyword: {line}"
            append(entry, key, ast.literal_eval(line))
            continue
        keyword, _, value = line.partition(" ")
        key = ("msgstr", int(keyword[7:-1])) if keyword.startswith("msgstr[") else (keyword, 0)
        started = True
        set_value(entry, key, ast.literal_eval(value))
    finish()
    return entries


def set_value(entry: Entry, key: tuple[str, int], value: str) -> None:
    name, index = key
    if name == "msgstr":
        entry.msgstr[index] = value
    else:
        setattr(entry, name, value)


def append(entry: Entry, key: tuple[str, int], value: str) -> None:
    name, index = key
    if name == "msgstr":
        entry.msgstr[index] += value
    else:
        setattr(entry, name, getattr(entry, name) + value)


def messages() -> list[Entry]:
    return [e for e in parse_po(PO_FILE.read_text(encoding="utf-8")) if e.msgid]


def test_po_file_has_messages():
    assert len(messages()) >= 20


def test_po_header_is_complete_and_not_fuzzy():
    header = next(e for e in parse_po(PO_FILE.read_text(encoding="utf-8")) if not e.msgid)
    assert "fuzzy" not in header.flags
    assert "Language: ko" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]


def test_every_message_has_a_korean_translation():
    untranslated = [e.msgid for e in messages() if not all(e.msgstr.values()) or not e.msgstr]
    assert untranslated == []


def test_no_message_is_fuzzy():
    assert [e.msgid for e in messages() if "fuzzy" in e.flags] == []


def test_compiled_mo_matches_po():
    with MO_FILE.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    stale = []
    for entry in messages():
        if entry.msgid_plural is not None:
            if entry.msgctxt is None:
                found = catalog.ngettext(entry.msgid, entry.msgid_plural, 1)
            else:
                found = catalog.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
        elif entry.msgctxt is None:
            found = catalog.gettext(entry.msgid)
        else:
            found = catalog.pgettext(entry.msgctxt, entry.msgid)
        if found != entry.msgstr[0]:
            stale.append(entry.msgid)
    assert stale == [], "run `make messages` to recompile locale/ko/LC_MESSAGES/django.mo"
