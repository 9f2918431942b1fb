"""The per-stage form and the YAML stay one plan: the form reads the stage from the draft
and writes it back in place."""

from __future__ import annotations

import pytest

from authoring import problems

from helpers.authoring import STARTER_TEXT, editing_stage_zero, fast_passwords, stage_form  # noqa: F401 (an autouse fixture)

pytestmark = pytest.mark.django_db


def test_the_form_shows_the_yaml_and_saves_back_into_it():
    _owner, plan, client, url = editing_stage_zero()
    page = client.get(url)
    assert page.status_code == 200
    assert "<strong>small</strong>" in page.content.decode()  # the body's Markdown preview
    data = stage_form(page)
    assert data["title_ko"] == "더 큰 서버" and data["metric_0"] == "p99_ms"
    # unchanged, the form gives back the same stage
    client.post(url, {**data, "action": "save"})
    plan.draft.refresh_from_db()
    before, _ = problems.parse(STARTER_TEXT)
    after, found = problems.parse(plan.draft.text)
    assert found == [] and after is not None and before is not None
    assert after.stages[0].as_data() == before.stages[0].as_data()
    # a new title, a third condition, one control fewer
    data = stage_form(client.get(url))
    data |= {
        "title_en": "A much bigger server",
        "metric_2": "p95_ms",
        "op_2": "at_most",
        "value_2": "150",
        "controls": ["resize"],
        "action": "save",
        "events": "{at: 10, action: set_traffic, rps: 250}\n",
        "duration": "25",
    }
    assert client.post(url, data).status_code == 302
    plan.draft.refresh_from_db()
    after, found = problems.parse(plan.draft.text)
    assert found == [] and after is not None
    stage = after.stages[0]
    assert stage.title["en"] == "A much bigger server" and stage.controls == ("resize",)
    assert [(c.metric, c.operator, c.threshold) for c in stage.goal.conditions][-1] == (
        "p95_ms",
        "at_most",
        150.0,
    )
    assert plan.draft.text.startswith(STARTER_TEXT.split("stages:")[0])  # the rest is as written
    assert stage.duration_s == 25
    assert stage_form(client.get(url))["events"] == "{at: 10, action: set_traffic, rps: 250}"
    stale = client.post(url, {**data, "revision": 1})
    assert stale.status_code == 409


def test_preview_renders_the_posted_markdown_without_saving():
    _owner, plan, client, url = editing_stage_zero()
    data = stage_form(client.get(url)) | {"body_en": "Now *this*", "action": "preview"}
    page = client.post(url, data)
    assert "<em>this</em>" in page.content.decode()
    plan.draft.refresh_from_db()
    assert plan.draft.text == STARTER_TEXT


def test_capture_the_sandbox_architecture_as_the_starting_topology():
    from architect.sandbox.keeping import SANDBOX, kept_save
    from architect.sim.loader import dump_topology, load_topology

    owner, plan, client, url = editing_stage_zero()
    nothing = client.post(url, stage_form(client.get(url)) | {"action": "capture"})
    assert nothing.status_code == 400 and "nothing kept" in nothing.content.decode()
    built = {
        "version": 1,
        "name": "Built in the sandbox",
        "traffic": {"rps": 50},
        "nodes": [
            {"id": "dns", "kind": "dns"},
            {"id": "lb", "kind": "load_balancer"},
            {"id": "web-1", "kind": "web_server", "size": "s", "service_ms": 25},
            {"id": "web-2", "kind": "web_server", "size": "s", "service_ms": 25},
        ],
        "links": [["dns", "lb"], ["lb", "web-1"], ["lb", "web-2"]],
    }
    kept = dump_topology(load_topology(built))
    kept_save(
        user=owner,
        session_key="",
        place=SANDBOX,
        data={"topology": kept, "speed": 1, "paused": True},
    )
    assert client.post(url, stage_form(client.get(url)) | {"action": "capture"}).status_code == 302
    plan.draft.refresh_from_db()
    after, found = problems.parse(plan.draft.text)
    assert after is not None, found
    nodes = {n["id"] for n in after.stages[0].topology["nodes"]}
    assert nodes == {"dns", "lb", "web-1", "web-2"}
