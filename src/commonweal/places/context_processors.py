"""The service navigation shown on every page."""

from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict:
    items = [("Home", reverse("places:home")), ("Standards", reverse("places:standards"))]
    if request.user.is_authenticated:
        items.append(("Your account", reverse("places:account")))
    else:
        items += [("Sign in", reverse("places:sign-in")), ("Create an account", reverse("places:sign-up"))]
    path = request.path
    return {
        "navigation": [
            {"text": text, "href": href, "current": path == href or (href != "/" and path.startswith(href))}
            for text, href in items
        ]
    }
