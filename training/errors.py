from core.errors import Refused


class TrainingError(Refused):
    """Refused input or action on certificates; the message is already translated (jobs show it as is)."""

    code = "training_refused"
