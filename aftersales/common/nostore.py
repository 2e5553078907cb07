"""Cache-Control: no-store on every response the application itself makes.

Nearly every page and API answer carries personal data — names, phones, addresses,
complaint text, evidence, agreements — and the few that do not (the login form, a
redirect) gain nothing from a cache. One rule with no list of exceptions cannot forget a
new endpoint: browsers, proxies and the back button keep no copy. Static files never reach
this middleware (WhiteNoise answers them earlier, with their long cache lifetime).

A response that already says no-store (Django's never_cache, used by the admin) is left
as it is; any other Cache-Control a view set is replaced."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

NO_STORE = "no-store"


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if NO_STORE not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
        return response
