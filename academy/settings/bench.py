"""`make bench-http` only: production settings as deployed, configured from the
environment the benchmark sets, plus the yardstick it measures every page against.
Never deploy this."""

import os
from pathlib import Path

from .production import *  # noqa: F403

# HttpResponse("ok") behind the same middleware (academy.core.views.bench_bare).
ACADEMY_BENCH_BARE_VIEW = True
# One client (the load generator) asks far more than 30 lookups a minute; the
# lookups are still counted in the database, only never refused.
ACADEMY_VERIFY_RATE_LIMIT = 10**9
ACADEMY_PUBLIC_RATE_LIMIT = 10**9
# collectstatic's manifest (whitenoise) goes to the benchmark's own folder.
STATIC_ROOT = Path(os.environ["ACADEMY_BENCH_STATIC_ROOT"])
# Gunicorn's error log is enough: no line per request.
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
# The second half of the benchmark serves every signed-in page as a first view is
# served: kept pages on, but no view finds its page kept (core.page_cache), so each
# is rendered and kept again, as a page not seen before is.
ACADEMY_BENCH_EVERY_VIEW_FIRST = os.environ.get("ACADEMY_BENCH_FIRST_VIEWS") == "true"
