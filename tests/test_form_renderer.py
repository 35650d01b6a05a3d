"""The form renderer writes the commonest widgets in Python: byte for byte what Django's own
templates give, for every kind of value a form of ours puts in them."""

import datetime

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from reception.form_renderer import FastWidgetRenderer
from visits.forms.widgets import SearchedSelect

CHOICES = [("", "---------"), ("a", "A & <b>"), (1, gettext_lazy("Visit requests")), ("c", "C")]
GROUPED = [("", "—"), ("Fruit", [("apple", "Apple"), ("pear", 'Pear "quoted"')]), ("x", "X")]

WIDGETS = [
    (forms.TextInput(), "text", 'hello <world> & "friends"'),
    (forms.TextInput(attrs={"class": "form-control", "required": True}), "text", None),
    (forms.TextInput(attrs={"disabled": False, "data-x": mark_safe("<i>")}), "text", ""),
    (forms.NumberInput(attrs={"min": 0, "step": "0.01"}), "n", 12),
    (forms.EmailInput(), "e", "a@b.cn"),
    (forms.URLInput(), "u", "https://example.com/?a=1&b=2"),
    (forms.PasswordInput(), "p", "secret"),
    (forms.HiddenInput(), "h", 5),
    (forms.DateInput(attrs={"type": "date"}), "d", datetime.date(2026, 11, 26)),
    (forms.DateTimeInput(), "dt", datetime.datetime(2026, 11, 26, 9, 30)),
    (forms.TimeInput(), "t", datetime.time(9, 30)),
    (forms.CheckboxInput(), "c", True),
    (forms.CheckboxInput(), "c", False),
    (forms.Textarea(attrs={"rows": 3}), "ta", "line 1\nline <2> & 3\n"),
    (forms.Textarea(), "ta", ""),
    (forms.Select(choices=CHOICES), "s", "a"),
    (forms.Select(choices=CHOICES, attrs={"class": "form-select"}), "s", 1),
    (forms.Select(choices=CHOICES), "s", None),
    (forms.Select(choices=GROUPED), "g", "pear"),
    (forms.SelectMultiple(choices=CHOICES), "m", ["a", "c"]),
    (forms.NullBooleanSelect(), "nb", True),
    (forms.NullBooleanSelect(), "nb", None),
    (forms.RadioSelect(choices=CHOICES), "r", "a"),  # not written in Python: Django's template
    (forms.CheckboxSelectMultiple(choices=CHOICES), "cm", ["a"]),
]


@pytest.mark.parametrize(("widget", "name", "value"), WIDGETS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_widget_renders_exactly_as_djangos_template_renders_it(widget, name, value, language):
    from django.utils import translation

    attrs = {"id": f"id_{name}"}
    with translation.override(language):
        expected = widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())
        fast = widget.render(name, value, attrs=attrs, renderer=FastWidgetRenderer())
    assert fast == expected


def test_the_project_renders_its_forms_with_the_fast_renderer():
    assert settings.FORM_RENDERER == "reception.form_renderer.FastWidgetRenderer"


def test_a_searched_select_keeps_its_data_attributes_and_chosen_option(db):
    from reception.models import User

    person = User.objects.create(username="li", full_name="李 <四>")
    field = forms.ModelChoiceField(
        User.objects.all(), widget=SearchedSelect("visits:staff_options")
    )
    expected = field.widget.render("p", person.pk, renderer=DjangoTemplates())
    fast = field.widget.render("p", person.pk, renderer=FastWidgetRenderer())
    assert fast == expected
    assert "data-options-url" in fast
    assert "李 &lt;四&gt;" in fast
