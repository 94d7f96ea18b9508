"""The floor of the web benchmark: a bare Flask app, no log-in, no session, one route rendering a plain
50-row HTML table of one unit's open orders with the inbox's own query (``portal.orders.queries``),
run through a plain DB-API connection. What a page over that query costs with nothing else around it.

    FLOOR_DATABASE_URL=sqlite:///instance/portal.sqlite3 FLOOR_UNIT_ID=3 FLOOR_HANDLER_IDS=7,8 \\
        .venv/bin/gunicorn --pythonpath .,bench "floor_app:create_app()"
"""
import os
import threading

from flask import Flask

from webbench.dbapi import compile_literal, connect

TABLE = """<!doctype html><meta charset="utf-8"><title>floor</title>
<table><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for v in row %}<td>{{ v if v is not none else "" }}</td>{% endfor %}</tr>
{% endfor %}</table>"""
SHOWN = ("number", "received_at", "state", "urgency", "caller_name", "address", "next_due_at")


def inbox_sql(url: str, unit_id: int, handler_ids: list[int], size: int = 50) -> str:
    """The unit inbox's query ("mine" tab: its open orders held by these handlers), 50 rows."""
    from sqlalchemy import select

    from portal.orders.models import Order
    from portal.orders.queries import inbox_clause

    query = (select(Order).where(inbox_clause("mine", unit_id, handler_ids))
             .order_by(Order.next_due_at.is_(None), Order.next_due_at, Order.id).limit(size))
    return compile_literal(query, url)


def create_app() -> Flask:
    url = os.environ["FLOOR_DATABASE_URL"]
    sql = inbox_sql(url, int(os.environ["FLOOR_UNIT_ID"]),
                    [int(i) for i in os.environ.get("FLOOR_HANDLER_IDS", "").split(",") if i])
    local = threading.local()
    app = Flask(__name__)
    template = app.jinja_env.from_string(TABLE)  # compiled once, as render_template's cache would

    @app.route("/")
    def table():
        if not hasattr(local, "connection"):
            local.connection = connect(url)
        cursor = local.connection.cursor()
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        keep = [names.index(c) for c in SHOWN]
        rows = [[row[i] for i in keep] for row in cursor.fetchall()]
        return template.render(columns=SHOWN, rows=rows)

    return app

