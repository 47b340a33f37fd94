from django.http import Http404


class ApplicationError(Exception):
    """A business rule was broken; the message is written for the person who acted.
    `status` is the HTTP status a view answers with."""

    status = 400

    def __init__(self, message: str, *, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class PublicHttp404(Http404):
    """A 404 whose message is written for the visitor and shown on the page (a
    plain Http404's message is for developers and never shown)."""
