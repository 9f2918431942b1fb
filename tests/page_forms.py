"""The page's ``ws-send`` forms, read from HTML as a browser would send each one as it is."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.names: list[set[str]] = []
        self._form: dict[str, str] | None = None
        self._select: str = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and "ws-send" in a:
            self._form = {}
            self.forms.append(self._form)
            self.names.append(set())
        if self._form is None:
            return
        name = a.get("name") or ""
        if tag in ("input", "select") and name:
            self.names[-1].add(name)
        if tag == "input" and name:
            kind = a.get("type") or "text"
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form[name] = a.get("value") or "on"
            else:
                self._form[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
        elif (
            tag == "option" and self._select and ("selected" in a or self._select not in self._form)
        ):
            self._form[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = ""


def ws_forms(html: str) -> list[tuple[dict[str, str], set[str]]]:
    """Each ``ws-send`` form: the fields it would send now, and every field name it has."""
    parser = _Forms()
    parser.feed(html)
    return list(zip(parser.forms, parser.names, strict=True))
