from django import template

from ..tabs import tabs_for

register = template.Library()


@register.simple_tag(takes_context=True)
def event_tabs(context, event):
    return tabs_for(event, context["request"].user)
