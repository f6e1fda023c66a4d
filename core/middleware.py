from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Vietnamese unless the person chose English with the switch (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many offices run an
    English Windows: their staff would get English without asking. API clients still negotiate.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class SyncViewsMiddleware:
    """Last in MIDDLEWARE: keeps the whole middleware chain in the views' (synchronous) mode under ASGI.

    Django runs async-capable middleware in async mode on an ASGI server and then hands every
    process_request / process_response of the classic middleware (sessions, CSRF, locale...) to a
    thread one by one: about twenty thread switches per request, which cost more than most of our
    views. Being sync-only and innermost, this one makes Django build the chain synchronously: a
    request enters a thread once and runs the chain and the view there.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
