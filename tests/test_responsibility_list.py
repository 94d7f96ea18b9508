"""The responsibility list (首接负责主协办清单): the admin keeps it on a page and imports it from Excel;
dispatchers read it; its keywords match orders."""
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from portal.clock import now
from portal.dispatching.matching import match, split_keywords
from portal.dispatching.models import ResponsibilityItem
from portal.extensions import db
from portal.orders.models import Category

HX = {"HX-Request": "true"}
LIST = "/dispatching/list"


def items() -> dict[str, ResponsibilityItem]:
    db.session.expire_all()
    return {i.matter: i for i in db.session.scalars(db.select(ResponsibilityItem))}


@pytest.fixture
def entry(district, category):
    item = ResponsibilityItem(matter="占道经营", keywords="占道、流动摊贩", category_id=category.id,
                              lead_unit_id=district.street.id, assist_unit_ids=[district.chengguan.id],
                              note="2026年第3次联席研判会议纪要", updated_at=now())
    db.session.add(item)
    db.session.commit()
    return item


def test_admin_adds_edits_and_switches_off_an_entry(district, category, login):
    d = district
    client = login(d.admin)
    page = client.get(LIST).get_data(as_text=True)
    assert "首接负责主协办清单" in page and "清单还是空的" in page and "从Excel导入" in page
    response = client.post(LIST, data={"matter": "楼道照明", "keywords": "楼道灯、声控灯", "category_id": category.id,
                                       "lead_unit_id": d.zhujian.id, "assist_unit_ids": [d.street.id, d.zhujian.id],
                                       "note": "物业管理条例"})
    assert response.status_code == 302
    item = items()["楼道照明"]
    assert (item.lead_unit_id, item.assist_unit_ids, item.active) == (d.zhujian.id, [d.street.id], True)
    page = client.get(LIST).get_data(as_text=True)
    assert "已添加清单事项“楼道照明”" in page and "声控灯" in page and "区住建局" in page
    # edit in place
    form = client.get(f"{LIST}/{item.id}/row?edit=1", headers=HX).get_data(as_text=True)
    assert 'value="楼道照明"' in form and "保存" in form
    saved = client.post(f"{LIST}/{item.id}", headers=HX, data={
        "matter": "楼道照明", "keywords": "楼道灯 声控灯 楼梯灯", "lead_unit_id": d.street.id})
    assert saved.status_code == 200 and "楼梯灯" in saved.get_data(as_text=True)
    item = items()["楼道照明"]
    assert (item.keywords, item.lead_unit_id, item.assist_unit_ids, item.category_id) == (
        "楼道灯、声控灯、楼梯灯", d.street.id, [], None)
    # switch off: kept, no longer listed as in force, no longer matching
    off = client.post(f"{LIST}/{item.id}/active", headers=HX, data={"active": "0"})
    assert off.status_code == 200 and "已停用" in off.get_data(as_text=True)
    assert items()["楼道照明"].active is False
    assert match("楼道灯坏了") == []
    assert "楼道照明" not in client.get(LIST).get_data(as_text=True)
    assert "楼道照明" in client.get(f"{LIST}?show=inactive").get_data(as_text=True)
    client.post(f"{LIST}/{item.id}/active", data={"active": "1"})
    assert items()["楼道照明"].active is True


def test_bad_entries_are_refused_with_reasons(district, entry, login):
    client = login(district.admin)
    response = client.post(LIST, data={"matter": "", "keywords": "树", "lead_unit_id": district.office.id})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("请填写事项名称", "关键词“树”过短", "请选择有效的主办单位"):
        assert message in body
    duplicate = client.post(LIST, data={"matter": "占道经营", "keywords": "占道", "lead_unit_id": district.street.id})
    assert duplicate.status_code == 422 and "已有事项“占道经营”" in duplicate.get_data(as_text=True)
    bad_edit = client.post(f"{LIST}/{entry.id}", headers=HX, data={"matter": "占道经营", "keywords": "",
                                                                    "lead_unit_id": district.street.id})
    assert bad_edit.status_code == 422 and "请填写至少一个关键词" in bad_edit.get_data(as_text=True)
    assert items()["占道经营"].keywords == "占道、流动摊贩"


def test_dispatchers_read_the_list_and_cannot_change_it(district, entry, login):
    client = login(district.dispatcher)
    page = client.get(LIST).get_data(as_text=True)
    assert "占道经营" in page and "流动摊贩" in page and "城关街道" in page and "区城管局" in page
    assert "添加事项" not in page and ">修改</button>" not in page and "从Excel导入" not in page
    assert client.get(f"{LIST}/{entry.id}/row?edit=1", headers=HX).get_data(as_text=True).count("<form") == 0
    for url, data in ((LIST, {"matter": "x", "keywords": "xx", "lead_unit_id": district.street.id}),
                      (f"{LIST}/{entry.id}", {"matter": "x", "keywords": "xx", "lead_unit_id": district.street.id}),
                      (f"{LIST}/{entry.id}/active", {"active": "0"}), (f"{LIST}/import", {})):
        assert client.post(url, data=data).status_code == 403
    assert items()["占道经营"].active is True and items()["占道经营"].matter == "占道经营"
    # the search narrows the list (for htmx, just the table)
    table = client.get(f"{LIST}?q=区城管", headers=HX).get_data(as_text=True)
    assert table.lstrip().startswith('<div id="item-table">') and "没有包含" in table
    assert "占道经营" in client.get(f"{LIST}?q=城关街道", headers=HX).get_data(as_text=True)


def test_handlers_cannot_see_the_list(district, entry, login):
    for person in (district.handler, district.unit_leader, district.deputy):
        client = login(person)
        assert client.get(LIST).status_code == 403
        assert client.get(f"{LIST}/export").status_code == 403
        assert client.get(f"{LIST}/{entry.id}/row", headers=HX).status_code == 403


def xlsx(rows, header=("事项", "关键词", "诉求分类", "主办单位", "协办单位（多个用、分隔）", "依据")) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def upload(client, data, name="清单.xlsx"):
    return client.post(f"{LIST}/import", data={"file": (data, name)}, content_type="multipart/form-data")


def test_excel_import_takes_good_rows_and_reports_bad_ones(district, category, entry, login):
    d = district
    rows = [
        ("楼道照明", "楼道灯、声控灯", "", "区住建局", "城关街道", "物业管理条例"),           # 2: good
        ("占道经营", "占道、流动摊贩、马路市场", "城管", "城关街道", "区城管局", "联席研判"),   # 3: updates the entry
        ("夜间施工", "夜间施工 打桩", "城管", "区城官局", "", ""),                        # 4: unknown lead unit
        ("", "噪音", "城管", "区城管局", "", ""),                                         # 5: no matter
        ("油烟扰民", "", "环保", "区城管局", "区卫生局", ""),                              # 6: no keywords, bad category and unit
        (None, None, None, None, None, None),                                          # 7: blank, skipped
        ("楼道照明", "楼梯灯", "", "区住建局", "", ""),                                    # 8: the same matter again
        ("违法建设", "违建、私搭乱建", "城管", "城关街道", "区城管局、区住建局", 2026),        # 9: good, a number as 依据
        ("井盖", "井", "城管", "区热线办", "", ""),                                       # 10: short keyword, office as lead
    ]
    client = login(d.admin)
    response = upload(client, xlsx(rows))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "新增2条，更新1条，未变0条，5行有误未导入" in body
    errors = re.findall(r"<li>(第\d+行：[^<]*)</li>", body)
    assert [e.split("：")[0] for e in errors] == ["第4行", "第5行", "第6行", "第8行", "第10行"]
    assert "主办单位“区城官局”不存在" in errors[0]
    assert "请填写事项名称" in errors[1]
    assert all(m in errors[2] for m in ("请填写至少一个关键词", "诉求分类“环保”不存在", "协办单位“区卫生局”不存在"))
    assert "事项“楼道照明”与第2行重复" in errors[3]
    assert "关键词“井”过短" in errors[4] and "主办单位“区热线办”不是承办单位" in errors[4]
    saved = items()
    assert set(saved) == {"占道经营", "楼道照明", "违法建设"}
    assert saved["占道经营"].keywords == "占道、流动摊贩、马路市场" and saved["占道经营"].note == "联席研判"
    assert saved["楼道照明"].category_id is None and saved["楼道照明"].assist_unit_ids == [d.street.id]
    assert saved["违法建设"].assist_unit_ids == [d.chengguan.id, d.zhujian.id] and saved["违法建设"].note == "2026"
    # the good rows again: nothing changes, and it says so
    again = upload(client, xlsx([rows[0], rows[1], rows[7]]))
    assert again.status_code == 302
    assert "新增0条，更新0条，未变3条" in client.get(LIST).get_data(as_text=True)


def test_excel_import_refuses_a_file_it_cannot_read(district, login):
    client = login(district.admin)
    wrong = upload(client, io.BytesIO("事项,关键词\n占道,占道\n".encode()), name="清单.csv")
    assert wrong.status_code == 422 and "请上传Excel的.xlsx文件" in wrong.get_data(as_text=True)
    no_lead = upload(client, xlsx([("占道经营", "占道")], header=("事项", "关键词")))
    assert no_lead.status_code == 422 and "缺少列：主办单位" in no_lead.get_data(as_text=True)
    empty = upload(client, xlsx([]))
    assert empty.status_code == 422 and "没有数据行" in empty.get_data(as_text=True)
    assert items() == {}


def test_export_can_be_imported_again(district, entry, login):
    client = login(district.dispatcher)
    response = client.get(f"{LIST}/export")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("事项", "关键词", "诉求分类", "主办单位", "协办单位", "依据")
    assert rows[1] == ("占道经营", "占道、流动摊贩", "城管", "城关街道", "区城管局", "2026年第3次联席研判会议纪要")
    admin = login(district.admin)
    assert upload(admin, io.BytesIO(response.data)).status_code == 302
    assert "未变1条" in admin.get(LIST).get_data(as_text=True)


def test_matching_rules(ctx, district):
    d = district
    chengguan_cat = Category(name="城管")
    traffic = Category(name="交通")
    db.session.add_all([chengguan_cat, traffic])
    db.session.commit()
    vending = ResponsibilityItem(matter="占道经营", keywords="占道，流动摊贩; 马路市场", category_id=chengguan_cat.id,
                                 lead_unit_id=d.street.id, assist_unit_ids=[], updated_at=now())
    parking = ResponsibilityItem(matter="占道停车", keywords="占道停车 乱停车", category_id=traffic.id,
                                 lead_unit_id=d.chengguan.id, assist_unit_ids=[], updated_at=now())
    db.session.add_all([vending, parking])
    db.session.commit()
    assert split_keywords(" 占道，流动摊贩; 马路市场、占道 ") == ["占道", "流动摊贩", "马路市场"]
    assert match("") == [] and match("小区噪音扰民") == []
    found = match("路口有人占道停车，还有流动摊贩", category_id=traffic.id)
    assert [m.item.matter for m in found] == ["占道停车", "占道经营"]  # more hits and the same category first
    assert found[0].category is True and found[1].category is False and "诉求分类不同" in found[1].reason
    assert all(0.9 <= m.score <= 1.0 for m in found)
    assert [m.item.matter for m in match("ＷＷＷ 马路市场")] == ["占道经营"]  # full-width text is normalised
