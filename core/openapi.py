"""What the API's schema (/api/openapi.json) says beyond what django-ninja derives from a view.

An operation declares its own answers; these helpers keep the declarations short and alike:

- `refusals(403, 404)`: response entries with the one error body (`core.errors.ErrorOut`), merged into
  an operation's `response=` dict: `response={200: EventOut, **refusals(403, 404)}`.
- `file_response("application/pdf", description=...)`: the `openapi_extra` of an operation that answers
  a file: its content type(s), as binary.
- `DocumentedAPI`: the NinjaAPI whose schema adds the refusals that django-ninja's own machinery answers
  before a view runs, so that no operation has to repeat them and none can forget them: 401 where the
  session is required (the caller is not logged in), 400 where a JSON body is read (it does not parse)
  and 422 where a body, query, form or typed path value is validated (a value of the wrong type, out of
  range, a required one missing).

What may be refused inside a view (403, 404, 409, a service's 400) is each operation's own
declaration; `tests/test_openapi_schema.py` calls every operation and checks that each status it
answers is declared.
"""

from http.client import responses as http_reasons

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.security import SessionAuth

from .errors import ErrorOut

BINARY = {"type": "string", "format": "binary"}
# The files the API hands out.
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
ICS = "text/calendar"
ZIP = "application/zip"


def refusals(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation declares, each with the one error body."""
    return dict.fromkeys(statuses, ErrorOut)


def file_response(*media_types: str, description: str, status: int = 200) -> dict:
    """openapi_extra for an operation answering a file (declare `response={status: None, ...}`)."""
    return {"responses": {status: {"description": description,
                                   "content": {media_type: {"schema": BINARY} for media_type in media_types}}}}


class _ErrorResponse(Schema):
    # The wrapper django-ninja puts around every response model (a single `response` field).
    response: ErrorOut


def implied_refusals(operation) -> list[int]:
    """The statuses django-ninja answers for this operation before its view runs."""
    statuses = []
    if any(isinstance(auth, SessionAuth) for auth in operation.auth_callbacks):
        statuses.append(401)
    inputs = [model for model in operation.models if model.__ninja_param_source__ != "path" and model.model_fields]
    # A path value that must be a number (an id) is validated too: "/events/abc" is a 422, not a 404.
    typed_path = any(field.annotation is not str for model in operation.models
                     if model.__ninja_param_source__ == "path" for field in model.model_fields.values())
    if any(model.__ninja_param_source__ == "body" for model in inputs):
        statuses.append(400)
    if inputs or typed_path:
        statuses.append(422)
    return statuses


class DocumentedSchema(OpenAPISchema):
    def __init__(self, api, path_prefix: str) -> None:
        # Component names given twice to different schemas: django-ninja keeps the last one silently, so
        # an operation would show another's body. tests/test_openapi_schema.py asserts there are none.
        self.clashes: set[str] = set()
        super().__init__(api, path_prefix)

    def add_schema_definitions(self, definitions: dict) -> None:
        self.clashes.update(name for name, schema in definitions.items()
                            if name in self.schemas and self.schemas[name] != schema)
        super().add_schema_definitions(definitions)

    def responses(self, operation) -> dict:
        result = super().responses(operation)
        for status in implied_refusals(operation):
            if status not in result:
                schema = self._create_schema_from_model(_ErrorResponse, mode="serialization")[0]
                result[status] = {"description": http_reasons[status],
                                  "content": {self.api.renderer.media_type: {"schema": schema}}}
        return result


class DocumentedAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedSchema(self, path_prefix)
