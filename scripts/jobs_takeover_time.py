"""How long a standby scheduler takes to act after the lease holder is killed (kill -9).

Usage: .venv/bin/python scripts/jobs_takeover_time.py sqlite
       .venv/bin/python scripts/jobs_takeover_time.py postgresql+psycopg://user@host/EMPTY_DATABASE
Starts two `flask jobs run` processes with the test settings (heartbeat 0.3 s, lease 1.5 s, the one-second
probe job), kills the one that acts, and prints the time until the other's first run. The database's
tables are dropped and made again: give it an empty database.
"""
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from tests.fixtures.jobs import Schedulers  # noqa: E402

url = sys.argv[1]
tmp = Path(tempfile.mkdtemp())
app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/takeover.sqlite3" if url == "sqlite" else url,
                  "SECRET_KEY": "not-used"})
with app.app_context():
    db.drop_all()
    db.create_all()
group = Schedulers(app, tmp / "probe.txt")
a, b = group.start("A"), group.start("B")
try:
    lines = group.wait_for(lambda rows: rows if len(rows) >= 3 else None, what="three probe runs")
    holder, standby = (a, b) if lines[0][1] == a.pid else (b, a)
    holder.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    group.wait_for(lambda rows: [r for r in rows if r[1] == standby.pid] or None, what="the standby's first run")
    print(f"{url.split(':')[0]}: the standby ran its first period {time.monotonic() - killed:.2f} s after kill -9")
finally:
    group.stop_all()
