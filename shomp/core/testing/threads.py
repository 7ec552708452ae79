"""Run the same work in several threads at once, for tests of races on a real database.

Each thread has its own database connection (Django opens one per thread) and closes it when
done, so the test database can be dropped afterwards. Use with `django_db(transaction=True)`:
the threads cannot see a test's uncommitted transaction. Races need row locks to go wrong, so
such tests are for PostgreSQL; SQLite (IMMEDIATE transactions) serialises every write.
"""

import threading
import time
from collections.abc import Callable

from django.db import connection
from django.db.models import QuerySet


def run_together(count: int, work: Callable[[int], object], *, timeout: float = 60) -> list[tuple[str, object]]:
    """Run work(0), ..., work(count - 1) in `count` threads released at the same moment.

    Returns one ("ok", result) or ("error", exception) per index, in index order. A thread still
    running after `timeout` seconds fails the test (a deadlock or a lock never released)."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, object]] = [("not run", None)] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[index] = ("ok", work(index))
        except BaseException as error:
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (a deadlock, or a lock never released)"
    return results


def outcomes(results: list[tuple[str, object]]) -> list[str]:
    """Each thread's outcome ("ok" or the exception's class name), for one readable assertion."""
    return [outcome if outcome != "error" else type(value).__name__ for outcome, value in results]


def widen_check_then_act(monkeypatch, *, pause: float = 0.05) -> None:
    """Pause after every lookup that finds nothing (`exists()` False, `first()` None, `get()`
    DoesNotExist), so threads released together all pass a "does it exist yet?" check before
    the first of them inserts and commits. Without it that window is a millisecond wide and a
    race test passes by luck. Takes pytest's `monkeypatch`; undone with it."""
    exists, first, get = QuerySet.exists, QuerySet.first, QuerySet.get

    def slow_exists(self):
        found = exists(self)
        if not found:
            time.sleep(pause)
        return found

    def slow_first(self):
        found = first(self)
        if found is None:
            time.sleep(pause)
        return found

    def slow_get(self, *args, **kwargs):
        try:
            return get(self, *args, **kwargs)
        except self.model.DoesNotExist:
            time.sleep(pause)
            raise

    monkeypatch.setattr(QuerySet, "exists", slow_exists)
    monkeypatch.setattr(QuerySet, "first", slow_first)
    monkeypatch.setattr(QuerySet, "get", slow_get)
