"""What a result was measured on and with: the machine, the commit, the data size."""
import os
import platform
import subprocess  # nosec B404  # git rev-parse, a fixed command
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
              if line.startswith("MemTotal:"))
    return {"nproc": os.cpu_count(), "ram_gb": round(kb / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version()}


def commit() -> dict:
    def git(*args):
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)  # nosec B603 B607
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "--short=12", "HEAD") or "unknown",
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def data_size() -> dict:
    """Row counts of the main tables (inside an app context)."""
    from portal.auth.models import User
    from portal.extensions import db
    from portal.orders.models import Order, OrderEvent
    from portal.units.models import Unit

    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    first, last = db.session.execute(select(func.min(Order.received_at), func.max(Order.received_at))).one()
    return {"orders": count(Order), "order_events": count(OrderEvent), "users": count(User), "units": count(Unit),
            "first_received": f"{first:%Y-%m-%d}" if first else None,
            "last_received": f"{last:%Y-%m-%d}" if last else None}
