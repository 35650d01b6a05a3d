"""Layers one way, for data too (docs/architecture.md): a lower app names no higher app in a
string either, nor reaches into its data, where import-linter cannot see it.

Read from the code, not searched as text: Python through `ast` (string literals, keyword
arguments that are ORM paths, attribute chains; docstrings and comments are prose and left
out, and so are migrations, the history makemigrations writes), templates by their tags and
variables (`{# … #}` and `{% comment %}` left out). An upward reference is any of

- a model label, permission or rule name: `"visits.VisitRequest"`, `"visits.check_in"`; the
  app's label alone (`apps.get_model("visits", …)`);
- a URL name `"visits:board"`, a template path `"visits/…"`, a tag library
  `{% load visits_tags %}`, `perms.visits` in a template;
- a path through the higher app's data, as an ORM lookup (`a__b`), an attribute chain
  (`a.b`) or a template variable: a segment naming one of its models, or a relation a higher
  model holds to a lower one (`client__visits`, `user.hosted_visits`; a name alone, outside a
  path, only when it is not one plain word), or a lower model's own field to a higher model
  followed by one of that model's fields (`subject__client`, `step.subject.reference`; the field
  alone, its id and the model's methods and properties are fine: they are the interface the
  higher model offers). The names come from the models.

Which files are an app's: `<app>/**/*.py`, `templates/<app>/**`, `templates/admin/<app>/**`.
reception, the ground floor, also owns the project-wide templates every app uses: the layout
and pages at the top of `templates/` (base, home, error pages, partials), `registration/` (its
log-in and password pages) and `simple_history/`: they show what the apps above add through
reception's registries (docs/architecture.md, "What the apps above add").

The layers are import-linter's (`pyproject.toml`), lowest first here.
"""

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
RECEPTION_TEMPLATES = ["*.html", "*.txt", "registration/**/*", "simple_history/**/*"]


def layers() -> list[str]:
    """The apps of the layers contract, lowest first."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [name for name in reversed(contract["layers"]) if apps.is_installed(name)]


def pairs() -> list[tuple[str, str]]:
    apps_ = layers()
    return [(low, high) for i, low in enumerate(apps_) for high in apps_[i + 1 :]]


def data_names(model) -> set[str]:
    """The names of a model's data as an ORM path or an attribute reaches them: its fields and
    relations (the primary key left out: every model has one, and it says nothing of the
    model's data; its methods and properties are an interface it offers, not its data)."""
    names = set()
    for field in model._meta.get_fields():
        if field.is_relation and field.auto_created and not field.concrete:
            names.add(field.name)  # the query name
            names.add(field.get_accessor_name() or field.name)
        else:
            names.add(field.name)
            names.add(getattr(field, "attname", field.name))
    return names - {"id", "pk", model._meta.pk.name, model._meta.pk.attname}


@dataclass(frozen=True)
class Vocabulary:
    """What naming `higher`'s data looks like from `lower`."""

    label: str
    models: frozenset[str]  # model names, lowercase: also the default query names
    reverse: frozenset[str]  # relations higher models hold to lower ones, seen from below
    forward: dict[str, frozenset[str]]  # lower models' own fields to higher models: their fields
    libraries: frozenset[str]  # template tag libraries

    @classmethod
    def of(cls, lower: str, higher: str) -> "Vocabulary":
        reverse: set[str] = set()
        forward: dict[str, set[str]] = {}
        for model in apps.get_app_config(higher).get_models():
            for field in model._meta.get_fields():
                target = field.related_model
                if (
                    field.is_relation
                    and not field.auto_created
                    and isinstance(target, type)
                    and target._meta.app_label == lower
                ):
                    for name in (
                        field.related_query_name(),
                        field.remote_field.get_accessor_name(),
                    ):
                        if name and not name.endswith("+"):
                            reverse.add(name)
        for model in apps.get_app_config(lower).get_models():
            for field in model._meta.get_fields():
                target = field.related_model
                if (
                    field.is_relation
                    and not field.auto_created
                    and isinstance(target, type)
                    and target._meta.app_label == higher
                ):
                    forward.setdefault(field.name, set()).update(data_names(target))
        tags = ROOT / higher / "templatetags"
        return cls(
            label=higher,
            models=frozenset(m._meta.model_name for m in apps.get_app_config(higher).get_models()),
            reverse=frozenset(reverse),
            forward={name: frozenset(names) for name, names in forward.items()},
            libraries=frozenset(p.stem for p in tags.glob("*.py") if p.stem != "__init__"),
        )

    def names_in_path(self, segments: list[str]) -> str | None:
        """The segment of an ORM or variable path that reaches into the higher app, if any."""
        for i, segment in enumerate(segments):
            if segment in self.models or segment in self.reverse:
                return segment
            if segments[i + 1 : i + 2] and segments[i + 1] in self.forward.get(segment, ()):
                return segment
        return None

    def names_in_string(self, text: str) -> str | None:
        """Why `text`, a string literal, names the higher app (None: it does not)."""
        label = re.escape(self.label)
        if text == self.label:
            return "app label"
        if re.match(rf"{label}\.\w", text):
            return "model label, permission or rule"
        if re.match(rf"{label}:\w", text):
            return "URL name"
        if re.match(rf"(admin/)?{label}/", text):
            return "template path"
        if re.fullmatch(r"-?[a-z_][a-z0-9_]*(__[a-z0-9_]+)*", text):
            segments = text.lstrip("-").split("__")
            if len(segments) > 1 or "_" in text:  # one plain word is too often something else
                hit = self.names_in_path(segments)
                if hit:
                    return f"ORM path through {hit!r}"
        return None


# Python


def python_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal but docstrings and other lone string statements;
    an f-string's placeholders read as `x`. Keyword arguments that are ORM paths
    (`filter(visits__status=…)`) count as strings too."""
    tree = ast.parse(source)
    prose, inside = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant | ast.JoinedStr):
            prose.add(id(node.value))
        if isinstance(node, ast.JoinedStr):
            inside.update(id(part) for part in node.values)
    found = []
    for node in ast.walk(tree):
        if id(node) in prose or id(node) in inside:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "x" for part in node.values
            )
            found.append((node.lineno, text))
        elif isinstance(node, ast.keyword) and node.arg and "__" in node.arg:
            found.append((node.lineno, node.arg))
    return sorted(found)


def attribute_paths(source: str) -> list[tuple[int, list[str]]]:
    """(line, names) of every outermost attribute chain: `step.visit.client.name` →
    ["step", "visit", "client", "name"] (a call or subscript in between ends the chain)."""
    tree = ast.parse(source)
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    paths = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            names, value = [], node
            while isinstance(value, ast.Attribute):
                names.insert(0, value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                names.insert(0, value.id)
            paths.append((node.lineno, names))
    return sorted(paths)


def python_references(source: str, words: Vocabulary) -> list[str]:
    found = []
    for line, text in python_strings(source):
        why = words.names_in_string(text)
        if why:
            found.append(f"{line}: {text!r} ({why})")
    for line, names in attribute_paths(source):
        hit = words.names_in_path(names[1:])  # the first is a local name, whatever it is
        if hit:
            found.append(f"{line}: {'.'.join(names)} (attribute path through {hit!r})")
    return sorted(found, key=lambda hit: int(hit.split(":")[0]))


# Templates

COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.S)
TAGS = re.compile(r"\{%(.*?)%\}|\{\{(.*?)\}\}", re.S)
QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")
VARIABLE = re.compile(r"(?<![\w.])[a-z_]\w*(?:\.\w+)+")


def template_references(text: str, words: Vocabulary) -> list[str]:
    found = []
    text = COMMENTS.sub(lambda m: "\n" * m.group().count("\n"), text)
    for tag in TAGS.finditer(text):
        line = text.count("\n", 0, tag.start()) + 1
        body = tag.group(1) if tag.group(1) is not None else tag.group(2)
        for quoted in QUOTED.finditer(body):
            string = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
            why = words.names_in_string(string)
            if why:
                found.append(f"{line}: {string!r} ({why})")
        code = QUOTED.sub('""', body)
        if tag.group(1) is not None and code.split()[:1] == ["load"]:
            for library in code.split()[1:]:
                if library in words.libraries:
                    found.append(f"{line}: {{% load {library} %}} (tag library)")
        for variable in VARIABLE.finditer(code):
            segments = variable.group().split(".")
            if segments[0] == "perms" and segments[1] == words.label:
                found.append(f"{line}: {variable.group()} (permission)")
            elif hit := words.names_in_path(segments):
                found.append(f"{line}: {variable.group()} (path through {hit!r})")
    return found


def files_of(app: str) -> tuple[list[Path], list[Path]]:
    python = [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    patterns = [f"{app}/**/*", f"admin/{app}/**/*"]
    if app == "reception":
        patterns += RECEPTION_TEMPLATES
    templates = sorted({p for pattern in patterns for p in TEMPLATES.glob(pattern) if p.is_file()})
    return sorted(python), templates


def upward_references(lower: str, higher: str) -> list[str]:
    words = Vocabulary.of(lower, higher)
    python, templates = files_of(lower)
    found = []
    for path in python:
        for hit in python_references(path.read_text(), words):
            found.append(f"{path.relative_to(ROOT)}:{hit}")
    for path in templates:
        for hit in template_references(path.read_text(), words):
            found.append(f"{path.relative_to(ROOT)}:{hit}")
    return found


@pytest.mark.parametrize(
    ("lower", "higher"), [pytest.param(*pair, id="-".join(pair)) for pair in pairs()]
)
def test_a_lower_app_names_no_higher_app_in_a_string(lower, higher):
    found = upward_references(lower, higher)
    assert not found, f"{lower} names {higher}:\n" + "\n".join(found)


def test_the_layers_are_the_three_apps_lowest_first():
    assert layers()[:3] == ["reception", "approvals", "visits"]
    assert ("reception", "visits") in pairs()
    assert ("approvals", "visits") in pairs()


# The checker itself: what it finds and what it leaves alone.

PYTHON = '''
"""A docstring may say visits.VisitRequest and "visits:board"."""
# a comment may say visits:board too
from django.urls import reverse

LABEL = "visits.VisitRequest"
PERM = "visits.check_in_visitors"
ENTRY = reverse("visits:board")
PAGE = "visits/board.html"
PATH = Client.objects.filter(visits__status="approved")
ORDER = Step.objects.order_by("-subject__arrival_at")
OWN = "reception.view_client"
RELATED = User.objects.prefetch_related("hosted_visits")
SENTENCE = _("The visits: all of them.")
WORD = "visit"
FEED = f"visits.{action}"
COUNT = client.visits.count()
NAME = step.subject.client.name
FRESH = step.subject.refresh_from_db()
KEY = step.subject_id
'''

TEMPLATE = """{% load i18n visits_tags %}
{# {% url 'visits:board' %} in a comment #}
{% comment %}{% url 'visits:list' %}{% endcomment %}
<a href="{% url 'visits:board' %}">{% translate "Visits: the board" %}</a>
{% if perms.visits.view_arrivals %}{{ step.subject.reference }}{% endif %}
{% for visit in client.visits.all %}{{ visit }}{% endfor %}
{% include "visits/_row.html" %}{% url 'reception:client_list' %}{{ client.name }}
"""


@pytest.fixture
def visits_seen_from_approvals():
    return Vocabulary.of("approvals", "visits")


@pytest.fixture
def visits_seen_from_reception():
    return Vocabulary.of("reception", "visits")


def test_python_strings_are_checked_and_prose_is_not(visits_seen_from_reception):
    found = python_references(PYTHON, visits_seen_from_reception)
    assert found == [
        "6: 'visits.VisitRequest' (model label, permission or rule)",
        "7: 'visits.check_in_visitors' (model label, permission or rule)",
        "8: 'visits:board' (URL name)",
        "9: 'visits/board.html' (template path)",
        "10: 'visits__status' (ORM path through 'visits')",
        "13: 'hosted_visits' (ORM path through 'hosted_visits')",
        "16: 'visits.x' (model label, permission or rule)",
        "17: client.visits.count (attribute path through 'visits')",
    ]


def test_a_lower_models_field_to_a_higher_model_may_not_be_followed_to_its_data(
    visits_seen_from_approvals,
):
    found = python_references(PYTHON, visits_seen_from_approvals)
    assert "11: '-subject__arrival_at' (ORM path through 'subject')" in found
    assert "18: step.subject.client.name (attribute path through 'subject')" in found
    # the field alone, its id and the model's methods are approvals' own business
    assert not [hit for hit in found if hit.split(":")[0] in {"14", "19", "20"}]


def test_template_tags_and_variables_are_checked_and_comments_are_not(
    visits_seen_from_reception, visits_seen_from_approvals
):
    found = template_references(TEMPLATE, visits_seen_from_reception)
    assert found == [
        "1: {% load visits_tags %} (tag library)",
        "4: 'visits:board' (URL name)",
        "5: perms.visits.view_arrivals (permission)",
        "6: client.visits.all (path through 'visits')",
        "7: 'visits/_row.html' (template path)",
    ]
    assert "5: step.subject.reference (path through 'subject')" in template_references(
        TEMPLATE, visits_seen_from_approvals
    )
