"""The public page of standard replies (no log-in): the published answers to common questions.

Shown: each published reply's title, category, answer, the policy it cites, the unit that wrote it and
the date it was published. Never a staff member's name, a draft, a withdrawn text, or anything of an order.
The blueprint is made by ``public.access.public_blueprint``, the portal's one way to be public (its views
carry no ``login_required``; it links the page from the public navigation and the log-in page).
"""
from flask import abort, current_app, request

from ..form_values import int_or_none, page_number
from ..htmx import render
from ..public.access import public_blueprint
from . import queries

bp = public_blueprint("public_replies", __name__, url_prefix="/public/replies",
                      link=("常见问题答复", "public_replies.index"))


@bp.route("/")
def index():
    q = " ".join((request.args.get("q") or "").split())[:50]
    category_id = int_or_none(request.args.get("category"))
    page = page_number(request.args.get("page"))
    rows, has_next = queries.public_search(q, category_id, page, current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in {"q": q, "category": category_id or ""}.items() if v}
    return render("replies/public_index.html", "replies/_public_list.html", rows=rows, has_next=has_next, q=q,
                  category_id=category_id, page=page, args=args, categories=queries.public_categories())


@bp.route("/<int:reply_id>")
def show(reply_id: int):
    version = queries.public_version(reply_id)
    if version is None:
        abort(404)
    return render("replies/public_show.html", v=version)
