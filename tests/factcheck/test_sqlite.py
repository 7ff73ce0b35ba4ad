"""The demo's SQLite runs with write-ahead logging and a busy timeout, so readers never block."""

import threading

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the SQLite settings apply only without DATABASE_URL=postgres://...",
)


@pytest.fixture(autouse=True)
def own_files(django_db_blocker):
    """Let the test open SQLite files of its own (never the test database)."""
    with django_db_blocker.unblock():
        yield


def connect(path) -> DatabaseWrapper:
    """Open the demo's database settings against a file of the test's own."""
    options = settings.DATABASES["default"]["OPTIONS"]
    wrapper = DatabaseWrapper(
        {**settings.DATABASES["default"], "NAME": str(path), "OPTIONS": dict(options)}
    )
    wrapper.ensure_connection()
    return wrapper


def pragma(wrapper: DatabaseWrapper, name: str):
    with wrapper.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_the_database_file_uses_write_ahead_logging_and_waits_for_locks(tmp_path):
    wrapper = connect(tmp_path / "demo.sqlite3")
    try:
        assert pragma(wrapper, "journal_mode") == "wal"
        assert pragma(wrapper, "busy_timeout") == 20_000
    finally:
        wrapper.close()


def test_a_reader_is_not_blocked_by_a_writer_holding_its_transaction(tmp_path):
    path = tmp_path / "demo.sqlite3"
    writer = connect(path)
    with writer.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
        cursor.execute("INSERT INTO t VALUES (1)")
    with writer.cursor() as cursor:
        # The strongest lock a writer takes: without WAL it shuts every reader out.
        cursor.execute("BEGIN EXCLUSIVE")
        cursor.execute("INSERT INTO t VALUES (2)")
    seen = {}

    def read():
        reader = connect(path)
        with reader.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
            seen["rows"] = cursor.fetchone()[0]
        reader.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(30)
    with writer.cursor() as cursor:
        cursor.execute("ROLLBACK")
    writer.close()
    # Without WAL the reader waits out the busy timeout and fails with "database is locked".
    assert seen == {"rows": 1}
