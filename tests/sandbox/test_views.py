"""The sandbox page: the same partials as the live fragments, at time 0."""

from __future__ import annotations

import re

import pytest

from architect.sandbox.fragments import CHART_HELP
from architect.sandbox.metrics import CHARTED, ELSEWHERE, HELP, JOBS, PANEL

# The page links each metric's explanation to the stage that teaches it, from the plans.
pytestmark = pytest.mark.django_db


def test_the_page_renders_every_part_and_connects_the_websocket(client):
    response = client.get("/sandbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-ext="ws" ws-connect="/ws/sandbox/?lang=en"' in html
    for part in ("status", "metrics", "charts", "diagram", "nodes", "events", "error", "controls"):
        assert f'id="{part}"' in html
    assert 'data-node="web-1"' in html and 'data-node="dns"' in html
    assert "simulated time 0.0 s" in html
    assert 'id="separate-database"' in html  # the single server still holds the data
    assert "/static/js/sandbox.js" in html and "/static/css/sandbox.css" in html


def test_the_page_asks_the_websocket_for_korean(client):
    html = client.get("/sandbox/", headers={"accept-language": "ko"}).content.decode()
    assert 'ws-connect="/ws/sandbox/?lang=ko"' in html


def explanation(html: str, key: str) -> tuple[str, str, str]:
    """A metric's explanation: its sentence, and the stage link's address and words."""
    found = re.search(
        rf'<div id="help-{key}" class="metric-help" popover>.*?'
        rf'<p id="help-text-{key}">([^<]*)(?:<a href="([^"]+)">([^<]+)</a>)?</p>',
        html,
        re.S,
    )
    assert found is not None, f"no explanation for {key}"
    return found[1].strip(), found[2] or "", found[3] or ""


@pytest.mark.parametrize(
    ("lang", "see"),
    [("en", "See stage 8, A stateless web tier"), ("ko", "8단계: 무상태 웹 계층 참고")],
)
def test_every_metric_is_explained_with_the_stage_that_teaches_it(client, lang, see):
    """Each metric has a sentence in the page's language; its label (a button) opens it
    and names it as the label's description; the stage link comes from the loaded plan."""
    html = client.get("/sandbox/", headers={"accept-language": lang}).content.decode()
    assert set(HELP) == set(PANEL) | set(JOBS) | set(CHARTED) | set(ELSEWHERE)
    assert set(CHART_HELP.values()) <= set(HELP)  # each chart's caption opens one
    for key in HELP:
        found = explanation(html, key)
        assert found[0], key
        assert found[1].startswith("/lessons/scale-from-zero/"), key
    assert explanation(html, "sessions_lost")[1:] == (
        "/lessons/scale-from-zero/stateless-web-tier/",
        see,
    )
    assert (
        '<button type="button" class="metric-label" id="explain-offered" '
        'popovertarget="help-offered" aria-describedby="help-text-offered">'
    ) in html
    hangul = bool(re.search(r"[\uac00-\ud7a3]", explanation(html, "p99")[0]))
    assert hangul == (lang == "ko")


def test_without_the_plan_a_metric_is_explained_without_a_link(client):
    from lessons.models import Plan

    Plan.objects.all().delete()
    html = client.get("/sandbox/").content.decode()
    assert explanation(html, "sessions_lost")[1:] == ("", "")


# The servers table's headers that are a measure or a setting (Node, Kind and Actions are not).
HEADERS = {
    "en": ["Size", "Workers", "Cost a month", "Busy", "Queue", "State"],
    "ko": ["크기", "작업자", "월 비용", "사용률", "대기열", "상태"],
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_servers_table_headers_open_their_explanations(client, lang):
    """#14.4: each header of a figure or a setting is a button that opens its sentence
    (the metric_help mechanism) in the page's language, linked to the stage that teaches it."""
    html = client.get("/sandbox/", headers={"accept-language": lang}).content.decode()
    table = html[html.index('id="nodes"') : html.index("</thead>")]
    headers = re.findall(
        r'<th scope="col"><button type="button" class="metric-label" id="[^"]+" '
        r'popovertarget="help-([a-z0-9_]+)" aria-describedby="help-text-\1">([^<]+)</button></th>',
        table,
    )
    assert [label for _, label in headers] == HEADERS[lang]
    for key, label in headers:
        sentence, link, _words = explanation(html, key)
        assert sentence and link.startswith("/lessons/scale-from-zero/"), label
        assert bool(re.search(r"[\uac00-\ud7a3]", sentence)) == (lang == "ko"), label
