"""Every interface string is translated in every catalog (issue 17): a string added to the
code without its French, German and Spanish makes this fail, not an English word on a
respondent's page. Read with Babel, as `make` compiles them where gettext is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_translates_every_string(language):
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    messages = [message for message in catalog if message.id]
    assert len(messages) > 600
    untranslated = [
        message.id
        for message in messages
        if not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert not untranslated, (
        f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    )
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"
