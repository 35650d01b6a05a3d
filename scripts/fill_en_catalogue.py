"""Make the English catalogue complete: the source strings are English, so msgstr = msgid.

Run by `make messages` after makemessages. Leaves translations someone wrote by hand alone.
"""

from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"

catalogue = polib.pofile(str(PO))
for entry in catalogue:
    if entry.obsolete:
        continue
    if entry.msgid_plural:
        if not all(entry.msgstr_plural.values()):
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    elif not entry.msgstr:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
catalogue.metadata["Language"] = "en"
catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
catalogue.save()
print(f"{PO.relative_to(Path.cwd()) if PO.is_relative_to(Path.cwd()) else PO}: complete")
