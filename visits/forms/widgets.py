"""Choices searched on the server: a <select> that renders only the chosen options.

A company's staff and clients run into thousands; a <select> listing them all costs every
page that shows the form. The widget renders the chosen options only; jiedai.js (searchable)
turns it into a Tom Select that asks `data-options-url?q=…` for matches. The form field keeps
its full queryset, so the server still checks that what comes back is allowed.
"""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from reception.validators import parse_ids


class SearchedChoicesMixin:
    def __init__(self, url_name: str, attrs=None, *, params: dict | None = None):
        super().__init__(attrs)  # type: ignore[call-arg]  # a mixin of a Select
        self.url_name = url_name
        self.params = params or {}
        # The one chosen row when the page has read it already and it is one of the field's
        # choices: rendered without asking the database (a query costs ~0.8 ms of CPU).
        self.known = None

    def get_context(self, name, value, attrs):
        url = reverse(self.url_name)
        if self.params:
            url = f"{url}?{urlencode(self.params)}"
        attrs = {**(attrs or {}), "data-searchable": "", "data-options-url": url}
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        choices = self.choices  # a ModelChoiceIterator: its field and queryset
        field = choices.field
        ids = parse_ids(value)
        chosen = [("", field.empty_label)] if field.empty_label is not None else []
        if ids == [getattr(self.known, "pk", None)]:
            chosen.append(choices.choice(self.known))
        elif ids:
            chosen += [choices.choice(obj) for obj in field.queryset.filter(pk__in=ids)]
        self.choices = chosen
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = choices


class SearchedSelect(SearchedChoicesMixin, forms.Select):
    pass


class SearchedSelectMultiple(SearchedChoicesMixin, forms.SelectMultiple):
    pass
