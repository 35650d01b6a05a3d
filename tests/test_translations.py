"""Both catalogues are complete, compiled, and in step with the strings in the code."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["zh_Hans", "en"]
SOURCES = ["config", "reception", "visits", "approvals", "demo", "templates", "manage.py"]


def untranslated(po: polib.POFile) -> list[str]:
    return [
        e.msgid
        for e in po
        if not e.obsolete
        and (
            "fuzzy" in e.flags
            or (e.msgid_plural and not all(e.msgstr_plural.values()))
            or (not e.msgid_plural and not e.msgstr)
        )
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 50
    assert untranslated(po) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    po = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0)
        for e in polib.pofile(str(folder / "django.po"))
    }
    mo = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0)
        for e in polib.mofile(str(folder / "django.mo"))
    }
    assert mo == po, "run `make messages` (or manage.py compilemessages) and commit the .mo"


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Extract the strings afresh from a copy of the sources: nothing new may be untranslated."""
    for name in SOURCES:
        source = ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    env = os.environ | {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    po = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = untranslated(po)
    assert missing == [], f"untranslated strings (run `make messages` and translate): {missing}"


@override_settings(LANGUAGE_CODE="zh-hans")
def test_pages_speak_chinese_by_default_and_english_on_request(client, sales):
    client.force_login(sales)
    assert "客户" in client.get(reverse("reception:client_list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Clients" in client.get(reverse("reception:client_list")).content.decode()
