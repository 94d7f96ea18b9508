"""Wiring done once by ``create_app``: extensions, blueprints, error pages and commands."""
from flask import Flask, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import idle_ping  # noqa: F401  (its pool listeners)
from .extensions import csrf, db, htmx, login_manager, migrate


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"

    from . import models  # noqa: F401  (every table known to the metadata)

    @login_manager.unauthorized_handler
    def unauthorized():
        """To the log-in page; for htmx, a client-side redirect so no log-in form lands inside a panel."""
        from flask import flash, g, redirect, request, url_for

        from .extensions import htmx as hx

        target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if hx:
            response = app.make_response(("", 204))
            response.headers["HX-Redirect"] = target
            return response
        if not g.get("session_expired"):  # an expired session has said so already
            flash("请先登录。", "warning")
        return redirect(target)

    from .query_plans import end_reads_with_commit, plan_marked_views_once
    from .security import init_app as init_security
    from .security.sessions import load_user

    app.before_request(plan_marked_views_once)  # first: the user's own statement is one of the page's
    app.teardown_request(end_reads_with_commit)  # psycopg keeps prepared statements through a COMMIT only

    login_manager.user_loader(load_user)  # "<id>:<session version>"; see portal/security/sessions.py
    init_security(app)  # headers, session expiry, forced password change, the API's rate limit

    from . import template_helpers

    template_helpers.register(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, write-ahead log for concurrent readers, wait on locks."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "connect")
def _postgres_plans(dbapi_connection, connection_record):
    """PostgreSQL: plan each statement for its values. psycopg prepares a statement after five runs, and
    the generic plan of a lookup such as "these 500 phones within 30 days" scans the whole window by
    time; with the values known the planner uses the phone index. Pages marked in portal/query_plans.py
    plan once instead."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()


def register_blueprints(app: Flask) -> None:
    from .api.views import bp as api_bp
    from .auth.views import bp as auth_bp
    from .deadlines.views import bp as deadlines_bp
    from .intake.views import bp as intake_bp
    from .main.views import bp as main_bp
    from .notifications.views import bp as notifications_bp
    from .orders.views import bp as orders_bp
    from .roster.views import bp as roster_bp
    from .units.views import bp as units_bp

    for bp in (main_bp, auth_bp, orders_bp, units_bp, deadlines_bp, roster_bp, notifications_bp, intake_bp,
               api_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # token-authenticated; no cookie opens the API

    from .dispatching.api import bp as dispatching_api_bp
    from .dispatching.views import bp as dispatching_bp

    app.register_blueprint(dispatching_bp)  # the responsibility list, suggestions in the dispatch form
    app.register_blueprint(dispatching_api_bp)  # POST /api/v1/suggestions
    csrf.exempt(dispatching_api_bp)  # token-authenticated, like the API

    from .ledger.views import bp as ledger_bp

    app.register_blueprint(ledger_bp)  # 重点问题工作台帐

    from .supervision.views import bp as supervision_bp

    app.register_blueprint(supervision_bp)  # 督办: records, notices, units' answers

    from .attachments.views import bp as attachments_bp

    app.register_blueprint(attachments_bp)  # 附件: downloads, thumbnails, uploads on the order page

    from .deputies.views import bp as deputies_bp

    app.register_blueprint(deputies_bp)  # 人大代表: monthly lists, deputies' pages and remarks

    from .consultation.views import bp as consultation_bp

    app.register_blueprint(consultation_bp)  # 会商研判: cases, invitations, written opinions, escalation

    from .consultation.meeting_views import bp as consultation_meetings_bp

    app.register_blueprint(consultation_meetings_bp)  # 会商: meeting record, decisions, follow-up, documents

    from .assessment.views import bp as assessment_bp
    from .talks.views import bp as talks_bp

    app.register_blueprint(assessment_bp)  # rates, formulas, exclusions (剔除)
    app.register_blueprint(talks_bp)  # admonishment talks (约谈)

    from .jobs.views import bp as jobs_bp

    app.register_blueprint(jobs_bp)  # the jobs page (the jobs themselves run in `flask jobs run`)

    from .exports.views import bp as exports_bp

    app.register_blueprint(exports_bp)  # 导出记录: who exported what

    from .reports.views import bp as reports_bp, dashboard_bp

    app.register_blueprint(reports_bp)  # stored reports: PDF and xlsx, generate now
    app.register_blueprint(dashboard_bp)  # the leaders' dashboard (领导驾驶舱)

    # Public pages (no log-in): made by portal.public.access.public_blueprint, the one way to be public.
    from .open311.views import bp as open311_bp
    from .public.views import bp as public_bp, office_bp as publishing_bp

    app.register_blueprint(public_bp)  # /public/rankings: published rankings
    app.register_blueprint(open311_bp)  # /open311/v2: GeoReport v2, read-only
    app.register_blueprint(publishing_bp)  # the office publishes rankings and orders

    from .replies.public_views import bp as public_replies_bp
    from .replies.views import bp as replies_bp

    app.register_blueprint(replies_bp)  # 标准通稿: the library, candidates, the offer in answer forms
    app.register_blueprint(public_replies_bp)  # /public/replies: published standard replies (no log-in)


def register_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from .nul_guard import refuse_nul_characters

    app.before_request(refuse_nul_characters)  # PostgreSQL cannot take text with NUL: 400, not 500

    messages = {
        400: "请求有误，请检查后重试。",
        403: "您没有权限访问此页面。",
        404: "页面或工单不存在，或不在您的权限范围内。",
        405: "不支持此操作方式。",
        409: "操作冲突，请刷新后重试。",
        413: "上传内容过大。",
        429: "操作过于频繁，请稍后再试。",
        500: "系统出现错误，已记录。请稍后重试或联系系统管理员。",
    }

    def render_error(code: int, message: str | None = None):
        template = "errors/_error.html" if htmx else "errors/error.html"
        response = app.make_response((render_template(template, code=code, message=message or messages[code]), code))
        if htmx:  # let htmx swap the message in place instead of silently ignoring an error status
            response.headers["HX-Retarget"] = "#flash-area"
            response.headers["HX-Reswap"] = "innerHTML"
        return response

    for code in messages:
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(400, "页面已过期或表单校验失败，请刷新页面后重试。")

    @app.errorhandler(Exception)
    def unexpected(e):
        from werkzeug.exceptions import HTTPException

        if isinstance(e, HTTPException):
            return render_error(e.code if e.code in messages else 400)
        app.logger.exception("unhandled error on %s", request.path)
        db.session.rollback()
        return render_error(500)


def register_commands(app: Flask) -> None:
    from .commands import register

    register(app)

    from .audit.commands import register as register_audit

    register_audit(app)

    from .gendata.commands import register as register_gendata

    register_gendata(app)  # gen-data: a generated district of up to a million orders
