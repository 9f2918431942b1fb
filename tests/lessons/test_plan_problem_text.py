"""Lesson plan problems in the user's language: file and line kept, the reason translated."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from lessons.format import PlanError, load_plan
from lessons.problem_text import plan_error_text

FIXTURES = Path(__file__).parent / "fixtures"
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
SOURCE = "lessons/plans/tiny.yaml"


def _error(old: str, new: str) -> PlanError:
    assert TINY.count(old) == 1, old
    with pytest.raises(PlanError) as caught:
        load_plan(TINY.replace(old, new), source=SOURCE)
    return caught.value


def _text(error: PlanError, language: str) -> list[str]:
    with translation.override(language):
        return plan_error_text(error).splitlines()


def test_an_unknown_metric_in_korean_keeps_file_line_and_path():
    error = _error("{metric: p99_ms, below: 200}", "{metric: p98_ms, below: 200}")
    korean = _text(error, "ko")
    assert len(korean) == 1
    assert korean[0].startswith(
        'lessons/plans/tiny.yaml:37: stages[0].goal.conditions[0].metric: 알 수 없는 지표입니다: "p98_ms"(쓸 수 있는 지표: '
    )


def test_english_lines_are_unchanged():
    error = _error("{metric: p99_ms, below: 200}", "{metric: p98_ms, below: 200}")
    assert _text(error, "en") == list(error.problems)
    assert error.problems[0].startswith(
        'lessons/plans/tiny.yaml:37: stages[0].goal.conditions[0].metric: unknown metric "p98_ms"'
    )


def test_a_topology_problem_inside_a_plan_in_korean():
    """The engine's own reason, under the stage's path and on its line."""
    error = _error(
        "- {id: web-1, kind: web_server, size: s, service_ms: 25}",
        "- {id: web-1, kind: web_server, size: s, ttl_s: 0}",
    )
    assert (
        _text(error, "ko")[0]
        == "lessons/plans/tiny.yaml:21: stages[0].topology.nodes[1].ttl_s: 0.001 이상 31536000 이하여야 합니다"
    )


def test_a_refused_solution_names_the_engines_reason_in_korean():
    """The engine's refusal (a ``CommandError``) is put in words by the sandbox's error texts."""
    error = _error(
        "- {action: resize, node: web-1, size: l}", "- {action: resize, node: web-9, size: l}"
    )
    lines = _text(error, "ko")
    assert lines[0] == (
        "lessons/plans/tiny.yaml:43: stages[0].solution[0]: "
        "이 스테이지의 토폴로지에서 실행할 수 없습니다: " + _korean_unknown_node("web-9")
    )
    assert error.problems[0].startswith(
        "lessons/plans/tiny.yaml:43: stages[0].solution[0]: cannot be carried out on"
    )


def test_bad_yaml_in_korean_keeps_the_line():
    error = _error(
        "title: {en: A tiny plan, ko: 작은 계획}\n",
        "title: &t {en: A tiny plan, ko: 작은 계획}\ntitle2: *t\n",
    )
    assert _text(error, "ko") == ["lessons/plans/tiny.yaml:4: 앵커와 별칭(&와 *)은 쓸 수 없습니다"]


@pytest.mark.django_db
def test_load_lessons_prints_problems_in_the_language_asked_for(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("slug: tiny", "slug: Tiny"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_lessons", str(bad), "--language", "ko", stderr=err)
    assert (
        "bad.yaml:3: slug: 슬러그여야 합니다: 영문 소문자, 숫자, 하이픈으로 된 1–80자"
        in err.getvalue()
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_lessons", str(bad), stderr=err)
    assert (
        "bad.yaml:3: slug: must be a slug: 1–80 lower-case letters, digits or dashes"
        in err.getvalue()
    )


def test_check_lessons_prints_plan_problems_in_korean(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("answer: 1", "answer: 9"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_lessons", str(bad), "--language", "ko", stderr=err, stdout=StringIO())
    assert "bad.yaml:32: stages[0].predict.answer: 선택지의 번호(0–1)여야 합니다" in err.getvalue()


def test_an_unknown_language_is_refused():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("check_lessons", "--language", "xx")


def _korean_unknown_node(node: str) -> str:
    from architect.sandbox.error_text import error_text
    from architect.sim.commands import CommandError as EngineError

    with translation.override("ko"):
        text = error_text(EngineError("unknown_node", "", node=node))
    assert node in text and "There is" not in text
    return text


@pytest.mark.django_db
def test_first_run_warns_about_a_broken_plan_in_the_active_language(monkeypatch, tmp_path, capsys):
    from lessons import plans, signals
    from lessons.models import Plan

    (tmp_path / "bad.yaml").write_text(TINY.replace("format: 1", "format: 2"), encoding="utf-8")
    monkeypatch.setattr(plans, "PLANS_DIR", tmp_path)
    Plan.objects.all().delete()
    with translation.override("ko"):
        assert signals.load_plans_on_first_run(verbosity=0) == 0
    err = capsys.readouterr().err
    assert "bad.yaml을(를) 불러오지 못했습니다:" in err
    assert "bad.yaml:2: format: 1이어야 합니다" in err


@pytest.mark.django_db
def test_a_bad_shipped_plan_is_reported_and_the_others_load(monkeypatch, tmp_path, capsys):
    """Issue #9.2: a plan that is hostile (an alias, nesting 10,000 deep) or whose loading
    fails in any other way never stops the first ``migrate``; the good plan loads."""
    from lessons import plans, services, signals
    from lessons.models import Plan

    (tmp_path / "a-alias.yaml").write_text(
        TINY.replace("license: CC0-1.0", "license: &l CC0-1.0\nx: *l"), encoding="utf-8"
    )
    (tmp_path / "b-deep.yaml").write_text(
        TINY.replace("license: CC0-1.0", "license: " + "[" * 10_000 + "]" * 10_000),
        encoding="utf-8",
    )
    (tmp_path / "c-good.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "d-broken.yaml").write_text(TINY.replace("slug: tiny", "slug: other"), "utf-8")
    real = services.plan_load_file

    def failing(*, path, display_path=""):
        if path.name == "d-broken.yaml":
            raise RuntimeError("the database went away")
        return real(path=path, display_path=display_path)

    monkeypatch.setattr(services, "plan_load_file", failing)
    monkeypatch.setattr(plans, "PLANS_DIR", tmp_path)
    Plan.objects.all().delete()
    with translation.override("en"):
        assert signals.load_plans_on_first_run(verbosity=0) == 1
    assert list(Plan.objects.values_list("slug", flat=True)) == ["tiny"]
    err = capsys.readouterr().err
    assert "a-alias.yaml:8: anchors and aliases (& and *) are not allowed" in err
    assert "b-deep.yaml:8: nested more than 32 levels deep" in err
    assert "d-broken.yaml was not loaded:\nRuntimeError: the database went away" in err
