class TrainingError(Exception):
    """Refused input or action; `user_message` is already translated (core.jobs shows it as is)."""

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = user_message
