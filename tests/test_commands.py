"""Operators' commands: create-user."""
from portal.auth.models import User
from portal.extensions import db


def test_create_user_for_a_unit(runner, district, client):
    result = runner.invoke(args=["create-user", "--username", "zj_lead", "--name", "王建华", "--role",
                                 "unit_leader", "--unit", "区住建局", "--password", "Zhujian#2026"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.username == "zj_lead"))
    assert user.unit.name == "区住建局" and user.password_hash != "Zhujian#2026"
    assert client.post("/login", data={"username": "zj_lead", "password": "Zhujian#2026"}).status_code == 302


def test_create_user_refuses_bad_input_in_english(runner, district):
    cases = [
        (["--username", "x1", "--role", "boss", "--password", "longenough1"], "unknown role"),
        (["--username", "x2", "--role", "handler", "--password", "longenough1"], "must belong to a unit"),
        (["--username", "x3", "--role", "handler", "--unit", "不存在的单位", "--password", "longenough1"], "no unit named"),
        (["--username", "x4", "--role", "admin", "--password", "short"], "at least 10"),
        (["--username", "cg_a", "--role", "admin", "--password", "longenough1"], "already exists"),
    ]
    before = db.session.scalar(db.select(db.func.count(User.id)))
    for args, message in cases:
        result = runner.invoke(args=["create-user", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert db.session.scalar(db.select(db.func.count(User.id))) == before
