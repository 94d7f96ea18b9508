"""Operators' commands: ``flask --app portal create-user`` and ``seed-demo``. Messages in English."""
import click
from flask import Flask

from .extensions import db


def register(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--name", default="")
    @click.option("--role", required=True, help="dispatcher, supervisor, handler, unit_leader, leader, deputy, admin")
    @click.option("--unit", "unit_name", default=None, help="the unit's name, for handlers and unit leaders")
    @click.option("--phone", default=None)
    @click.password_option(help="prompted for when not given")
    def create_user_command(username, name, role, unit_name, phone, password):
        """Add a user who can log in."""
        from .auth.operations import create_user
        from .units.models import Unit

        unit = None
        if unit_name:
            unit = db.session.scalar(db.select(Unit).where(Unit.name == unit_name))
            if unit is None:
                raise click.ClickException(f"no unit named {unit_name!r}")
        try:
            user = create_user(username, name, role, password, unit=unit, phone=phone)
        except ValueError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"created user {user.username} ({user.role})")

    @app.cli.command("seed-demo")
    @click.option("--orders", "order_count", default=300, show_default=True, help="how many orders to make")
    @click.option("--seed", default=None, type=int, help="random seed, for a repeatable demo")
    def seed_demo_command(order_count, seed):
        """Fill an empty database with a demo district; prints the demo users' passwords."""
        from .demo import seed_demo

        try:
            accounts = seed_demo(order_count=order_count, seed=seed)
        except ValueError as exc:
            raise click.ClickException(str(exc))
        click.echo("Demo district ready. Log in with (passwords are new on every seed):")
        for username, role, password in accounts:
            click.echo(f"  {username:<20} {role:<12} {password}")
    from .intake.commands import register as register_import; register_import(app)  # noqa: E702  import-orders
    from .api.commands import register as register_api; register_api(app)  # noqa: E702  api tokens
    from .dispatching.commands import register as register_dispatch; register_dispatch(app)  # noqa: E702  train-dispatch, suggest, eval-dispatch
    from .jobs.commands import register as register_jobs; register_jobs(app)  # noqa: E702  jobs run, list, run-once
    from .attachments.commands import register as register_attachments; register_attachments(app)  # noqa: E702  attachments check, adopt
    from .backup.commands import register as register_backup; register_backup(app)  # noqa: E702  backup, restore
