"""Forms of the desk visit page: a visitor added at the desk, the receptionist's arrangements."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from reception.models import MeetingRoom, phone_validator
from reception.validators import TextRulesMixin

from ..models import VisitRequest


class AddVisitorForm(TextRulesMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, validators=[phone_validator]
    )


class RoomInput(forms.TextInput):
    """A text input offering the rooms of the visit's site (a <datalist>): the receptionist
    picks one, or types another place."""

    def __init__(self, rooms=(), attrs=None):
        super().__init__(attrs)
        self.rooms = rooms

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-rooms"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">', ((r,) for r in self.rooms))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


def room_names(rooms) -> list[str]:
    return [str(room.label) for room in rooms]


class ArrangementsForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = VisitRequest
        # the pick-up car and driver are the office's: recorded on its car task, shown here
        fields = ["meeting_room", "banner_text", "banner_text_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rooms of the visit's site, read when the form is shown (one query).
        rooms = MeetingRoom.objects.filter(site_id=self.instance.site_id, is_active=True)
        field = self.fields["meeting_room"]
        field.widget = RoomInput(rooms=_Names(rooms), attrs=field.widget.attrs)


class _Names:
    """The rooms' names, read when first iterated (the page that shows the form), not when
    the form is made to be validated."""

    def __init__(self, rooms):
        self.rooms = rooms

    def __iter__(self):
        return iter(room_names(self.rooms))
