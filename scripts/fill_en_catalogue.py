"""Make the English catalogue complete: the source strings are English, so msgstr = msgid.

Run by `make messages` after makemessages. Every entry is reset to its msgid, so a fuzzy guess
by msgmerge never survives.
"""

from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"

catalogue = polib.pofile(str(PO))
for entry in catalogue:
    if entry.msgid_plural:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    else:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
catalogue.metadata["Language"] = "en"
catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
catalogue.save()
print(f"{PO}: complete")
