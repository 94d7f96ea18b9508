"""``flask --app portal jobs run | list | run-once NAME [--at TIME]``. Messages in English (operators)."""
import logging
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Scheduled jobs: the scheduler process, the list, one run by hand.")


@jobs_cli.command("run")
@click.option("--holder", default=None, help="this process's name in the lease (default host:pid:random)")
def run_command(holder):
    """Run the scheduler in the foreground (one per deployment is enough; a second one stands by)."""
    from .runner import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    run_forever(current_app._get_current_object(), holder)


@jobs_cli.command("list")
def list_command():
    """Every job: id, schedule, last run, next run."""
    from .queries import overview

    for row in overview():
        job, last = row.job, row.last
        last_text = (f"{last.period} {last.status} {last.duration_label}".strip() if last else "never run")
        click.echo(f"{job.id:<22} {job.schedule:<18} last: {last_text:<36} next: {row.next_at:%Y-%m-%d %H:%M}")
        click.echo(f"{'':<22} {job.name}")


@jobs_cli.command("run-once")
@click.argument("name")
@click.option("--at", "at_text", default=None, help="a time in the period to run, e.g. '2026-11-23 08:00' "
              "(default: now)")
def run_once_command(name, at_text):
    """Run job NAME for the period containing --at, unless that period is done already."""
    from ..clock import now
    from .lease import new_holder_id
    from .operations import done_run, run_period
    from .registry import jobs_for

    jobs = jobs_for(current_app)
    job = jobs.get(name)
    if job is None:
        raise click.ClickException(f"no job {name!r}; jobs: {', '.join(jobs)}")
    try:
        at = datetime.fromisoformat(at_text) if at_text else now()
    except ValueError:
        raise click.ClickException(f"--at: not a time: {at_text!r} (use YYYY-MM-DD HH:MM)")
    start = job.period_start(at)
    run = run_period(job, start, trigger="cli", holder=f"cli:{new_holder_id()}")
    if run is None:
        done = done_run(job.id, job.period_of(start))
        click.echo(f"{job.id} {job.period_of(start)}: already done at {done.finished_at:%Y-%m-%d %H:%M:%S} "
                   f"({done.result}); nothing to do")
        return
    if run.status == "done":
        click.echo(f"{job.id} {run.period}: done in {run.duration_ms} ms: {run.result}")
    elif run.status == "skipped":
        click.echo(f"{job.id} {run.period}: {run.error}")
    else:
        raise click.ClickException(f"{job.id} {run.period}: {run.status}: {run.error}")


def register(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
