"""The one error an import raises for a file it cannot use: it carries a message for people."""

from core.errors import Refused


class ImportFileError(Refused):
    """The whole file is unusable. The message is already translated; jobs show it as is."""

    code = "import_refused"
