"""Small plans built in code, for model and service tests."""

from __future__ import annotations

from typing import Any

from lessons import content

TOPOLOGY: dict[str, Any] = {
    "version": 1,
    "name": "One server",
    "traffic": {"rps": 50},
    "nodes": [
        {"id": "dns", "kind": "dns"},
        {"id": "web-1", "kind": "web_server", "size": "m", "service_ms": 25},
    ],
    "links": [["dns", "web-1"]],
}


def stage(slug: str, **fields: Any) -> content.Stage:
    base: dict[str, Any] = {
        "slug": slug,
        "title": {"en": f"Stage {slug}", "ko": f"단계 {slug}"},
        "body": {"en": "Read **this**.", "ko": "**이것**을 읽으세요."},
        "topology": TOPOLOGY,
        "goal": content.Goal(
            text={"en": "Fast", "ko": "빠르게"},
            conditions=(content.Condition("p99_ms", "below", 200.0),),
        ),
        "solution": ({"action": "add_web_server"},),
        "predict": content.Predict(
            question={"en": "Which?", "ko": "어느 것?"},
            choices=({"en": "A", "ko": "가"}, {"en": "B", "ko": "나"}),
            answer=1,
            why={"en": "Because.", "ko": "왜냐하면."},
        ),
        "hints": ({"en": "Hint one", "ko": "힌트 하나"},),
        "debrief": {"en": "Done.", "ko": "끝."},
    }
    base.update(fields)
    return content.Stage(**base)


def plan(*slugs: str, slug: str = "demo") -> content.Plan:
    return content.Plan(
        slug=slug,
        title={"en": "Demo plan", "ko": "데모 계획"},
        summary={"en": "A demo.", "ko": "데모."},
        languages=("en", "ko"),
        author="Tests",
        license="CC0-1.0",
        stages=tuple(stage(s) for s in slugs),
    )


# A load balancer in front of one web server and its database: the topology several
# tests start from (a stage's, a kept sandbox's, a room's).
TWO_TIERS = {
    "version": 1,
    "name": "Two tiers",
    "traffic": {"rps": 100},
    "nodes": [
        {"id": "dns", "kind": "dns"},
        {"id": "lb", "kind": "load_balancer"},
        {"id": "web-1", "kind": "web_server", "size": "m"},
        {"id": "db", "kind": "database", "size": "m"},
    ],
    "links": [["dns", "lb"], ["lb", "web-1"], ["web-1", "db"]],
}
