from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import render
from django.utils import translation

# Addresses that are deliberately not language-prefixed (short, stable QR codes and
# machine endpoints): their 404s are answers, not a reason to redirect to /en/….
UNPREFIXED = ("/verify/", "/.well-known/", "/healthz", "/achievements/")


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_response(self, request, response):
        if request.path_info.startswith(UNPREFIXED):
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with one difference: Wagtail's admin, which we do not
    write, has inline scripts and styles (InlinePanel templates, widgets), so under
    /admin/ those two directives also allow 'unsafe-inline'. Every page of ours gets
    the strict policy of settings.CONTENT_SECURITY_POLICY (no inline anything)."""

    ADMIN_PREFIX = "/admin/"

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(self.ADMIN_PREFIX):
            parts.update = {
                **(parts.update or {}),
                "script-src": [UNSAFE_INLINE],
                "style-src": [UNSAFE_INLINE],
                "img-src": ["blob:"],
            }
        return parts


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than any form or upload here
    needs (ACADEMY_REQUEST_MAX_BYTES) before anything reads it: a 413, not a disk
    full of spooled uploads. (Django's DATA_UPLOAD_MAX_MEMORY_SIZE covers form
    fields only, not files.) A proxy in front should set the same limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > settings.ACADEMY_REQUEST_MAX_BYTES:
            return render(
                request,
                "413.html",
                {"megabytes": settings.ACADEMY_REQUEST_MAX_BYTES // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)
