"""Forms of the log-in pages."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=40)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=128)])


class ChangePasswordForm(FlaskForm):
    """The rules themselves are checked by ``auth.operations.change_password``."""

    old_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。"), Length(max=128)])
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), Length(max=128)])
    repeat_password = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码。"), Length(max=128)])
