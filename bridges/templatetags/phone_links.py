"""`{% phone_link number %}`: a contact phone as a tel: link, marked when libphonenumber did not
recognise it (an import keeps such numbers as the office typed them, so they may be wrong)."""

import re

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from bridges.phones import is_checked

register = template.Library()


@register.simple_tag
def phone_link(number) -> str:
    if not number:
        return ""
    # tel: takes digits and a leading plus; the text shown stays as stored.
    link = format_html('<a href="tel:{}">{}</a>', re.sub(r"[^0-9+]", "", number), number)
    if is_checked(number):
        return link
    return format_html('{} <span class="hint unchecked" title="{}">{}</span>', link,
                       _("This number was imported as typed; libphonenumber did not recognise it."),
                       _("(unchecked)"))
