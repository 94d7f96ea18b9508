"""``train-dispatch``, ``suggest "TEXT"`` and ``eval-dispatch``: the dispatch model from a shell.

Messages in English (for operators); suggestions and their reasons are printed as the portal shows them.
"""
import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("train-dispatch")
    def train_dispatch_command():
        """Train the dispatch suggestion model on past orders and save it in the instance folder."""
        from .classifier import TrainingError, train

        try:
            info = train()
        except TrainingError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"trained on {info['n_orders']} orders, {len(info['classes'])} units, "
                   f"in {info['seconds']:.1f} s; saved to {info['path']}")
        click.echo("units: " + "、".join(f"{info['unit_names'][c]}({c})" for c in info["classes"]))

    @app.cli.command("suggest")
    @click.argument("text")
    @click.option("--category", default=None, help="诉求分类, by name")
    @click.option("--address", default=None)
    @click.option("-k", "k", default=3, show_default=True, type=click.IntRange(1, 10), help="how many lead units")
    def suggest_command(text, category, address, k):
        """Print the suggested lead and assisting units for an order's content."""
        from ..extensions import db
        from ..orders.models import Category
        from .suggest import suggest

        category_id = None
        if category:
            category_id = db.session.scalar(db.select(Category.id).where(Category.name == category))
            if category_id is None:
                raise click.ClickException(f"no category named {category!r}")
        result = suggest(text, category_id=category_id, address=address, k=k)
        if result["model"] is None:
            click.echo("(no trained model: suggestions from the responsibility list only; run train-dispatch)")
        if not result["lead"]:
            click.echo("no suggestion")
        for rank, s in enumerate(result["lead"], 1):
            click.echo(f"{rank}. {s['name']}  score {s['score']:.2f}  [{s['source']}]  {s['reason']}")
            for a in s["assist"]:
                click.echo(f"     协办 {a['name']}  {a['reason']}")

    @app.cli.command("eval-dispatch")
    @click.option("--holdout", default=0.2, show_default=True, type=click.FloatRange(0.05, 0.5),
                  help="the latest share of history kept out of training")
    def eval_dispatch_command(holdout):
        """Top-1 and top-3 accuracy on the latest orders, learnt from the older ones only."""
        from .classifier import TrainingError, evaluate

        try:
            r = evaluate(holdout)
        except TrainingError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"history: {r['n_train'] + r['n_test']} settled orders handled by {r['n_units']} units "
                   f"(training units)")
        click.echo(f"trained on the oldest {r['n_train']} (from {r['train_from']:%Y-%m-%d}), "
                   f"tested on the latest {r['n_test']} ({r['test_from']:%Y-%m-%d} to {r['test_to']:%Y-%m-%d}); "
                   f"training took {r['train_seconds']:.1f} s")
        click.echo(f"classifier:               top-1 {r['top1']:6.1%}   top-3 {r['top3']:6.1%}")
        click.echo(f"most common unit(s) only: top-1 {r['baseline_top1']:6.1%}   top-3 {r['baseline_top3']:6.1%}")
