class ApplicationError(Exception):
    """A business rule was broken; the message is written for the person who acted.
    `status` is the HTTP status a view answers with."""

    status = 400

    def __init__(self, message: str, *, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
