"""The migrations build exactly the schema the models describe, and come down again.

On SQLite always; on PostgreSQL when PORTAL_TEST_DATABASE_URL is set, in a database of this test's
own (``portal_migrate_<worker>_<pid>``), apart from the one the ``app`` fixture empties between tests.
"""
import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from tests.fixtures.app import PG_URL

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture
def empty_database_url(tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL database dropped afterwards."""
    if not PG_URL:
        yield "sqlite:///" + str(tmp_path / "migrated.sqlite3")
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # The process id too: two test runs may share one server.
    target = make_url(PG_URL).set(database=f"portal_migrate_{worker}_{os.getpid()}")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    try:
        yield target.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrating_app(empty_database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _flask_db(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", *args, "--directory", MIGRATIONS])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output


def _table_names(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(migrating_app):
    _flask_db(migrating_app, "upgrade")

    with migrating_app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "the migrations and the models disagree; add a migration:\n" + "\n".join(map(str, diff))
    assert _table_names(migrating_app) == set(db.metadata.tables)

    _flask_db(migrating_app, "downgrade", "base")
    assert _table_names(migrating_app) == set()
