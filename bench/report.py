"""Put the latest web benchmark figures (bench/results/*.json, one SQLite and one PostgreSQL) into the
results section of bench/README.md, between its ``figures`` markers.

    .venv/bin/python bench/report.py                       # the newest file of each database
    .venv/bin/python bench/report.py --label "smoke run"   # a heading note, e.g. for a small run
    .venv/bin/python bench/report.py bench/results/2026-11-25-sqlite.json --print
"""
import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE / "README.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# page -> (what it is, p95 target in ms)
PAGES = {
    "inbox": ("unit inbox (handler)", 10),
    "pool": ("pool, category + search word (dispatcher)", 20),
    "order": ("order page (handler)", 15),
    "dashboard": ("dashboard (leader)", 50),
    "ranking": ("monthly ranking, /assessment/ (leader)", 50),
    "floor": ("floor: bare Flask, 50-row inbox table", None),
}
RPS_TARGET = {"sqlite": 600, "postgresql": 500}  # pages/s at 50 clients


def latest(kind: str) -> Path | None:
    files = sorted(RESULTS.glob(f"*-{kind}.json"), key=lambda p: p.stat().st_mtime)
    return files[-1] if files else None


def _met(value, target, higher_is_better=False) -> str:
    if target is None or value is None:
        return ""
    return " ✓" if (value >= target if higher_is_better else value <= target) else ""


def _about(kind: str, r: dict) -> str:
    m, d, c, s = r["machine"], r["data"], r["commit"], r["settings"]
    return (f"- **{DATABASES[kind]}**: {r['date']}, commit `{c['commit']}`{' (with local changes)' if c['dirty'] else ''}; "
            f"{m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM; {d['orders']:,} orders, "
            f"{d['order_events']:,} order events, {d['units']} units, {d['users']} users "
            f"({d['first_received']} to {d['last_received']}); {s['workers']} gunicorn workers"
            f"{' (gunicorn.conf.py)' if s['gunicorn_conf'] else ''}; {s['runs']} requests per page, "
            f"wrk {s['duration']} s per run; as {_chosen(r.get('chosen', {}))}")


def _chosen(c: dict) -> str:
    return (f"handler `{c.get('handler')}`, dispatcher `{c.get('dispatcher')}`, leader `{c.get('leader')}`; "
            f"order {c.get('order_id')}, pool search “{c.get('pool_word')}” in category {c.get('pool_category_id')}, "
            f"ranking {c.get('ranking_period')}")


def _page_rows(results: dict) -> list[str]:
    kinds = list(results)
    head = "| page | target p95 | " + " | ".join(
        f"{DATABASES[k]} p50 / p95 / p99 ms | SQL ms | page/SQL" for k in kinds) + " |"
    rows = [head, "|" + " --- |" * (2 + 3 * len(kinds))]
    for page, (label, target) in PAGES.items():
        cells = [label, f"≤ {target} ms" if target else "—"]
        for k in kinds:
            lat, sql = results[k]["latency"][page], results[k]["sql"][page]
            short = lat.get("runs", 0) < results[k]["settings"]["runs"]  # stopped by the page budget
            cells += [f"{lat['p50_ms']:.1f} / {lat['p95_ms']:.1f}{_met(lat['p95_ms'], target)} / {lat['p99_ms']:.1f}"
                      + (f" ({lat['runs']} runs)" if short else ""),
                      f"{sql['sql_p50_ms']:.2f} ({sql['statements']})",
                      f"{lat['p50_ms'] / max(sql['sql_p50_ms'], 1e-6):.1f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _wrk_rows(results: dict) -> list[str]:
    kinds = [k for k in results if results[k].get("throughput")]
    if not kinds:
        return ["(no throughput figures: run without --skip-wrk, with wrk installed)"]
    head = "| wrk run | target | " + " | ".join(f"{DATABASES[k]} req/s | non-2xx | p50 / p99 ms" for k in kinds) + " |"
    rows = [head, "|" + " --- |" * (2 + 3 * len(kinds))]
    keys = list(results[kinds[0]]["throughput"])
    for key in keys:
        page, n = key.split("@")
        target = " / ".join(f"≥ {RPS_TARGET[k]}" for k in kinds) + " req/s" if n == "50" and page != "floor" else "—"
        cells = [f"{page}, {n} clients", target]
        for k in kinds:
            row = results[k]["throughput"].get(key)
            if row is None:
                cells += ["", "", ""]
                continue
            goal = RPS_TARGET[k] if n == "50" and page != "floor" else None
            cells += [f"{row['rps']:.0f}{_met(row['rps'], goal, higher_is_better=True)}",
                      str(row["non2xx"] + row["socket_errors"]), f"{row['p50_ms']:.0f} / {row['p99_ms']:.0f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _offline_rows(results: dict) -> list[str]:
    kinds = [k for k in results if results[k].get("offline")]
    if not kinds:
        return ["(no job, import or notice figures: run without --skip-jobs)"]
    rows = ["| figure | target | " + " | ".join(DATABASES[k] for k in kinds) + " |",
            "|" + " --- |" * (2 + len(kinds))]
    figures = [
        ("deadline watch, first run", "≤ 2 s", lambda o: o["jobs"]["deadline_watch_s"], "{:.2f} s", 2, False),
        ("deadline watch, next run", "≤ 2 s", lambda o: o["jobs"]["deadline_watch_again_s"], "{:.2f} s", 2, False),
        ("monthly assessment job (月度工作通报)", "—", lambda o: o["jobs"]["monthly_assessment_s"], "{:.2f} s",
         None, False),
        ("import of a city export (CSV)", "≥ 5000 rows/s", lambda o: o["import"]["rows_per_s"], "{:.0f} rows/s",
         5000, True),
        ("supervision notice PDF, median", "≤ 100 ms", lambda o: o["notice"]["median_ms"], "{:.0f} ms", 100, False),
    ]
    for label, target_text, get, fmt, target, higher in figures:
        cells = [label, target_text]
        for k in kinds:
            value = get(results[k]["offline"])
            cells.append("not timed" if value is None else fmt.format(value) + _met(value, target, higher))
        rows.append("| " + " | ".join(cells) + " |")
    imported = {k: results[k]["offline"]["import"]["rows"] for k in kinds}
    rows.append("")
    rows.append("Import: " + ", ".join(f"{DATABASES[k]} {n:,} rows" for k, n in imported.items())
                + (" (on a copy of the database)" if all(results[k]["offline"]["on_copy"] for k in kinds) else ""))
    return rows


def render(results: dict, label: str = "") -> str:
    """The figures section (markdown) for ``results``: database kind -> parsed JSON."""
    lines = [f"**{label}**", ""] if label else []
    lines += [_about(k, r) for k, r in results.items()]
    lines += ["", "Single-user latency (sequential requests) and the database's share (SQL: the page's "
              "SELECT statements run through a plain DB-API connection, p50, statement count in brackets):", ""]
    lines += _page_rows(results)
    lines += ["", "Throughput (wrk -t2, the session cookie of the page's user):", ""]
    lines += _wrk_rows(results)
    lines += ["", "Jobs, import and documents:", ""]
    lines += _offline_rows(results)
    lines += ["", "✓: the target is met."]
    return "\n".join(lines)


def update_readme(section: str, readme: Path = README) -> None:
    text = readme.read_text()
    if START not in text or END not in text:
        sys.exit(f"{readme} has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{section}\n{END}{tail}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="result files (default: the newest of each database)")
    parser.add_argument("--label", default="", help="a note above the figures")
    parser.add_argument("--print", action="store_true", help="print the section instead of writing README.md")
    args = parser.parse_args(argv)
    paths = [Path(f) for f in args.files] or [p for p in (latest(k) for k in DATABASES) if p]
    if not paths:
        sys.exit(f"no results in {RESULTS}: run bench/web_bench.py first")
    results = {}
    for path in paths:
        data = json.loads(path.read_text())
        results[data["database"]] = data
    results = {k: results[k] for k in DATABASES if k in results}
    section = render(results, args.label)
    if args.print:
        print(section)
    else:
        update_readme(section)
        print(f"{README}: figures from {', '.join(str(p) for p in paths)}")


if __name__ == "__main__":
    main()
