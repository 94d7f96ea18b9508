"""The database's share of a page: the statements the page runs, recorded from one request made
in-process (same code, same database), then run again through a plain DB-API connection.

A page's figure is the sum over its SELECT statements (the session's user, the list, its counts, ...);
``main`` is its slowest statement on its own."""
import statistics
import time

from sqlalchemy import event

READS = ("SELECT", "WITH")


def record(app, username: str, password: str, path: str) -> list[tuple[str, object]]:
    """The (statement, parameters) pairs of the reads one GET of ``path`` makes, logged in as ``username``."""
    import html

    from .client import CSRF, LoginFailed

    from portal.extensions import db

    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(READS):
            seen.append((statement, parameters))

    with app.test_client() as client:
        token = CSRF.search(client.get("/login").get_data(as_text=True))
        answer = client.post("/login", data={"csrf_token": html.unescape(token.group(1)) if token else "",
                                             "username": username, "password": password})
        if answer.status_code != 302:
            raise LoginFailed(f"log-in as {username!r} refused (status {answer.status_code}); check the password")
        client.get(path)  # warm: caches filled on a first request are not the page's share
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", keep)
        try:
            status = client.get(path).status_code
        finally:
            event.remove(engine, "before_cursor_execute", keep)
    if status != 200:
        raise RuntimeError(f"in-process GET {path} answered {status}")
    return seen


def replay(app, statements: list[tuple[str, object]], runs: int = 200, warmup: int = 20,
           budget: float | None = None) -> dict:
    """p50 (ms) of running all ``statements`` in turn, and of the slowest one alone, over ``runs`` runs
    (fewer when ``budget`` seconds have gone and 20 are done)."""
    from portal.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            totals, each = [], [[] for _ in statements]
            began = time.monotonic()
            for i in range(warmup + runs):
                if budget and len(totals) >= 20 and time.monotonic() - began > budget:
                    break
                start = time.perf_counter()
                for j, (statement, parameters) in enumerate(statements):
                    t = time.perf_counter()
                    if parameters is None:
                        cursor.execute(statement)
                    else:
                        cursor.execute(statement, parameters)
                    cursor.fetchall()
                    if i >= warmup:
                        each[j].append(time.perf_counter() - t)
                if i >= warmup:
                    totals.append(time.perf_counter() - start)
            raw.rollback()
        finally:
            raw.close()
    medians = [statistics.median(times) * 1000 for times in each]
    slowest = max(range(len(medians)), key=medians.__getitem__) if medians else None
    return {"sql_p50_ms": statistics.median(totals) * 1000, "statements": len(statements), "runs": len(totals),
            "main_p50_ms": medians[slowest] if medians else 0.0,
            "main_sql": " ".join(statements[slowest][0].split())[:2000] if medians else ""}


def replay_sql(app, sql: str, runs: int = 200, warmup: int = 20, budget: float | None = None) -> dict:
    """The same for one SQL text without parameters (the floor's query)."""
    return replay(app, [(sql, None)], runs, warmup, budget)
