"""``flask --app portal gen-data``: fill an empty database with a generated district (English output)."""
from datetime import date, datetime, time

import click
from flask import Flask

from ..clock import now


def register(app: Flask) -> None:
    @app.cli.command("gen-data")
    @click.option("--orders", "order_count", default=100_000, show_default=True, help="how many orders")
    @click.option("--years", default=2.0, show_default=True, help="over how many years, ending at --end-date")
    @click.option("--seed", default=1, show_default=True, help="random seed: the same seed gives the same data")
    @click.option("--end-date", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="the last day of the data (default today; orders up to now)")
    @click.option("--workers", default=None, type=int,
                  help="processes that make orders while this one loads them (default: 1 if there are "
                       "2 or more CPUs, else 0)")
    def gen_data_command(order_count, years, seed, end_date, workers):
        """Fill an EMPTY database with a realistic district: units, users, orders with their events,
        visits, supervisions and consultations. Prints the one password of all generated users."""
        import os

        from . import generate

        as_of = _as_of(end_date.date() if end_date else None)
        if workers is None:
            workers = 1 if (os.cpu_count() or 1) >= 2 else 0
        click.echo(f"gen-data: {order_count:,} orders over {years:g} years up to {as_of:%Y-%m-%d %H:%M}, "
                   f"seed {seed}, {workers} worker process(es)")

        def progress(orders, rows, seconds):
            click.echo(f"  {orders:>10,} orders  {rows:>11,} rows  {seconds:7.1f} s  "
                       f"{rows / max(seconds, 1e-9):>9,.0f} rows/s  {orders / max(seconds, 1e-9):>8,.0f} orders/s")

        try:
            result = generate(order_count, years, as_of, seed=seed, workers=workers, progress=progress)
        except ValueError as exc:
            raise click.ClickException(str(exc))
        total = sum(result.rows.values())
        click.echo("rows written: " + ", ".join(f"{name} {count:,}" for name, count in result.rows.items()))
        click.echo(f"supervisions {result.supervisions}, consultations {result.consultations}")
        click.echo(f"done in {result.seconds:.1f} s ({total / result.seconds:,.0f} rows/s); writing took "
                   f"{result.load_seconds:.1f} s ({total / max(result.load_seconds, 1e-9):,.0f} rows/s)")
        click.echo("Generated users: admin, dispatcher1.., supervisor1.., leader1.., deputy1.., and "
                   "<unit code>_lead/_a/_b (e.g. cgj_a, nanhu_lead). All share this password:")
        click.echo(f"  {result.password}")


def _as_of(end: date | None) -> datetime:
    """Now, or the end of the given day if it is in the past."""
    current = now()
    if end is None or end >= current.date():
        return current
    return datetime.combine(end, time(23, 59))
