"""Benchmarks: `make bench` (in-process, bench/__main__.py) and `make bench-http`."""

import os


def in_test_database(run) -> None:
    """Run `run()` in a throwaway test database (SQLite in memory, or one made from
    DATABASE_URL), as the test runner makes it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings.test")
    import django

    django.setup()
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        run()
    finally:
        runner.teardown_databases(old)
