from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import confirm
from core.confirm import Confirmation
from core.text import clean_text, fold

from . import scope, services
from .models import Bridge


@login_required
def bridge_list(request):
    scope.require_role(request.user)
    bridges = scope.visible_bridges(request.user).select_related("tier", "parent").annotate(
        people_count=Count("people")
    ).order_by("path")
    query = clean_text(request.GET.get("q"))
    if query:
        bridges = bridges.filter(Q(code__icontains=query) | Q(name__icontains=query))
    page = Paginator(bridges, 100).get_page(request.GET.get("page"))
    return render(request, "bridges/bridge_list.html", {"page": page, "query": query})


@login_required
def bridge_detail(request, code: str):
    bridge = get_object_or_404(Bridge.objects.select_related("tier", "parent"), code=code)
    scope.require_bridge(request.user, bridge)
    people = bridge.people.all()
    query = clean_text(request.GET.get("q"))
    if query:
        people = people.filter(Q(name_key__contains=fold(query)) | Q(teacher_id__startswith=query))
    return render(request, "bridges/bridge_detail.html", {
        "bridge": bridge,
        "children": bridge.children.select_related("tier"),
        "people": Paginator(people, 200).get_page(request.GET.get("page")),
        "query": query,
        "can_manage": scope.can_manage_bridge(request.user, bridge),
        "console_url": services.console_url(bridge) if scope.can_manage_bridge(request.user, bridge) else "",
    })


@login_required
@require_http_methods(["GET", "POST"])
def rotate_console(request, code: str):
    """Asked first (core.confirm): the old link, and every letter and QR code carrying it, stop working."""
    bridge = get_object_or_404(Bridge, code=code)
    scope.require_bridge(request.user, bridge, manage=True)
    if confirm.must_ask(request, 1):
        return confirm.ask(request, Confirmation(
            title=_("Replace the console link of %(name)s") % {"name": bridge.name}, count=1,
            summary=_("%(name)s (%(code)s) gets a new secret console link.") % {"name": bridge.name,
                                                                                 "code": bridge.code},
            consequence=_("The old link stops working at once, and with it every letter, e-mail and QR code "
                          "that carried it: whoever runs the school's console must be given the new one. This "
                          "cannot be undone."),
            action_url=request.path, cancel_url=reverse("bridges:detail", args=[bridge.code]),
            button=_("Replace the link"), danger=True,
        ))
    services.rotate_console_link(bridge, request=request)
    messages.success(request, _("A new console link was created; the old one no longer works."))
    return redirect("bridges:detail", code=bridge.code)

