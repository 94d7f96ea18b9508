"""Fill the database with the demo district, but only when it holds no rows yet.

``flask --app portal seed-demo`` refuses a database that has data; this looks first, so that
``make run`` seeds a new database and leaves one in use alone. Uses the same configuration as the
``flask`` command (instance/config.py, PORTAL_* environment variables).
"""
import subprocess
import sys

from sqlalchemy import select

from portal import create_app
from portal.extensions import db


def tables_with_rows() -> list[str]:
    app = create_app()
    with app.app_context():
        names = [t.name for t in db.metadata.sorted_tables
                 if db.session.scalar(select(1).select_from(t).limit(1)) is not None]
        db.engine.dispose()
    return names


def main() -> int:
    full = tables_with_rows()
    if full:
        print(f"The database already has data ({', '.join(full)}): not seeding the demo district.")
        return 0
    return subprocess.call([sys.executable, "-m", "flask", "--app", "portal", "seed-demo", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
