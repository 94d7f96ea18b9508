"""``flask --app portal backup OUT_DIR`` and ``restore BACKUP_DIR`` (messages in English)."""
from pathlib import Path

import click
from flask import Flask

from .manifest import BackupError


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(out_dir: Path):
        """Save the database (SQLite online backup, or pg_dump) and the attachments into OUT_DIR, with a
        manifest. Safe while the portal runs. Reusing a folder copies only the attachments it lacks."""
        from .operations import backup

        try:
            manifest = backup(out_dir)
        except BackupError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"backed up {manifest.database} database (revision {manifest.alembic_revision}) into {out_dir}: "
                   f"{manifest.orders} orders, {manifest.events} order events, {sum(manifest.counts.values())} rows "
                   f"in {len(manifest.counts)} tables, {manifest.attachments.get('files', 0)} attachment files "
                   f"({manifest.attachments.get('copied', 0)} copied now)")
        click.echo(f"{manifest.dump} sha256 {manifest.dump_sha256}")

    @app.cli.command("restore")
    @click.argument("backup_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def restore_command(backup_dir: Path):
        """Load a backup made by `backup` into the configured database, which must be empty, and its files
        into the attachment store; then check the row counts and the audit chains. Exit 1 on any problem."""
        from .operations import restore

        try:
            restored = restore(backup_dir)
        except BackupError as exc:
            raise click.ClickException(str(exc))
        manifest = restored.manifest
        click.echo(f"restored the backup of {manifest.created_at} (revision {manifest.alembic_revision}): "
                   f"{manifest.orders} orders, {manifest.events} order events, "
                   f"{restored.copied_files} attachment files copied")
        if restored.problems:
            for problem in restored.problems:
                click.echo(f"PROBLEM {problem}", err=True)
            raise click.ClickException(f"{len(restored.problems)} problem(s) after restoring; the data is loaded, "
                                       "check it before use")
        click.echo("row counts match the manifest; every attachment file present; audit record intact")
        head = _migrations_head()
        if head and head != manifest.alembic_revision:
            click.echo(f"the code's migrations reach {head}: run flask --app portal db upgrade")


def _migrations_head() -> str | None:
    from alembic.script import ScriptDirectory
    from flask import current_app

    return ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()
