"""Sections that apps above followups add to a follow-up report's page, so followups names none of them.

The reports app adds the rollup table by district and the downloads (its workbook writer sits above
followups). An app registers its panels in its AppConfig.ready(): a key, a template, a function
giving the template's values, and an order. The page includes each panel's template with `panel`.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FormPanel:
    key: str
    template: str
    values: Callable  # values(request, form, state) -> dict, available to the template as panel.<name>
    order: int = 50


_PANELS: dict[str, FormPanel] = {}


def register(panel: FormPanel) -> None:
    # Keyed: a second registration of the same key (a reloaded AppConfig) replaces the first.
    _PANELS[panel.key] = panel


def panels_for(request, form, state) -> list[dict]:
    """The panels of this form's page, in order: each its template and its values."""
    return [{"template": panel.template, **panel.values(request, form, state)}
            for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key))]
