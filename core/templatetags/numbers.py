"""Template filters over core.numbers: {% load numbers %} {{ count|num }} {{ rate|num:1 }} {{ share|pct }}."""

from django import template

from core import numbers

register = template.Library()


@register.filter
def num(value, places=0):
    try:
        return numbers.grouped(value, int(places))
    except (TypeError, ValueError, ArithmeticError):
        return value


@register.filter
def pct(value, places=1):
    try:
        return numbers.percent(value, int(places))
    except (TypeError, ValueError, ArithmeticError):
        return value
