"""Password rules (one function for every way a password is set), the 修改密码 page, and the admin's
reset that forces the user to choose a new password before anything else."""
import re

import pytest
from flask import g

from portal.auth.models import User
from portal.auth.operations import create_user
from portal.extensions import db
from portal.security import passwords
from tests.fixtures.people import PASSWORD

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def request_globals_per_request(app):
    """One ``g`` per request, as in production (the test's open app context would share one)."""
    def forget():
        for name in list(g):
            g.pop(name)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


@pytest.mark.parametrize("password, username, codes", [
    ("Hotline#2026", "wang", []),
    ("hotline-2026-x", "wang", []),                 # lower, digit, symbol: three kinds
    ("HOTLINE2026ab", "wang", []),                  # upper, digit, lower
    ("Ho#2026", "wang", ["length"]),                # 7 characters
    ("Hot#20260", "wang", ["length"]),              # 9: one short
    ("hotlinehotline", "wang", ["kinds"]),          # one kind
    ("hotline20262026", "wang", ["kinds"]),         # two kinds
    ("Wang#2026abc", "wang", ["username"]),         # the username, in any case
    ("P@ssw0rd123", "li", ["common"]),              # a well-known weak one
    ("password", "li", ["length", "kinds", "common"]),
    ("", "li", ["length", "kinds"]),
    ("A1#" + "x" * 130, "li", ["too_long"]),
])
def test_password_rules(password, username, codes):
    assert passwords.problems(password, username) == codes


def test_messages_are_chinese_for_users_and_english_for_operators():
    with pytest.raises(passwords.PasswordRejected) as caught:
        passwords.check("short", "li")
    assert caught.value.messages == ["密码至少10位。", "密码须包含大写字母、小写字母、数字、符号中的至少三种。"]
    assert "at least 10 characters" in str(caught.value) and "at least 3 of" in str(caught.value)


def test_generated_passwords_pass_the_rules():
    made = {passwords.generate() for _ in range(300)}
    assert len(made) == 300 and all(not passwords.problems(p) and len(p) == 12 for p in made)


def test_create_user_and_the_command_apply_the_rules(district, runner):
    with pytest.raises(ValueError, match="commonly used"):
        create_user("zj_b", "", "handler", "Admin@123", unit=district.zhujian)
    with pytest.raises(ValueError, match="must not contain the username"):
        create_user("zj_b", "", "handler", "zj_b-Hotline-1", unit=district.zhujian)
    result = runner.invoke(args=["create-user", "--username", "x5", "--role", "admin", "--password", "longenough1"])
    assert result.exit_code != 0 and "at least 3 of" in result.output
    assert db.session.scalar(db.select(User).where(User.username.in_(["zj_b", "x5"]))) is None
    result = runner.invoke(args=["create-user", "--username", "x5", "--role", "admin", "--password", "Long-enough-1"])
    assert result.exit_code == 0, result.output


def test_change_page_refuses_bad_input_in_chinese_and_changes_nothing(district, login):
    client = login(district.dispatcher)
    page = client.get("/password")
    assert page.status_code == 200 and "修改密码" in page.get_data(as_text=True)
    cases = [
        ({"old_password": "wrong-password-1", "new_password": "Hotline#2026x", "repeat_password": "Hotline#2026x"},
         "当前密码不正确。"),
        ({"old_password": PASSWORD, "new_password": "Hotline#2026x", "repeat_password": "Hotline#2026y"},
         "两次输入的新密码不一致。"),
        ({"old_password": PASSWORD, "new_password": PASSWORD, "repeat_password": PASSWORD}, "不能与当前密码相同"),
        ({"old_password": PASSWORD, "new_password": "abc", "repeat_password": "abc"}, "密码至少10位。"),
        ({"old_password": PASSWORD, "new_password": "Dispatcher#1", "repeat_password": "Dispatcher#1"},
         "密码不能包含用户名。"),
        ({"old_password": PASSWORD, "new_password": "", "repeat_password": ""}, "请输入新密码。"),
    ]
    before = district.dispatcher.password_hash
    for data, message in cases:
        response = client.post("/password", data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and message in body, (data, body[:200])
        assert "Traceback" not in body
    db.session.expire_all()
    assert db.session.get(User, district.dispatcher.id).password_hash == before
    assert client.get("/orders/pool").status_code == 200  # still logged in


def test_change_password(district, login, client):
    login(district.handler)
    new = "Chengguan#2027"
    response = client.post("/password", data={"old_password": PASSWORD, "new_password": new, "repeat_password": new},
                           follow_redirects=True)
    assert response.status_code == 200 and "密码已修改" in response.get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"username": "cg_a", "password": new}).status_code == 302


def test_admin_reset_forces_a_new_password_first(app, district, login):
    user_client = app.test_client()
    assert user_client.post("/login", data={"username": "cg_a", "password": PASSWORD}).status_code == 302

    admin = login(district.admin)
    response = admin.post(f"/units/users/{district.handler.id}/reset")
    body = response.get_data(as_text=True)
    temporary = re.search(r"临时密码：(\S+?)（", body).group(1)
    assert not passwords.problems(temporary, "cg_a")

    assert user_client.get("/orders/inbox").status_code == 302  # the reset ended the user's session
    response = user_client.post("/login", data={"username": "cg_a", "password": temporary})
    assert response.status_code == 302 and response.headers["Location"] == "/password"

    # nothing else is reachable until the password is changed, htmx requests included
    for url in ("/", "/orders/inbox", "/notifications/", "/orders/"):
        blocked = user_client.get(url)
        assert blocked.status_code == 302 and blocked.headers["Location"] == "/password", url
    blocked = user_client.get("/orders/inbox", headers=HX)
    assert blocked.status_code == 204 and blocked.headers["HX-Redirect"] == "/password"
    order_post = user_client.post("/orders/1/act/sign_for", headers=HX)
    assert order_post.status_code == 204 and order_post.headers["HX-Redirect"] == "/password"
    bell = user_client.get("/notifications/badge", headers={**HX, "X-Background-Request": "1"})
    assert bell.status_code == 204 and "HX-Redirect" not in bell.headers  # no loop from the page's own bell
    page = user_client.get("/password").get_data(as_text=True)
    assert "您的密码已由管理员重置" in page

    new = "Chengguan#2027"
    response = user_client.post("/password", data={"old_password": temporary, "new_password": new,
                                                   "repeat_password": new})
    assert response.status_code == 302
    assert user_client.get("/orders/inbox").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, district.handler.id).must_change_password is False


def test_new_users_made_by_the_admin_change_the_initial_password(district, login, app):
    admin = login(district.admin)
    body = admin.post("/units/add-user", data={"username": "sj_a", "name": "赵敏", "role": "handler",
                                               "unit_id": district.zhujian.id}).get_data(as_text=True)
    password = re.search(r"初始密码：(\S+?)（", body).group(1)
    response = app.test_client().post("/login", data={"username": "sj_a", "password": password})
    assert response.status_code == 302 and response.headers["Location"] == "/password"
