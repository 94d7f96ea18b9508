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
from portal.search.index import include_in_comparison, is_search_object
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
        return {name for name in inspect(db.engine).get_table_names()
                if name != "alembic_version" and not is_search_object(name)}


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(migrating_app):
    _flask_db(migrating_app, "upgrade")

    with migrating_app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_in_comparison})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "the migrations and the models disagree; add a migration:\n" + "\n".join(map(str, diff))
    assert _table_names(migrating_app) == set(db.metadata.tables)

    _flask_db(migrating_app, "downgrade", "base")
    assert _table_names(migrating_app) == set()


def test_records_made_before_the_audit_chains_are_sealed_and_answer_files_moved(migrating_app, tmp_path):
    """A district with history: the migration that adds the hash chains seals the events already there
    (verify-audit finds them intact), and supervision answers' files become attachments."""
    from portal.audit.verify import verify

    migrating_app.config["ATTACHMENTS_DIR"] = str(tmp_path / "files")
    _flask_db(migrating_app, "upgrade")
    seeded = migrating_app.test_cli_runner().invoke(args=["seed-demo", "--orders", "40"])
    assert seeded.exit_code == 0, seeded.output
    _flask_db(migrating_app, "downgrade", "02cd1d4bd90c")  # as a district was before the chains
    with migrating_app.app_context():
        db.session.execute(text(
            "INSERT INTO supervision_attachments (answer_id, filename, stored_name, content_type, size, sha256) "
            "SELECT id, '现场照片.jpeg', '2026/' || id || '.jpeg', 'image/jpeg', 1234, :sha FROM supervision_answers"),
            {"sha": "ab" * 32})
        answers = db.session.execute(text("SELECT id, by_id FROM supervision_answers ORDER BY id")).all()
        events = db.session.scalar(text("SELECT count(*) FROM order_events"))
        db.session.commit()
        db.session.remove()
    assert answers and events > 40
    _flask_db(migrating_app, "upgrade")
    with migrating_app.app_context():
        walked, problems = verify()
        assert problems == [] and {w.table: w.events for w in walked}["order_events"] == events
        moved = db.session.execute(text(
            "SELECT owner_id, uploaded_by_id, extension, filename FROM attachments "
            "WHERE owner_kind = 'supervision_answer' ORDER BY owner_id")).all()
        assert [tuple(row) for row in moved] == [(a.id, a.by_id, "jpg", "现场照片.jpeg") for a in answers]
        # The search index was rebuilt from the orders already there.
        from portal.orders.models import Order
        from portal.search.query import order_matches

        first = db.session.scalars(db.select(Order).order_by(Order.id)).first()
        word = first.content[2:6]
        expected = {o.id for o in db.session.scalars(db.select(Order)) if word in o.content or word in o.address}
        assert set(db.session.scalars(db.select(Order.id).where(order_matches(word)))) == expected
        db.session.remove()
