"""The database tests run where they were asked to: SQLite, or PostgreSQL with --postgres."""

from __future__ import annotations

import pytest
from django.db import connection

from lessons.models import Plan

pytestmark = pytest.mark.django_db


def test_the_database_is_the_one_the_run_asked_for(request: pytest.FixtureRequest):
    wanted = "postgresql" if request.config.getoption("postgres") else "sqlite"
    assert connection.vendor == wanted
    Plan.objects.create(slug="probe", title={"en": "Probe"}, summary={}, languages=["en"])
    assert Plan.objects.get(slug="probe").title == {"en": "Probe"}  # JSON round trip
