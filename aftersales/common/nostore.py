"""Cache-Control: no-store on responses that carry personal data (filled in by item 9)."""


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
