"""Notifications written before a decision's, a walk-in's and an arrival mode's words were
stored by their codes kept those words in the writer's language ("已批准 by 黄磊" on an English
page). Put back the message in their place, so that every reader sees their own language.
Words that match no known label (in any language) are left as they are."""

from django.conf import settings
from django.db import migrations
from django.utils import translation

# The message (msgid) → its parameter that held a word, and the msgids that word came from.
DECISIONS = ["Waiting for earlier steps", "Waiting for a decision", "Approved", "Returned"]
DECISIONS += ["Rejected", "No longer needed"]
WALK_INS = ["Waiting at the gate", "Accepted", "Declined"]
MODES = ["Airport", "Railway station", "Driving themselves", "Other"]
WORDS = {
    "%(ref)s: “%(step)s” — %(decision)s by %(user)s": ("decision", DECISIONS),
    "%(company)s: %(status)s by %(user)s on behalf of %(person)s": ("status", WALK_INS),
    "%(company)s: %(status)s by %(user)s": ("status", WALK_INS),
    "Arrival %(arrival)s (%(mode)s %(point)s), departure %(departure)s.": ("mode", MODES),
}
KINDS = ["step_approved", "step_returned", "step_rejected", "walk_in_decided"]
KINDS += ["reminder_visitor_information"]


def _spellings() -> dict:
    """Each label's words in every language → its msgid."""
    spellings = {}
    for msgids in {tuple(m) for _p, m in WORDS.values()}:
        for msgid in msgids:
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    spellings.setdefault(msgids, {})[translation.gettext(msgid)] = msgid
            spellings[msgids][msgid] = msgid
    return spellings


def _repair(data, spellings) -> bool:
    if not isinstance(data, dict):
        return False
    changed = False
    for item in data.get("lines", []):
        changed |= _repair(item, spellings)
    if "message" in data:
        changed |= _repair(data["message"], spellings)
    params = data.get("params") or {}
    if data.get("msgid") in WORDS:
        name, msgids = WORDS[data["msgid"]]
        word = params.get(name)
        msgid = spellings[tuple(msgids)].get(word) if isinstance(word, str) else None
        if msgid:
            params[name] = {"message": {"msgid": msgid}}
            changed = True
    for value in params.values():
        changed |= _repair(value, spellings)
    return changed


def forward(apps, schema_editor):
    Notification = apps.get_model("reception", "Notification")
    spellings = _spellings()
    rows = Notification.objects.filter(kind__in=KINDS).only("title_message", "body_message")
    batch = []
    for row in rows.iterator(chunk_size=2000):
        title = _repair(row.title_message, spellings)
        body = _repair(row.body_message, spellings)
        if title or body:
            batch.append(row)
        if len(batch) >= 500:
            Notification.objects.bulk_update(batch, ["title_message", "body_message"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["title_message", "body_message"])


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0024_template_guest_kinds"),
        ("reception", "0022_company_name_without_placeholder"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
