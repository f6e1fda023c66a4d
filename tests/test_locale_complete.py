"""locale/vi is complete (JS strings reach the page through templates, so there is no djangojs catalogue): every entry of the Vietnamese catalogues is translated and none is fuzzy.

A fuzzy entry is left out of the compiled .mo, so its English shows on a Vietnamese page: the reports'
"Completed (%)" heading did, after makemessages re-read it from a template as "Completed (%%)".
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django"])
def test_every_entry_translated_and_none_fuzzy(domain):
    catalogue = polib.pofile(str(LOCALE / f"{domain}.po"))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {domain}.po: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {domain}.po: {fuzzy[:10]}"


@pytest.mark.parametrize("domain", ["django"])
def test_compiled_catalogue_holds_every_translation(domain):
    """The committed .mo is the .po compiled: the same translations, so a page shows what the .po says."""
    source = polib.pofile(str(LOCALE / f"{domain}.po"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in polib.mofile(str(LOCALE / f"{domain}.mo"))}
    missing = [e.msgid for e in source.translated_entries()
               if compiled.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural)]
    assert not missing, f"{domain}.mo is not {domain}.po compiled (run compilemessages): {missing[:10]}"
