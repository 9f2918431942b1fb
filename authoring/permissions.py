"""Who may do what with an authored plan.

An author is an instructor (``classrooms.run_rooms``: ``manage.py grant_instructor``) or
staff. A plan's owner, its co-editors and staff edit it, preview, check and publish;
only the owner and staff change who sees it and who co-edits. Anyone may see a listed
plan, and anyone with its link a plan shared by link; authors may remix what they see.
"""

from __future__ import annotations

from typing import Any

from authoring.models import Plan
from classrooms.permissions import can_run_rooms


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_author(user: Any) -> bool:
    """Whether ``user`` may create plans (and so import and remix)."""
    return _active(user) and (user.is_staff or can_run_rooms(user))


def can_edit(user: Any, plan: Plan) -> bool:
    if not _active(user):
        return False
    if user.is_staff or plan.owner_id == user.pk:
        return True
    return plan.co_editors.filter(pk=user.pk).exists()


def can_manage(user: Any, plan: Plan) -> bool:
    """Sharing and co-editors: the owner and staff."""
    return _active(user) and (user.is_staff or plan.owner_id == user.pk)


def can_view(user: Any, plan: Plan, token: str = "") -> bool:
    if plan.visibility == Plan.Visibility.LISTED:
        return True
    if plan.visibility == Plan.Visibility.LINK and token and token == plan.share_token:
        return True
    return can_edit(user, plan)
