"""Lesson plans and their ordered stages.

Empty for now: the models (plan → stage, with an ``order`` field) arrive in a later issue.
"""

from __future__ import annotations
