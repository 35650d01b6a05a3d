"""A form field in Bootstrap 5's markup without crispy-forms' field template.

crispy's `as_crispy_field` renders a large template per field; a filter form shown on every
list page pays it on every request (docs/performance.md has the figure). This renders the
same markup (label, control with Bootstrap's class, errors, help) in Python around Django's
own widget.
"""

from django import template
from django.forms import CheckboxInput, RadioSelect, Select, SelectMultiple
from django.utils.html import format_html, format_html_join

register = template.Library()


def _control_class(widget) -> str:
    if isinstance(widget, CheckboxInput):
        return "form-check-input"
    if isinstance(widget, (Select, SelectMultiple)) and not isinstance(widget, RadioSelect):
        return "form-select"
    return "form-control"


@register.simple_tag
def light_field(field):
    widget = field.field.widget
    classes = _control_class(widget)
    if field.errors:
        classes += " is-invalid"
    existing = widget.attrs.get("class", "")
    control = field.as_widget(attrs={"class": f"{existing} {classes}".strip()})
    errors = format_html_join(
        "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors)
    )
    help_text = (
        format_html('<div class="form-text">{}</div>', field.help_text) if field.help_text else ""
    )
    label = field.label
    if field.field.required:  # as crispy marks it
        label = format_html('{}<span class="asteriskField">*</span>', label)
    if isinstance(widget, CheckboxInput):
        return format_html(
            '<div id="div_{}" class="mb-3 form-check">{}'
            '<label class="form-check-label" for="{}">{}</label>{}{}</div>',
            field.auto_id,
            control,
            field.id_for_label,
            label,
            errors,
            help_text,
        )
    return format_html(
        '<div id="div_{}" class="mb-3"><label class="form-label" for="{}">{}</label>{}{}{}</div>',
        field.auto_id,
        field.id_for_label,
        label,
        control,
        errors,
        help_text,
    )


@register.filter
def choices_key(form) -> str:
    """What the form's choice fields offer, for {% cache … form|choices_key %} (form_choices)."""
    from reception.fragments import form_choices

    return form_choices(form)
