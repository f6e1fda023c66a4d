"""How a number is written for people: the one home (pages, letters, workbooks' text cells, JSON labels).

Vietnamese writes 17.878 and 87,6 %; the separators come from the active language's format module
(config/formats/vi, which the English pages share on purpose, as they share dd/mm/yyyy), through
Django's own number_format with grouping forced. USE_THOUSAND_SEPARATOR stays off on purpose: it would also group ids and counts that
templates put in attributes, URLs and data-* values, which must stay machine-readable.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats

EMPTY = "—"


def grouped(value: int | float | Decimal | None, places: int = 0) -> str:
    """17878 -> "17.878"; (132.25, 1) -> "132,3"; None -> "—". Rounded half up (as Intl.NumberFormat rounds in
    static/js/numbers.js): Django's number_format alone cuts a float's decimals off (87.66 would be 87,6)."""
    if value is None or value == "":
        return EMPTY
    # str(): the float as Python writes it (0.1, not its binary expansion), so 132.25 rounds up.
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    if not exact.is_finite():
        return EMPTY
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


def percent(value: int | float | Decimal | None, places: int = 1) -> str:
    """A value already in percent: 87.63 -> "87,6 %" (a no-break space before the sign, as Vietnamese prints it)."""
    if value is None or value == "":
        return EMPTY
    return f"{grouped(value, places)}\u00a0%"


def ratio_percent(part: int | float, whole: int | float, places: int = 1) -> str:
    """part of whole as a percent; "—" when there is no whole to divide by."""
    if not whole:
        return EMPTY
    return percent(100 * part / whole, places)
