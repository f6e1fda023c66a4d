from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
@require_POST
def rotate_console(request, code: str):
    bridge = get_object_or_404(Bridge, code=code)
    scope.require_bridge(request.user, bridge, manage=True)
    services.rotate_console_link(bridge, request=request)
    messages.success(request, _("A new console link was created; the old one no longer works."))
    return redirect("bridges:detail", code=bridge.code)

