"""``flask --app portal attachments check`` and ``attachments adopt DIR``: operator commands for the store."""
import hashlib
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from ..extensions import db
from . import storage
from .models import Attachment


def register(app: Flask) -> None:
    group = click.Group("attachments", help="The attachment store (portal/attachments).")

    @group.command("check")
    def check_command():
        """List attachments whose file is missing from the store; exit 1 if any."""
        missing = [(a.id, a.sha256) for a in db.session.scalars(select(Attachment).order_by(Attachment.id))
                   if not storage.path_for(a.sha256).is_file()]
        for attachment_id, sha256 in missing:
            click.echo(f"missing: attachment {attachment_id} ({sha256})")
        click.echo(f"{len(missing)} missing")
        if missing:
            raise SystemExit(1)

    @group.command("adopt")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def adopt_command(folder: Path):
        """Copy into the store every file under FOLDER that an attachment names by its sha256 and the store
        lacks (e.g. the former supervision-files folder after the migration); thumbnails too. Safe to rerun."""
        wanted = {a.sha256: a for a in db.session.scalars(select(Attachment))}
        adopted = 0
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            found = wanted.get(hashlib.sha256(data).hexdigest())
            if found is None:
                continue
            if storage.put(found.sha256, data):
                adopted += 1
            if found.is_image:
                storage.put_thumbnail(found.sha256, data, current_app.config["ATTACHMENT_THUMB_SIZE"])
        click.echo(f"adopted {adopted} files")

    app.cli.add_command(group)
