"""The admin keeps the unit tree and the users."""
import re

from portal.auth.models import User
from portal.extensions import db
from portal.units.models import Unit


def test_admin_adds_a_community_under_a_street(district, login):
    client = login(district.admin)
    response = client.post("/units/add-unit", data={"name": "西关社区", "kind": "community",
                                                    "parent_id": district.street.id})
    assert response.status_code == 200 and "已添加单位：西关社区" in response.get_data(as_text=True)
    unit = db.session.scalar(db.select(Unit).where(Unit.name == "西关社区"))
    assert unit.parent_id == district.street.id


def test_bad_unit_is_refused_in_chinese(district, login):
    client = login(district.admin)
    for data, message in [({"name": "", "kind": "department"}, "不能为空"),
                          ({"name": "孤立社区", "kind": "community"}, "须隶属于"),
                          ({"name": "区城管局", "kind": "department"}, "已有名为")]:
        response = client.post("/units/add-unit", data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Unit).where(Unit.name == "孤立社区")) is None


def test_admin_adds_a_user_who_can_log_in(district, login, client):
    admin = login(district.admin)
    response = admin.post("/units/add-user", data={"username": "sj_a", "name": "赵敏", "role": "handler",
                                                   "unit_id": district.zhujian.id})
    body = response.get_data(as_text=True)
    password = re.search(r"初始密码：(\S+?)（", body).group(1)
    admin.post("/logout")
    assert client.post("/login", data={"username": "sj_a", "password": password}).status_code == 302


def test_handler_without_unit_refused(district, login):
    response = login(district.admin).post("/units/add-user", data={"username": "nobody", "name": "x",
                                                                   "role": "handler"})
    assert response.status_code == 422 and "须选择所属单位" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.username == "nobody")) is None


def test_deactivated_user_is_shut_out(district, login, client):
    login(district.admin).post(f"/units/users/{district.handler.id}/deactivate")
    client.post("/logout")
    db.session.refresh(district.handler)
    assert not district.handler.active
    from tests.fixtures.people import PASSWORD

    assert client.post("/login", data={"username": "cg_a", "password": PASSWORD}).status_code == 401


def test_dispatcher_reads_but_cannot_change(district, login):
    client = login(district.dispatcher)
    assert client.get("/units/").status_code == 200
    assert client.post("/units/add-unit", data={"name": "新单位", "kind": "department"}).status_code == 403
    assert client.post(f"/units/users/{district.handler.id}/deactivate").status_code == 403
    assert client.post(f"/units/{district.zhujian.id}/deactivate").status_code == 403
