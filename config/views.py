"""Project-level pages: the home page links to every app's pages, so it sits above them all (config/)."""

from django.shortcuts import redirect, render

from bridges.scope import role_of


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "home.html", {"role": role_of(request.user)})
