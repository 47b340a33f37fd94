import contextlib

from django.db import connection


@contextlib.contextmanager
def count_queries():
    """Count every query, requests included (the test client's request_started
    signal empties connection.queries_log, which confuses CaptureQueriesContext)."""
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen
