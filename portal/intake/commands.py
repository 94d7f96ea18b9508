"""``flask --app portal import-orders FILE``: the batch import from a shell, with a summary in English.

The row problems are printed as the import found them, in Chinese: they quote the file's own data.
Exit status: 0 when every row is in the portal (imported now or before), 1 when any row was rejected or
conflicts with an order on file, 2 when the file was refused or the import stopped half-way.
"""
import sys

import click
from flask import Flask

EXIT_ROWS_LEFT_OUT = 1
EXIT_FAILED = 2


def register(app: Flask) -> None:
    @app.cli.command("import-orders")
    @click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
    @click.option("--chunk-size", default=None, type=click.IntRange(1, 10_000),
                  help="rows per transaction (default 5000)")
    def import_orders_command(path, chunk_size):
        """Import a city platform export (.xlsx or .csv) into the dispatch pool."""
        from .importer import FileRefused, ImportInterrupted, import_file

        def progress(result):
            if sys.stderr.isatty():
                click.echo(f"  ... {result.rows} rows", err=True)

        with open(path, "rb") as stream:
            try:
                result = import_file(stream, path, chunk_size=chunk_size, progress=progress)
            except FileRefused as exc:
                click.echo(f"File refused, nothing imported: {exc}", err=True)
                sys.exit(EXIT_FAILED)
            except ImportInterrupted as exc:
                echo_summary(exc.result)
                cause = exc.reason or f"{type(exc.__cause__).__name__}: {exc.__cause__}"
                click.echo(f"\nImport stopped at the chunk starting at row {exc.row}: {cause}", err=True)
                click.echo("The rows before it are saved and nothing of that chunk is; "
                           "run the same command again to finish.", err=True)
                sys.exit(EXIT_FAILED)
        echo_summary(result)
        if not result.clean:
            sys.exit(EXIT_ROWS_LEFT_OUT)


def echo_summary(result) -> None:
    click.echo(f"{result.filename}: {result.rows} data rows")
    click.echo(f"  imported:         {len(result.created)}")
    click.echo(f"  already present:  {len(result.present)}")
    click.echo(f"  conflicts:        {len(result.conflicts)}")
    click.echo(f"  rejected:         {result.rejected}")
    if result.nothing_new:
        click.echo("Nothing new: every row of this file had been imported before.")
    if result.conflicts:
        click.echo("\nConflicts (the number is on file with other content; not overwritten):")
        for c in result.conflicts:
            columns = ", ".join(c.columns) or "content"
            click.echo(f"  row {c.row}  {c.city_no}  differs in: {columns}  (order id {c.order_id})")
    if result.problems:
        click.echo("\nRejected rows:")
        for p in result.problems:
            click.echo(f"  row {p.row}  column {p.column}: {p.reason}")
