import contextlib
import threading

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


def at_once(fn, times: int = 2) -> list:
    """Call fn from `times` threads released together; what each returned. Each
    thread closes its own database connections (a transactional test's rows)."""
    from django.db import connections

    barrier = threading.Barrier(times)
    results: list = []

    def call():
        try:
            barrier.wait()
            results.append(fn())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
