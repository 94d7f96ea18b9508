"""Operators' commands for API tokens: ``create-token NAME``, ``revoke-token NAME``, ``list-tokens``.

Messages in English, like the other operators' commands.
"""
import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("create-token")
    @click.argument("name")
    def create_token_command(name):
        """Issue an API token named NAME (the client it is for); prints the token once."""
        from .auth import TokenError, issue

        try:
            token, secret = issue(name)
        except TokenError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"created API token {token.name!r}. It is shown only now and stored only as a hash;")
        click.echo("give it to the client, which sends it as 'Authorization: Bearer <token>':")
        click.echo(secret)

    @app.cli.command("revoke-token")
    @click.argument("name")
    def revoke_token_command(name):
        """Revoke the API token named NAME: it stops working at once."""
        from .auth import TokenError, revoke

        try:
            token = revoke(name)
        except TokenError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"revoked API token {token.name!r}")

    @app.cli.command("list-tokens")
    def list_tokens_command():
        """List the API tokens: name, created, last used, and whether revoked (never the tokens)."""
        from .auth import all_tokens

        tokens = all_tokens()
        if not tokens:
            click.echo("no API tokens; issue one with: flask --app portal create-token NAME")
            return

        def when(value):
            return f"{value:%Y-%m-%d %H:%M}" if value else "-"

        width = max(len("name"), *(len(t.name) for t in tokens))
        click.echo(f"{'name':<{width}}  {'created':<16}  {'last used':<16}  status")
        for t in tokens:
            status = f"revoked {when(t.revoked_at)}" if t.revoked_at else "active"
            click.echo(f"{t.name:<{width}}  {when(t.created_at):<16}  {when(t.last_used_at):<16}  {status}")
