"""Build the POST an administrator's browser sends from an admin change page."""

from django import forms


def _post_value(bound: forms.BoundField) -> dict:
    widget, value, name = bound.field.widget, bound.value(), bound.html_name
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        return {f"{name}_{i}": "" if v is None else str(v) for i, v in enumerate(parts)}
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if value else {}
    if isinstance(value, list | tuple):
        return {name: [str(v) for v in value]}
    return {name: "" if value is None else str(value)}


def _form_data(form: forms.BaseForm) -> dict:
    data = {}
    for bound in form:
        data.update(_post_value(bound))
    return data


def change_form_data(response) -> dict:
    """The change page's current values, as its Save button would post them."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data
