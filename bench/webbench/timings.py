"""Work outside the request cycle, timed in-process on the benchmark database (or a copy of it): the
deadline watch, the monthly assessment job, importing a city export, rendering one supervision notice."""
import os
import random
import re
import shutil
import sqlite3
import subprocess  # nosec B404  # runs scripts/time_notice.py with this Python
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def database_copy(url: str):
    """A copy of the database (SQLite: the backup API; PostgreSQL: CREATE DATABASE ... TEMPLATE, which
    needs no other session on it), yielded as a URL and removed afterwards."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="web-bench-"))
        target = folder / "copy.sqlite3"
        with sqlite3.connect(parsed.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        try:
            yield f"sqlite:///{target}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"{parsed.database}_bench_copy_{os.getpid()}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}" STRATEGY FILE_COPY'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def jobs(app, remake: bool = True) -> dict:
    """The deadline watch run twice (the first run notifies and supervises what is due; the second finds
    it done), and the monthly assessment job (月度工作通报: the month's rates, ranking, PDF and workbook).
    ``remake``: delete last month's report first so that the job makes it (on a copy); otherwise a report
    already made is left alone and the job is not timed."""
    from portal.assessment.periods import containing
    from portal.clock import now
    from portal.extensions import db
    from portal.jobs.registry import jobs_for
    from portal.reports.models import Report

    with app.app_context():
        registry = jobs_for(app)
        at = now().replace(second=0, microsecond=0)
        first, summary = _timed(registry["deadline_watch"].run, at)
        again, _ = _timed(registry["deadline_watch"].run, at + timedelta(minutes=5))
        monthly_at = at.replace(day=1, hour=7, minute=20)
        month = containing("month", (monthly_at - timedelta(days=1)).date()).key
        made = select(Report.id).where(Report.kind == "monthly_notice", Report.period_key == month)
        if remake:
            db.session.execute(delete(Report).where(Report.id.in_(made)))
            db.session.commit()
        if db.session.scalar(made) is None:
            monthly, done = _timed(registry["report_monthly_notice"].run, monthly_at)
        else:
            monthly, done = None, f"{month}: already made, not timed (run on a copy to time it)"
        db.session.remove()
    return {"deadline_watch_s": first, "deadline_watch_again_s": again, "deadline_watch_result": summary,
            "monthly_assessment_s": monthly, "monthly_assessment_result": done}


def _import_bench():
    """bench/import_bench.py, whose generator and CSV writer the import timing uses."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    import import_bench

    return import_bench


def _export_rows(rows: int) -> list[list]:
    """A city export of ``rows`` rows (bench/import_bench.py's generator) in this database's categories and
    units, numbered so that none is already present."""
    from portal.extensions import db
    from portal.orders.models import Category
    from portal.units.models import Unit

    categories = db.session.scalars(select(Category.name).where(Category.active.is_(True))).all()
    units = db.session.scalars(select(Unit.name).where(Unit.active.is_(True),
                                                       Unit.kind.not_in(["office", "community"]))).all()
    rng = random.Random(20)  # nosec B311  # benchmark data
    data = _import_bench().generate(rows)
    stamp = time.strftime("%H%M%S")
    for row in data:
        row[0] = f"WB{stamp}{row[0][2:]}"
        row[4] = rng.choice(categories)
        row[10] = rng.choice(units) if row[10] else ""
    return data


def import_rows(app, rows: int = 20_000) -> dict:
    """Import a generated city export of ``rows`` rows as CSV into the database; rows per second."""
    from portal.extensions import db
    from portal.intake.importer import import_file

    with app.app_context(), tempfile.TemporaryDirectory(prefix="web-bench-import-") as folder:
        data = _export_rows(rows)
        path = _import_bench().write_csv(data, Path(folder) / "city-export.csv")
        with open(path, "rb") as stream:
            seconds, result = _timed(import_file, stream, path.name)
        db.session.remove()
    return {"rows": rows, "created": len(result.created), "rejected": result.rejected, "seconds": seconds,
            "rows_per_s": rows / seconds}


def notice(runs: int = 5) -> dict:
    """One supervision notice PDF (scripts/time_notice.py): the median of ``runs`` renders after the first."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "time_notice.py"), str(runs)],  # nosec B603
                          cwd=ROOT, capture_output=True, text=True, check=True)
    found = re.search(r"first render (\d+) ms; median of the next \d+: (\d+) ms", done.stdout)
    if not found:
        raise RuntimeError("scripts/time_notice.py printed no timing:\n" + done.stdout + done.stderr)
    return {"first_ms": float(found.group(1)), "median_ms": float(found.group(2)), "runs": runs}

