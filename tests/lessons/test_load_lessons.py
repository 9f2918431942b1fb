"""load_lessons and the first-run loading after migrate."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lessons import plans, signals
from lessons.models import Plan

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def test_load_lessons_loads_a_file_and_reloads_in_place():
    out = StringIO()
    call_command("load_lessons", str(FIXTURES / "tiny.yaml"), stdout=out)
    call_command("load_lessons", str(FIXTURES / "tiny.yaml"), stdout=out)
    assert out.getvalue().count("loaded tiny: 2 stages from ") == 2
    plan = Plan.objects.get(slug="tiny")
    assert [s.slug for s in plan.stages.all()] == ["bigger-server", "survive-a-failure"]
    assert len(plan.source_sha256) == 64
    assert plan.stages.get(slug="survive-a-failure").topology["events"][0]["action"] == "fail"


def test_load_lessons_refuses_a_plan_with_problems_and_loads_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (FIXTURES / "tiny.yaml").read_text(encoding="utf-8").replace("slug: tiny", "slug: Tiny"),
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 plan files have problems"):
        call_command("load_lessons", str(bad), stderr=err)
    assert "bad.yaml:3: slug: must be a slug" in err.getvalue()
    assert not Plan.objects.filter(slug__in=["tiny", "Tiny"]).exists()


def test_first_run_loads_plans_only_when_there_are_none(monkeypatch, settings):
    monkeypatch.setattr(plans, "PLANS_DIR", FIXTURES)
    Plan.objects.all().delete()
    assert signals.load_plans_on_first_run(verbosity=0) == 1
    assert Plan.objects.get(slug="tiny").stages.count() == 2
    assert signals.load_plans_on_first_run(verbosity=0) == 0  # not empty any more
    Plan.objects.all().delete()
    settings.LESSONS_LOAD_ON_MIGRATE = False
    assert signals.load_plans_on_first_run(verbosity=0) == 0 and not Plan.objects.exists()
