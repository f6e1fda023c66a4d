"""The browser-side bounds every page carries: Content-Security-Policy, Permissions-Policy, Referrer-Policy.

- Content-Security-Policy comes from django-csp (CONTENT_SECURITY_POLICY in settings): scripts, styles,
  fonts, images, connections and frames from our own origin only; no inline script except one that
  carries the request's nonce (`request.csp_nonce`; today no template needs one: the inline handlers
  became static/js/behaviours.js). A page that embeds Jitsi widens it for the Jitsi domain only
  (video.page_policy.jitsi_page). The one inline <style> left, the self-contained 500 page rendered
  without a request, is allowed by its hash (`style_hashes`), computed from the template at start.
- Permissions-Policy: no camera, microphone, screen capture, location, payment or USB on any page
  (PermissionsPolicyMiddleware), except where a view allows them for itself and named origins
  (`allow_features`): the console and the moderator page, for their video call and the readiness test.
- Referrer-Policy: Django's SecurityMiddleware, SECURE_REFERRER_POLICY = "same-origin" (a console link
  in a URL never leaks to another site through the Referer header).
"""

import base64
import hashlib
import re
from pathlib import Path

# Everything a page could ask the browser for that this product never uses outside a video page.
FEATURES = ("camera", "microphone", "display-capture", "geolocation", "payment", "usb")
HEADER = "Permissions-Policy"
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _policy(allowed: dict[str, list[str]]) -> str:
    """The header's value: `feature=()` (nobody), or `feature=(self "https://origin" ...)`."""
    parts = []
    for feature in FEATURES:
        if feature in allowed:
            sources = ["self", *(f'"{origin}"' for origin in allowed[feature])]
            parts.append(f"{feature}=({' '.join(sources)})")
        else:
            parts.append(f"{feature}=()")
    return ", ".join(parts)


DEFAULT_POLICY = _policy({})


def allow_features(response, origins: list[str], features: tuple[str, ...]):
    """Let this response's page (and frames from `origins`) use `features`; the rest stay off."""
    response[HEADER] = _policy(dict.fromkeys(features, origins))
    return response


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = DEFAULT_POLICY
        return response


def style_hashes(*templates: Path) -> list[str]:
    """CSP source expressions ('sha256-...') for the inline <style> blocks of these templates."""
    hashes = []
    for template in templates:
        for style in _STYLE.findall(template.read_text(encoding="utf-8")):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return hashes
