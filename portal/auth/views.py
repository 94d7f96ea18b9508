"""Log-in, log-out and changing one's own password."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from urllib.parse import urlsplit

from ..errors import InvalidInput
from .forms import ChangePasswordForm, LoginForm
from .operations import LoginRefused, authenticate, change_password as change_own_password

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = retry_after = None
    if form.validate_on_submit():
        try:
            user = authenticate(
                form.username.data, form.password.data, request.remote_addr or "-",
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                window=current_app.config["LOGIN_FAILURE_WINDOW"],
                address_max_failures=current_app.config.get("LOGIN_ADDRESS_MAX_FAILURES"),
            )
        except LoginRefused as exc:
            error, retry_after = str(exc), exc.retry_after
        else:
            login_user(user)
            if user.must_change_password:
                flash("管理员已重置您的密码，请先设置新密码。", "warning")
                return redirect(url_for("auth.change_password"))
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
                target = url_for("main.home")
            return redirect(target)
    if retry_after:  # throttled: 429 with the wait
        return render_template("auth/login.html", form=form, error=error), 429, {"Retry-After": str(retry_after)}
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """修改密码: the current password and the new one twice; other sessions of the user end."""
    form = ChangePasswordForm()
    errors = []
    if form.validate_on_submit():
        try:
            user = change_own_password(current_user._get_current_object(), form.old_password.data,
                                       form.new_password.data, form.repeat_password.data)
        except InvalidInput as exc:
            errors = exc.messages
        else:
            login_user(user)  # this session carries the new session version; the others end
            flash("密码已修改。其他设备上的登录已失效。", "success")
            return redirect(url_for("main.home"))
    else:
        errors = [e for field in form for e in field.errors]
    status = 422 if errors else 200
    return render_template("auth/password.html", form=form, errors=errors), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))
