# Dates in English pages are dd/mm/yyyy too: one definition.
from config.formats.vi.formats import *  # noqa: F403
