"""Organisers write Markdown; what reaches the page is sanitised HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.markup import ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_markdown_renders_emphasis_lists_links_and_tables() -> None:
    html = render_markdown(
        "# Regolamento\n\n**Chi**: classi *quarte*.\n\n- uno\n- due\n\n"
        "[Sito](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )

    assert "<h2>Regolamento</h2>" in html  # the page's own title is the only h1
    assert "<strong>Chi</strong>" in html and "<em>quarte</em>" in html
    assert "<li>uno</li>" in html
    assert '<a href="https://example.org" rel="noopener nofollow ugc">Sito</a>' in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="https://x" onclick="alert(1)">x</a>',
        "![x](https://tracker.example/pixel.png)",
    ],
)
def test_markdown_lets_no_script_handler_or_foreign_resource_through(text: str) -> None:
    for tag, attrs in _elements(render_markdown(text)):
        assert tag in ALLOWED_TAGS
        assert not [name for name in attrs if name.startswith("on")]
        href = attrs.get("href") or "https:"
        assert href.startswith(("https:", "http:", "mailto:"))
