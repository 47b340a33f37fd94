from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

# Addresses that are deliberately not language-prefixed (short, stable QR codes and
# machine endpoints): their 404s are answers, not a reason to redirect to /en/….
UNPREFIXED = ("/verify/", "/.well-known/", "/healthz")


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_response(self, request, response):
        if request.path_info.startswith(UNPREFIXED):
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)
