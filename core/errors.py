"""The one error type for refusals: bad input, or a rule that says no.

Every domain refusal derives from `Refused`: the message is for people (already translated, in
Vietnamese unless English was chosen), `code` is for programs, `fields` says which input was wrong.
The API maps it once to a 400 with one error schema (core.api.ErrorOut); pages show `message`; jobs
store it as the job's message. A refusal changes nothing: raise it before writing.
"""

from ninja import Schema


class Refused(Exception):
    code = "refused"
    status = 400

    def __init__(self, message: str = "", *, code: str | None = None, fields: dict[str, list[str]] | None = None,
                 status: int | None = None):
        self.fields = {name: [str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
                       for name, msgs in (fields or {}).items()}
        self.message = str(message) or " ".join(m for msgs in self.fields.values() for m in msgs)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(self.message)

    @property
    def user_message(self) -> str:
        # The name the jobs runner and older callers read.
        return self.message

    @property
    def messages(self) -> list[str]:
        """Every message: the general one, then each field's."""
        per_field = [m for msgs in self.fields.values() for m in msgs]
        return per_field if per_field and self.message == " ".join(per_field) else [self.message, *per_field]

    def as_dict(self) -> dict:
        return {"detail": self.message, "code": self.code, "errors": self.messages, "fields": self.fields}



class ErrorOut(Schema):
    """The API's one error body, for every refusal (400), forbidden (403) and not found (404)."""

    detail: str
    code: str = "refused"
    errors: list[str] = []
    fields: dict[str, list[str]] = {}


def with_error_body(answer: dict) -> dict:
    """A refused write's own answer (ok, outcome, message...) with the one error body beside it, so that a
    client reads a refusal like any other (detail, code = the outcome) and still gets the write's fields."""
    refusal = Refused(answer.get("message", ""), code=answer.get("outcome") or Refused.code).as_dict()
    return {**refusal, **answer}


def invalid_input_body(errors: list[dict]) -> dict:
    """The 422 body for values of the wrong type or missing (pydantic's errors, `loc` the field's path),
    in the one error shape, one message per value. The API's handler and the fast teacher path use it."""
    from django.utils.translation import gettext as _

    fields: dict[str, list[str]] = {}
    for error in errors:
        name = ".".join(str(part) for part in error.get("loc", ())) or ""
        fields.setdefault(name, []).append(str(error.get("msg", "")))
    refusal = Refused(_("The request was not sent in the expected form."), code="invalid_input", fields=fields)
    listed = [f"{name}: {msg}" if name else msg for name, msgs in fields.items() for msg in msgs]
    return refusal.as_dict() | {"errors": [refusal.message, *listed]}
