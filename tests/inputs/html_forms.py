"""Read the forms and links of a rendered page as a browser does (stdlib html.parser), and say
what the browser would send: each field's rendered value, the checked boxes, the selected
options, the clicked button.

Used by the walks that submit every form a page renders (tests/test_every_form.py) and by the
fuzz test (tests/test_fuzz.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

TEXT_TYPES = {"text", "search", "email", "tel", "url", "password", "number", "hidden"}
DATE_TYPES = {"date", "datetime-local", "time", "month", "week"}
IGNORED_TYPES = {"file", "image", "reset", "button"}


@dataclass
class Field:
    name: str
    kind: str  # an input type, "select" or "textarea"
    value: str = ""
    checked: bool = False
    multiple: bool = False
    options: list[str] = field(default_factory=list)  # a select's option values
    selected: list[str] = field(default_factory=list)  # a select's selected option values
    required: bool = False


@dataclass
class Form:
    page: str  # the page that rendered it
    action: str  # absolute path with query string
    method: str  # "get" or "post"
    htmx: bool = False  # posted by htmx (hx-post / hx-get) when JavaScript runs
    id: str = ""
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    @property
    def path(self) -> str:
        return urlsplit(self.action).path

    def editable(self) -> list[Field]:
        """The fields a person can change (not hidden, not the CSRF token)."""
        return [f for f in self.fields if f.kind != "hidden" and f.name != "csrfmiddlewaretoken"]

    def data(self, button: tuple[str, str] | None = None) -> dict[str, list[str]]:
        """What the browser sends: every named field's current value, checked boxes and
        radios only, a select's selected options (a single select without one sends its first
        option), and the clicked button's name and value."""
        sent: dict[str, list[str]] = {}
        for f in self.fields:
            values = sent_values(f)
            if values is not None:
                sent.setdefault(f.name, []).extend(values)
        if button is not None and button[0]:
            sent.setdefault(button[0], []).append(button[1])
        return sent

    def describe(self) -> str:
        names = ", ".join(f"{f.name}:{f.kind}" for f in self.fields)
        return f"{self.method.upper()} {self.action} (on {self.page}) [{names}]"


def sent_values(f: Field) -> list[str] | None:
    if f.kind in ("checkbox", "radio"):
        return [f.value or "on"] if f.checked else None
    if f.kind == "select":
        if f.selected:
            return f.selected if f.multiple else f.selected[-1:]
        if f.multiple or not f.options:
            return None
        return f.options[:1]
    return [f.value]


@dataclass
class Page:
    url: str
    forms: list[Form]
    links: list[str]


class _Parser(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._open: Form | None = None
        self._by_id: dict[str, Form] = {}
        self._orphans: list[tuple[str, Field | tuple[str, str]]] = []  # form="id" fields
        self._select: tuple[Field, str | None] | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None
        self._textarea: tuple[Field, list[str]] | None = None

    def _target(self, attrs: dict) -> Form | None:
        return self._open if "form" not in attrs else None

    def _add(self, attrs: dict, item):
        target = self._target(attrs)
        if "form" in attrs:
            self._orphans.append((attrs["form"], item))
        elif target is not None:
            if isinstance(item, Field):
                target.fields.append(item)
            else:
                target.buttons.append(item)

    def handle_starttag(self, tag, attr_list):
        attrs = {k: (v if v is not None else "") for k, v in attr_list}
        # what a script loads: htmx GETs, a searched select's matches
        for loaded in ("hx-get", "data-options-url"):
            if attrs.get(loaded) and tag != "form":
                self.links.append(urljoin(self.url, attrs[loaded]))
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.url, attrs["href"]))
        elif tag == "form":
            hx = attrs.get("hx-post") or attrs.get("hx-get")
            method = (attrs.get("method") or ("post" if attrs.get("hx-post") else "get")).lower()
            action = attrs.get("action") or hx or self.url
            self._open = Form(
                page=self.url,
                action=local(urljoin(self.url, action)) or action,
                method=method,
                htmx=bool(hx),
                id=attrs.get("id", ""),
            )
            self.forms.append(self._open)
            if self._open.id:
                self._by_id[self._open.id] = self._open
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            name = attrs.get("name")
            if "disabled" in attrs or kind in IGNORED_TYPES:
                return
            if kind == "submit":
                self._add(attrs, (name or "", attrs.get("value", "")))
                return
            if not name:
                return
            self._add(
                attrs,
                Field(
                    name=name,
                    kind=kind,
                    value=attrs.get("value", ""),
                    checked="checked" in attrs,
                    required="required" in attrs,
                ),
            )
        elif tag == "button":
            if "disabled" in attrs or attrs.get("type", "submit").lower() != "submit":
                return
            self._add(attrs, (attrs.get("name", ""), attrs.get("value", "")))
        elif tag == "select" and attrs.get("name") and "disabled" not in attrs:
            f = Field(
                name=attrs["name"],
                kind="select",
                multiple="multiple" in attrs,
                required="required" in attrs,
            )
            self._add(attrs, f)
            self._select = (f, attrs.get("form"))
        elif tag == "option" and self._select is not None:
            self._finish_option()
            self._option = (attrs.get("value"), "selected" in attrs, [])
        elif tag == "textarea" and attrs.get("name") and "disabled" not in attrs:
            f = Field(name=attrs["name"], kind="textarea", required="required" in attrs)
            self._add(attrs, f)
            self._textarea = (f, [])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "option":
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self._option is not None:
            self._option[2].append(data)
        elif self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None
        elif tag == "option":
            self._finish_option()
        elif tag == "select":
            self._finish_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            f, text = self._textarea
            f.value = "".join(text).removeprefix("\n")
            self._textarea = None

    def _finish_option(self):
        if self._option is None or self._select is None:
            return
        value, selected, text = self._option
        value = value if value is not None else "".join(text).strip()
        f = self._select[0]
        f.options.append(value)
        if selected:
            f.selected.append(value)
        self._option = None

    def close(self):
        super().close()
        for form_id, item in self._orphans:
            form = self._by_id.get(form_id)
            if form is None:
                continue
            if isinstance(item, Field):
                form.fields.append(item)
            else:
                form.buttons.append(item)


def parse(url: str, html: str) -> Page:
    parser = _Parser(url)
    parser.feed(html)
    parser.close()
    return Page(url=url, forms=parser.forms, links=parser.links)


def local(url: str) -> str | None:
    """The path and query of a link to this site (testserver), without the fragment."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def query_names(url: str) -> set[str]:
    return {k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
