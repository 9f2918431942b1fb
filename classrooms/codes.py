"""Join codes: short, easy to read off a projector and type on a phone.

Six characters from an alphabet without the ones people confuse (0/O, 1/I/L, 2/Z, 5/S,
8/B): 25 letters and digits, about 244 million codes. ``normal`` forgives what people
type: lower case, spaces and dashes.
"""

from __future__ import annotations

import secrets

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normal(typed: str) -> str:
    """What someone typed as a code, upper case, without spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch not in " -\t")


def looks_like_code(text: str) -> bool:
    return len(text) == LENGTH and all(ch in ALPHABET for ch in text)
