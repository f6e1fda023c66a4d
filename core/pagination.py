"""The API's one pagination: `limit` and `offset`, both capped, the caps in the schema.

django-ninja's LimitOffsetPagination takes any `limit` and `offset`: `limit=100000` answered 9.2 MB, and a
value past 64 bits reached the database (SQLite: "datatype mismatch", a 500). `Page` caps both in the
query's own schema, so a request past a cap is a 422 that names the parameter and /api/openapi.json
documents the maxima. It is NINJA_PAGINATION_CLASS, what a bare `@paginate` uses.
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_PAGE = 100
MAX_PAGE = 500
# Far beyond any list here (a province has about 18,000 teachers, the nation about a million).
MAX_OFFSET = 10_000_000


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE,
                           description=f"How many items to answer: 1 to {MAX_PAGE} (default {DEFAULT_PAGE}).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET,
                            description=f"How many items to skip first: 0 to {MAX_OFFSET:,}.")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_PAGE, **kwargs)
