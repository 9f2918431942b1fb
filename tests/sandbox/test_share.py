"""Share links, export, import (#14.6) and compare A/B (#14.5): the pages and the codes."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from architect.sandbox import caps, share
from architect.sandbox.keeping import kept_get
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.presets import single_server

from helpers.websocket import connect, receive

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
EVERYTHING = yaml.safe_load((EXAMPLES / "everything.yaml").read_text(encoding="utf-8"))


def _raw(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(zlib.compress(data)).rstrip(b"=").decode()


def test_a_code_carries_the_architecture_traffic_and_seed():
    topology = load_topology(EVERYTHING)
    code = share.encode(dump_topology(topology), 7)
    design = share.decode(code)
    assert design.seed == 7
    assert design.topology == topology
    assert len(code) < share.MAX_CODE_CHARS // 4  # a 20-odd-node design fits a link easily


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("A" * (share.MAX_CODE_CHARS + 1), "too long"),
        ("abc$%", "cut short or changed"),
        ("QUJDRA", "cut short or changed"),  # base64 of "ABCD": not deflated
        (_raw(b"0" * (share.MAX_JSON_BYTES + 10)), "too large"),  # a zip bomb stops early
        (_raw(b"[" * 5000), "not one Architect can read"),
        (_raw(b'{"v": 1, "seed": 1}'), "not one Architect can read"),
        (_raw(b'{"v": 2, "seed": 1, "topology": {}}'), "not one Architect can read"),
        (_raw(b'{"v": 1, "seed": true, "topology": {}}'), "seed must be a whole number"),
        (_raw(b'{"v": 1, "seed": 4294967296, "topology": {}}'), "seed must be a whole number"),
        (_raw(b'{"v": 1, "seed": 1, "topology": {"nodes": 3}}'), "has problems"),
        (_raw(b"\xff\xfe"), "not one Architect can read"),
    ],
)
def test_a_hostile_code_is_refused_with_a_specific_sentence(code, says):
    with pytest.raises(share.ShareError) as refused:
        share.decode(code)
    assert says in refused.value.message


@pytest.mark.django_db
def test_a_share_link_previews_then_opens_the_design_in_the_sandbox(client):
    code = share.encode(EVERYTHING, 42)
    preview = client.get(f"/sandbox/open/?design={code}")
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "seed 42" in html and 'data-node="mq"' in html
    assert client.post("/sandbox/open/", {"design": code}).url == "/sandbox/"
    key = client.session.session_key  # a guest got a session: there is something to keep
    kept = kept_get(user=None, session_key=key, place="sandbox")
    assert kept is not None and kept["seed"] == 42
    assert load_topology(kept["topology"]) == load_topology(EVERYTHING)
    assert 'data-node="mq"' in client.get("/sandbox/").content.decode()
    # the share page gives back a link to the same design
    page = client.get("/sandbox/share/").content.decode()
    link = page.split('id="share-link" value="', 1)[1].split('"', 1)[0]
    again = share.decode(link.split("design=", 1)[1]).topology
    assert replace(again, name="") == replace(load_topology(EVERYTHING), name="")  # renamed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "says"), [("en", "cut short or changed"), ("ko", "링크에는 설계가 없습니다")]
)
def test_a_broken_link_says_why_in_the_learners_language(client, lang, says):
    response = client.get("/sandbox/open/?design=abc$", headers={"accept-language": lang})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert client.post("/sandbox/open/", {"design": "x"}).status_code == 400
    assert "sessionid" not in client.cookies  # nothing kept, no session made


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_an_exported_design_runs_with_manage_py_simulate(client, tmp_path, fmt):
    client.post("/sandbox/open/", {"design": share.encode(EVERYTHING, 3)})
    response = client.get(f"/sandbox/export/{fmt}/")
    assert response["Content-Disposition"] == f'attachment; filename="architect-design.{fmt}"'
    path = tmp_path / f"design.{fmt}"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("simulate", str(path), "--duration", "2", "--warmup", "0", stdout=out)
    assert EVERYTHING["name"] not in out.getvalue()  # named by what it is, not as it came
    assert "mq " in out.getvalue()  # the message queue's line: every node came along


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "name"),
    [("en", "DNS → 1 web server → database"), ("ko", "DNS → 웹 서버 1대 → 데이터베이스")],
)
def test_an_export_and_a_link_name_the_design_by_what_it_is_now(client, lang, name):
    """A single server given a database is no longer "Single server" (the preset's name)."""
    grown = dump_topology(single_server())
    grown["nodes"].append({"id": "db", "kind": "database"})
    grown["links"].append(["web-1", "db"])
    assert grown["name"] == "Single server"
    client.post("/sandbox/open/", {"design": share.encode(grown, 1)})
    exported = client.get("/sandbox/export/yaml/", headers={"accept-language": lang})
    assert yaml.safe_load(exported.content)["name"] == name
    page = client.get("/sandbox/share/", headers={"accept-language": lang}).content.decode()
    link = page.split('id="share-link" value="', 1)[1].split('"', 1)[0]
    assert share.decode(link.split("design=", 1)[1]).topology.name == name


@pytest.mark.django_db
def test_the_diagram_exports_as_a_standalone_svg(client):
    response = client.get("/sandbox/export/svg/")
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}style") is not None
    nodes = {g.get("data-node") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert {"dns", "web-1"} <= nodes
    assert client.get("/sandbox/export/exe/").status_code == 404


@pytest.mark.django_db
def test_an_imported_file_replaces_the_sandboxs_design(client):
    text = (EXAMPLES / "two-data-centers.yaml").read_bytes()
    upload = SimpleUploadedFile("dcs.yaml", text)
    assert client.post("/sandbox/import/", {"file": upload}).url == "/sandbox/"
    kept = kept_get(user=None, session_key=client.session.session_key, place="sandbox")
    assert kept is not None
    # as mappings: PostgreSQL's jsonb keeps a mapping's keys (the regions) in its own order
    assert dump_topology(load_topology(kept["topology"])) == dump_topology(
        load_topology(yaml.safe_load(text))
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("bad.yaml", "version: 1\nname: x\nnodes:\n  - {id: a, kind: dnx}\nlinks: []\n", "Line 4"),
        ("bad.json", '{\n"version": 1,\n"nodes": [\n{"id": "a", "kind": "dnx"}\n]}', "Line 4"),
        ("bad.yaml", "a: [1, 2\n", "Line 2"),
        ("bad.json", "{\n\n  oops", "Line 3"),
        ("bad.txt", "version: 1", ".yaml, .yml or .json"),
        ("bad.yaml", "a: &x 1\nb: *x\n", "alias"),
        ("bad.yaml", "\udcff", "UTF-8"),
        ("big.yaml", "#" * (300 * 1024), "larger than 256 KiB"),
    ],
)
def test_an_imported_file_with_problems_lists_them_at_their_lines(client, name, text, says):
    raw = text.encode("utf-8", "surrogateescape")
    response = client.post("/sandbox/import/", {"file": SimpleUploadedFile(name, raw)})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="import-problems"' in html and says in html, html[html.find("import-problems") :][
        :600
    ]
    assert "sessionid" not in client.cookies


THREE_PROBLEMS = b"""version: 1
nodes:
  - {id: dns, kind: dns}
  - {id: web-1, kind: web_server, size: xxl}
  - {id: db, kind: database, role: leader}
links:
  - [dns, web-1]
  - [web-1, db]
  - [web-1, ghost]
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", ["bad.yaml was not imported: 3 problems.", "Line 4: ", "Line 5: ", "Line 9: "]),
        ("ko", ["bad.yaml 파일을 가져오지 않았습니다: 문제 3개.", "4번째 줄: ", "9번째 줄: "]),
    ],
)
def test_an_import_lists_every_problem_not_only_the_first(client, language, says):
    upload = SimpleUploadedFile("bad.yaml", THREE_PROBLEMS)  # a bad size, role and link
    html = client.post(
        "/sandbox/import/", {"file": upload}, headers={"accept-language": language}
    ).content.decode()
    listed = html[html.index('id="import-problems"') :]
    listed = listed[: listed.index("</ul>")]
    assert listed.count("<li>") == 3 and all(text in listed for text in says), listed
    assert all(path in listed for path in ("nodes[1].size", "nodes[2].role", "links[2]"))


@pytest.mark.django_db
def test_an_import_problem_is_told_in_korean(client):
    upload = SimpleUploadedFile("bad.yaml", b"version: 1\nnodes: 3\nlinks: []\n")
    html = client.post(
        "/sandbox/import/", {"file": upload}, headers={"accept-language": "ko"}
    ).content.decode()
    assert "2번째 줄" in html and "가져오지 않았습니다" in html


@pytest.mark.django_db
def test_compare_asks_for_a_prediction_then_runs_both_on_one_seed_and_traffic(client):
    stage = "stage:scale-from-zero/load-balancer"
    refused = client.post("/sandbox/compare/", {"a_source": "mine", "b_source": stage})
    assert refused.status_code == 400 and 'id="prediction-error"' in refused.content.decode()
    assert client.get("/sandbox/compare/run/").url == "/sandbox/compare/"  # predict first
    client.post("/sandbox/open/", {"design": share.encode(EVERYTHING, 9)})
    started = client.post(
        "/sandbox/compare/", {"a_source": "mine", "b_source": stage, "prediction": "b"}
    )
    assert started.url == "/sandbox/compare/run/"
    key = client.session.session_key
    a = kept_get(user=None, session_key=key, place="compare:a")
    b = kept_get(user=None, session_key=key, place="compare:b")
    assert a is not None and b is not None
    assert a["seed"] == b["seed"] == 9
    assert a["topology"]["traffic"] == b["topology"]["traffic"]
    assert a["topology"].get("events") == b["topology"].get("events")  # the same scenario
    assert a["topology"]["nodes"] != b["topology"]["nodes"]
    run = client.get("/sandbox/compare/run/").content.decode()
    assert 'id="frame-a"' in run and 'id="frame-b"' in run and "B will have the lower" in run
    rps = round(EVERYTHING["traffic"]["rps"])  # one traffic control for both, from A's
    assert re.search(rf'<input type="number" id="compare-rps"[^>]* value="{rps}"', run)
    frame = client.get("/sandbox/compare/b/")
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    html = frame.content.decode()
    assert 'ws-connect="/ws/sandbox/compare/b/?lang=en"' in html and "Design B" in html
    assert 'id="traffic-form"' not in html and 'id="shared-traffic-form"' in html
    assert html.index('id="charts"') < html.index('id="status"') < html.index('id="diagram"')
    assert "frame-ancestors 'none'" in client.get("/sandbox/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_compare_lists_a_bad_link_under_its_side(client):
    response = client.post(
        "/sandbox/compare/",
        {
            "a_source": "mine",
            "b_source": "link",
            "b_link": "http://x/?design=zz",
            "prediction": "a",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="b-error"' in html and "cut short or changed" in html and 'id="a-error"' not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ticks")
async def test_the_two_sides_are_two_simulations_under_the_caps(monkeypatch):
    admission = caps.Admission()
    monkeypatch.setattr(caps, "ADMISSION", admission)
    sides = [connect("/ws/sandbox/compare/a/"), connect("/ws/sandbox/compare/b/")]
    try:
        for ws in sides:
            assert (await ws.connect())[0]
            first = await receive(ws)
            assert 'id="diagram"' in first and 'id="controls"' in first
            assert 'id="traffic-form"' not in first  # the run page sets it for both
        assert admission.total == 2
    finally:
        for ws in sides:
            await ws.disconnect()


def test_a_kept_state_carries_its_seed_and_a_bad_seed_is_refused():
    from architect.sandbox import keeping
    from architect.sandbox.live import LiveSession
    from architect.sim.model.presets import single_server

    shared = LiveSession(single_server)
    shared.start_from(load_topology(EVERYTHING), seed=77)
    state = keeping.session_state(shared)
    assert state["seed"] == 77
    again = LiveSession(single_server)
    assert keeping.restore_session(again, state) and again.seed == 77
    same_run = [again.sim.advance(2.0).throughput_rps, shared.sim.advance(2.0).throughput_rps]
    assert same_run[0] == same_run[1]  # the same seed: the same run
    for bad in (True, -1, 2**31, "7", 1.5):
        assert not keeping.restore_session(LiveSession(single_server), {**state, "seed": bad})
    old = {k: v for k, v in state.items() if k != "seed"}  # kept before seeds were
    assert keeping.restore_session(LiveSession(single_server), old)
