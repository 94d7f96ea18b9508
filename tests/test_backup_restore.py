"""``flask backup`` and ``flask restore``: a backup restored into an empty database gives the same orders,
events and attachment files; a database holding rows, a damaged backup or an unfit pg_dump is refused;
a backup taken while orders are being written is consistent. On SQLite and on PostgreSQL."""
import json
import os
import stat
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.attachments import storage
from portal.attachments.models import Attachment
from portal.attachments.operations import reply_with_files
from portal.audit.verify import verify
from portal.backup.operations import backup
from portal.extensions import db
from portal.orders import operations
from portal.orders.models import Order, OrderEvent
from tests.fixtures.app import FIXED_NOW, PG_URL, _admin_engine
from tests.fixtures.attachments import docx, image

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture
def filled(app, district, make_order):
    """Orders in several states, two replies with files (an image with its thumbnail, a Word document)."""
    for state in ("received", "dispatched", "accepted", "replied", "closed"):
        make_order(state)
    for files in ([("整改后.jpg", image("JPEG"))], [("整改情况.docx", docx())]):
        order = make_order("accepted")
        reply_with_files(order.id, district.handler, files, reply="已现场处置完毕，并电话告知市民。")
    return district


@contextmanager
def empty_instance(tmp_path, name="restored"):
    """Another instance of the portal on an empty database (a new SQLite file, or a new PostgreSQL
    database) with its own attachment store."""
    database = None
    if PG_URL:
        database = f"portal_test_{os.getpid()}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{name}"
        _recreate(database)
        url = make_url(PG_URL).set(database=database).render_as_string(hide_password=False)
    else:
        url = "sqlite:///" + str(tmp_path / f"{name}.sqlite3")
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
                        "FIXED_NOW": FIXED_NOW, "ATTACHMENTS_DIR": str(tmp_path / f"{name}-attachments")})
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        if database:
            _recreate(database, drop_only=True)


def invoke(instance, args: list[str]):
    """Run a command on ``instance`` (Flask's commands use the current app when there is one)."""
    with instance.app_context():
        return instance.test_cli_runner().invoke(args=args)


def _recreate(database: str, drop_only: bool = False) -> None:
    admin = _admin_engine(PG_URL)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()


def record(app) -> dict:
    """What a restore must reproduce, row by row."""
    with app.app_context():
        db.session.rollback()
        snapshot = {
            "orders": db.session.execute(select(Order.id, Order.number, Order.state, Order.version,
                                                Order.lead_unit_id).order_by(Order.id)).all(),
            "events": db.session.execute(select(OrderEvent.id, OrderEvent.order_id, OrderEvent.seq,
                                                OrderEvent.action, OrderEvent.hash).order_by(OrderEvent.id)).all(),
            "attachments": db.session.execute(select(Attachment.id, Attachment.sha256).order_by(Attachment.id)).all(),
        }
        db.session.rollback()
        return snapshot


def test_restore_into_an_empty_database_gives_the_same_orders_events_and_files(app, filled, runner, tmp_path):
    before = record(app)
    assert len(before["orders"]) == 7 and len(before["attachments"]) == 2
    out = tmp_path / "backup"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert "7 orders" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["database"] == ("postgresql" if PG_URL else "sqlite")
    assert manifest["counts"]["orders"] == 7 and manifest["counts"]["order_events"] == len(before["events"])
    assert len(manifest["dump_sha256"]) == 64

    with empty_instance(tmp_path) as restored:
        result = invoke(restored, ["restore", str(out)])
        assert result.exit_code == 0, result.output
        assert "audit record intact" in result.output
        assert record(restored) == before
        with restored.app_context():
            assert verify()[1] == []
            for _, sha256 in before["attachments"]:
                assert storage.path_for(sha256).read_bytes() == _source_file(app, sha256)
            assert storage.thumb_path(before["attachments"][0][1]).is_file()  # the image's thumbnail too
            db.session.rollback()

    again = runner.invoke(args=["backup", str(out)])  # the same folder: a new dump, no file copied twice
    assert again.exit_code == 0 and "(0 copied now)" in again.output, again.output


def test_restore_into_the_empty_tables_of_db_upgrade(app, filled, runner, tmp_path):
    """An operator may run ``flask db upgrade`` on the new database first: its empty tables (and alembic's
    revision row) do not count as data, and the restore replaces them."""
    before = record(app)
    out = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    with empty_instance(tmp_path) as restored:
        upgraded = invoke(restored, ["db", "upgrade", "--directory", MIGRATIONS])
        assert upgraded.exit_code == 0, upgraded.output
        result = invoke(restored, ["restore", str(out)])
        assert result.exit_code == 0, result.output
        assert record(restored) == before


def _source_file(app, sha256: str) -> bytes:
    with app.app_context():
        return storage.path_for(sha256).read_bytes()


def test_restore_into_a_database_holding_rows_is_refused_and_changes_nothing(app, filled, runner, tmp_path):
    out = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    operations.take_in(filled.dispatcher, {  # the live database moves on after the backup
        "number": "SX-AFTER-BACKUP", "channel": "phone", "type": "complaint", "urgency": "normal",
        "caller_name": "李四", "caller_phone": "13900001111", "address": "城关街道建设路1号",
        "content": "路灯不亮，夜间出行不便。"})
    before = record(app)
    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code == 1
    assert "restore needs an empty database" in result.output
    assert "orders" in result.output and "order_events" in result.output
    assert record(app) == before


def test_a_damaged_backup_is_refused(app, filled, runner, tmp_path):
    out = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    dump = out / json.loads((out / "manifest.json").read_text())["dump"]
    with open(dump, "r+b") as f:
        f.seek(dump.stat().st_size // 2)
        f.write(b"\xff\x00damaged")
    with empty_instance(tmp_path) as restored:
        result = invoke(restored, ["restore", str(out)])
        assert result.exit_code == 1 and "damaged" in result.output
        with restored.app_context():
            from portal.backup.operations import target_tables_with_rows

            assert target_tables_with_rows() == []


def test_a_backup_taken_while_orders_are_written_is_consistent(app, filled, tmp_path):
    """Another thread takes in orders (each with its event, one transaction each) before, during and after
    the backup: the backup holds whole orders only, and its counts match what it holds."""
    dispatcher_id = filled.dispatcher.id
    stop, written, errors = threading.Event(), [], []

    def write_orders():
        from portal.auth.models import User

        with app.app_context():
            actor = db.session.get(User, dispatcher_id)
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    operations.take_in(actor, {
                        "number": f"SX-LIVE-{n:05d}", "channel": "phone", "type": "complaint", "urgency": "normal",
                        "caller_name": "王五", "caller_phone": f"139{n:08d}", "address": f"建设路{n}号",
                        "content": "夜间施工噪音扰民，请查处。"})
                    written.append(n)
                except Exception as exc:  # noqa: BLE001  (reported below)
                    errors.append(exc)
                    return
            db.session.remove()

    writer = threading.Thread(target=write_orders)
    writer.start()
    try:
        _wait_for(lambda: len(written) >= 3)
        at_start = len(written)
        manifest = backup(tmp_path / "backup")
        at_end = len(written)
        _wait_for(lambda: len(written) >= at_end + 3)
    finally:
        stop.set()
        writer.join(30)
    assert not errors, errors
    assert at_start < len(written)  # the writer ran before and after the backup
    assert 7 + at_start <= manifest.counts["orders"] <= 7 + len(written)

    with empty_instance(tmp_path) as restored:
        result = invoke(restored, ["restore", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output  # counts equal the manifest, audit intact
        with restored.app_context():
            orders = db.session.scalars(select(Order.id)).all()
            taken_in = db.session.scalars(select(OrderEvent.order_id).where(OrderEvent.action == "take_in")).all()
            assert sorted(orders) == sorted(taken_in)  # no order without its event, no event without its order
            assert len(orders) == manifest.counts["orders"]
            db.session.rollback()


def _wait_for(condition, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the writer thread made no progress"
        time.sleep(0.02)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="pg_dump's checks need PostgreSQL (PORTAL_TEST_DATABASE_URL)")
def test_pg_dump_missing_or_older_than_the_server_is_refused(app, filled, runner, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    app.config["BACKUP_PG_BINDIR"] = str(bindir)
    result = runner.invoke(args=["backup", str(tmp_path / "none")])
    assert result.exit_code == 1 and "pg_dump not found" in result.output and "postgresql-client" in result.output

    old = bindir / "pg_dump"  # a PostgreSQL 9.6 client, as far as its version line says
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(old.stat().st_mode | stat.S_IXUSR)
    result = runner.invoke(args=["backup", str(tmp_path / "old")])
    assert result.exit_code == 1 and "older than the server" in result.output
    assert not (tmp_path / "old" / "manifest.json").exists()
    assert not any((tmp_path / "old").glob("portal.*"))
