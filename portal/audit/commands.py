"""Operators' commands for the audit record (messages in English)."""
import sys

import click
from flask import Flask

from ..clock import now
from ..extensions import db


def register(app: Flask) -> None:
    @app.cli.command("verify-audit")
    @click.option("--limit", default=50, show_default=True, help="how many problems to print at most")
    def verify_audit_command(limit):
        """Walk every event chain and the latest checkpoints; exit 1 naming each event changed, removed or
        reordered by hand in the database."""
        from .verify import verify

        walked, problems = verify()
        for counts in walked:
            click.echo(f"{counts.table:<24} {counts.chains:>9} chains {counts.events:>10} events")
        if not problems:
            click.echo("audit record intact")
            return
        for problem in problems[:limit]:
            click.echo(f"TAMPERED {problem}", err=True)
        if len(problems) > limit:
            click.echo(f"... and {len(problems) - limit} more", err=True)
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)

    @app.cli.command("audit-checkpoint")
    def audit_checkpoint_command():
        """Record a checkpoint of every event table now (the scheduler does this nightly)."""
        from .verify import write_checkpoints

        written = write_checkpoints(now())
        db.session.commit()
        for row in written:
            click.echo(f"{row.table_name:<24} {row.events:>10} events up to id {row.upto_id}  {row.digest[:16]}")
