"""The sandbox page: the same partials as the live fragments, at time 0."""

from __future__ import annotations


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
