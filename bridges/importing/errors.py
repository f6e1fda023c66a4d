"""The one error an import raises for a file it cannot use: it carries a message for people."""


class ImportFileError(Exception):
    """The whole file is unusable. `user_message` is already translated; core.jobs shows it as is."""

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = str(user_message)
