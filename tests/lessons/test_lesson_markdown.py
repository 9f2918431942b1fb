"""Lesson Markdown renders to HTML with everything dangerous removed."""

from __future__ import annotations

from lessons.markdown import render_markdown


def test_markdown_becomes_html():
    html = render_markdown(
        "A **bold** idea with `code`.\n\n- one\n- two\n\n[docs](https://example.org/a)"
    )
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.org/a" rel="noopener noreferrer">docs</a>' in html


def test_script_tags_are_removed():
    html = render_markdown("Hello <script>alert(1)</script> world")
    assert "<script" not in html and "alert(1)" not in html
    assert "Hello" in html and "world" in html


def test_event_handlers_are_removed():
    html = render_markdown(
        '<a href="https://example.org" onclick="steal()">x</a> <img src=x onerror="steal()">'
    )
    assert "onclick" not in html and "onerror" not in html and "steal" not in html
    assert "<img" not in html


def test_javascript_urls_are_removed():
    for text in (
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "[click](JaVaScRiPt:x)",
    ):
        html = render_markdown(text)
        assert "javascript" not in html.lower() and "href" not in html
        assert "click" in html  # the link's text stays, without the link


def test_tables_and_code_blocks_survive():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx = 1\n```")
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>x = 1\n</code></pre>" in html
