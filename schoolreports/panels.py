"""Sections that apps above schoolreports add to a round's page (the reports app: the workbook and CSV
downloads), so schoolreports names none of them. Registered in the higher app's AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RoundPanel:
    key: str
    template: str
    values: Callable  # values(request, round, state) -> dict, available to the template as panel.<name>
    order: int = 50


_PANELS: dict[str, RoundPanel] = {}


def register(panel: RoundPanel) -> None:
    _PANELS[panel.key] = panel  # keyed: a reloaded AppConfig replaces its panel


def panels_for(request, round_, state) -> list[dict]:
    return [{"template": panel.template, **panel.values(request, round_, state)}
            for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key))]
