"""The holiday calendar page: loading a year from a CSV file or the text box, removing it, who may.

The clock is fixed at 2026-11-24, so 2027 is a year admins are warned about until they load it
(the chinese_calendar package stops at 2026).
"""
import io
from datetime import date

import pytest

from portal.deadlines import operations
from portal.deadlines.holiday_csv import parse_file, parse_text
from portal.deadlines.models import CalendarDay, CalendarYear
from portal.deadlines.queries import missing_years, work_calendar
from portal.extensions import db

WARNING_2027 = "2027年的法定节假日安排尚未导入"

# A made-up 2027 schedule in the official shape: a holiday on weekdays and make-up weekend days.
SCHEDULE_2027 = """日期,类型,名称
2027-01-01,休,元旦
2027-10-01,休,国庆节
2027-10-02,休,国庆节
2027-10-03,休,国庆节
2027-10-04,假,国庆节
2027-10-05,休,国庆节
2027-10-06,休,国庆节
2027-10-07,休,国庆节
2027-09-26,班,国庆节调休
2027-10-09,班,国庆节调休
"""


def upload(client, data: bytes, filename="2027年节假日.csv"):
    return client.post("/deadlines/calendar/upload", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def loaded_days(year=2027):
    return db.session.scalars(db.select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)).order_by(CalendarDay.day)).all()


@pytest.fixture
def admin(district, login):
    return login(district.admin)


def test_page_shows_package_years_and_the_missing_year(admin):
    assert missing_years() == [2027]
    page = admin.get("/deadlines/calendar").get_data(as_text=True)
    assert WARNING_2027 in page  # the banner
    assert "2004–2026" in page  # what the package knows
    assert "缺少数据" in page
    assert "尚未导入任何年份" in page


def test_upload_utf8_bom_csv(admin):
    response = upload(admin, SCHEDULE_2027.encode("utf-8-sig"))
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入2027年节假日安排：放假8天，调休上班2天" in page
    assert WARNING_2027 not in page
    assert "10月1日（五）至10月7日（四）" in page and "9月26日（日）、10月9日（六）" in page
    assert missing_years() == []
    cal = work_calendar()
    assert not cal.is_workday(date(2027, 10, 4))  # a Monday off
    assert cal.is_workday(date(2027, 10, 9))  # a Saturday worked
    entry = db.session.get(CalendarYear, 2027)
    assert entry.source == "CSV文件：2027年节假日.csv"


def test_upload_gb18030_csv_with_slash_dates(admin):
    text = SCHEDULE_2027.replace("2027-10-0", "2027/10/").replace("2027-09-26", "2027/9/26")
    response = upload(admin, text.encode("gb18030"))
    assert response.status_code == 302
    page = admin.get("/deadlines/calendar").get_data(as_text=True)
    assert WARNING_2027 not in page
    assert "国庆节调休" in page  # decoded, not mojibake
    days = loaded_days()
    assert len(days) == 10
    assert {d.name for d in days} == {"元旦", "国庆节", "国庆节调休"}
    assert [d.day for d in days if d.workday] == [date(2027, 9, 26), date(2027, 10, 9)]


def test_warning_is_gone_on_every_page_for_admins(admin):
    assert WARNING_2027 in admin.get("/units/").get_data(as_text=True)
    upload(admin, SCHEDULE_2027.encode("utf-8"))
    assert WARNING_2027 not in admin.get("/units/").get_data(as_text=True)


def test_bad_lines_are_reported_with_line_numbers_and_nothing_is_saved(admin):
    bad = """日期,类型,名称
2027-10-01,休,国庆节
2027-13-01,休,国庆节
2027-10-03,放,国庆节
2027-10-04,休,
2027-10-01,休,国庆节
2028-01-01,休,元旦
2027-10-06
2027-10-07,休,国庆节
"""
    response = upload(admin, bad.encode("gb18030"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "导入失败，未保存任何数据" in page
    assert "第3行：日期“2027-13-01”不存在" in page
    assert "第4行：类型“放”无法识别" in page
    assert "第5行：缺少名称" in page
    assert "第6行：日期 2027-10-01 与第2行重复" in page
    assert "第7行：日期 2028-01-01 属于2028年" in page
    assert "第8行：应有3列" in page
    assert "第2行" not in page.split("第6行")[0].split("导入失败")[1]  # good lines are not listed
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarDay)) == 0
    assert db.session.get(CalendarYear, 2027) is None
    assert WARNING_2027 in page


def test_a_bad_file_leaves_an_earlier_load_untouched(admin):
    upload(admin, SCHEDULE_2027.encode("utf-8"))
    response = upload(admin, "日期,类型,名称\n2027-10-01,休,国庆节\n2027-10-02,x,国庆节\n".encode("utf-8"))
    assert response.status_code == 422
    assert len(loaded_days()) == 10


def test_not_a_csv_file(admin):
    response = upload(admin, b"PK\x03\x04 excel workbook bytes", filename="2027.xlsx")
    assert response.status_code == 422
    assert "另存为”CSV格式" in response.get_data(as_text=True)
    assert db.session.get(CalendarYear, 2027) is None


def test_text_box_loads_a_year(admin):
    response = admin.post("/deadlines/calendar/text",
                          data={"text": "2027-10-01,休,国庆节\n2027-10-04，休，国庆节\n\n2027-10-09,班,国庆节调休\n"})
    assert response.status_code == 302
    page = admin.get("/deadlines/calendar").get_data(as_text=True)
    assert WARNING_2027 not in page
    assert "页面录入" in page
    assert [(d.day, d.workday) for d in loaded_days()] == [
        (date(2027, 10, 1), False), (date(2027, 10, 4), False), (date(2027, 10, 9), True)]


def test_text_box_errors_keep_what_was_typed(admin):
    typed = "2027-10-01,休,国庆节\n2027-10-02,休\n"
    response = admin.post("/deadlines/calendar/text", data={"text": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第2行：应有3列" in page
    assert "2027-10-02,休</textarea>" in page or "2027-10-02,休\n</textarea>" in page
    assert db.session.get(CalendarYear, 2027) is None


def test_loading_again_replaces_the_year(admin):
    upload(admin, SCHEDULE_2027.encode("utf-8"))
    response = admin.post("/deadlines/calendar/text", data={"text": "2027-05-03,休,劳动节\n"})
    assert response.status_code == 302
    page = admin.get("/deadlines/calendar").get_data(as_text=True)
    assert "已重新导入2027年节假日安排" in page and "原有数据已替换" in page
    assert [d.day for d in loaded_days()] == [date(2027, 5, 3)]
    assert work_calendar().is_workday(date(2027, 10, 4))  # the old holiday is gone


def test_edit_link_fills_the_text_box_with_the_loaded_year(admin):
    upload(admin, SCHEDULE_2027.encode("utf-8"))
    page = admin.get("/deadlines/calendar?edit=2027").get_data(as_text=True)
    assert "2027-09-26,班,国庆节调休" in page


def test_remove_a_year_after_confirming(admin):
    upload(admin, SCHEDULE_2027.encode("utf-8"))
    confirm = admin.get("/deadlines/calendar/2027/remove", headers={"HX-Request": "true"})
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "<html" not in html
    assert "确定删除2027年的节假日安排吗" in html and "周一至周五" in html
    assert db.session.get(CalendarYear, 2027) is not None  # asking is not removing
    cancelled = admin.get("/deadlines/calendar/2027/card", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="year-2027"' in cancelled and "确定删除" not in cancelled

    response = admin.post("/deadlines/calendar/2027/remove")
    assert response.status_code == 302
    page = admin.get("/deadlines/calendar").get_data(as_text=True)
    assert "已删除2027年的节假日安排" in page
    assert WARNING_2027 in page
    assert loaded_days() == []
    assert missing_years() == [2027]


def test_remove_confirmation_without_htmx(admin):
    upload(admin, SCHEDULE_2027.encode("utf-8"))
    response = admin.get("/deadlines/calendar/2027/remove")
    assert response.status_code == 302
    assert "确定删除2027年" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_removing_a_year_not_loaded(admin):
    response = admin.post("/deadlines/calendar/2030/remove", follow_redirects=True)
    assert "没有导入过" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["dispatcher", "handler", "supervisor", "leader", "deputy", "unit_leader"])
def test_non_admins_are_refused(district, login, role):
    operations.load_year(district.admin, parse_text(SCHEDULE_2027).rows, "test")
    client = login(district.people[role])
    assert client.get("/deadlines/calendar").status_code == 403
    for headers in ({}, {"HX-Request": "true"}):
        assert client.get("/deadlines/calendar/2027/remove", headers=headers).status_code == 403
        assert client.get("/deadlines/calendar/2027/card", headers=headers).status_code == 403
    assert upload(client, SCHEDULE_2027.encode("utf-8")).status_code == 403
    assert client.post("/deadlines/calendar/text", data={"text": "2027-10-01,休,国庆节"}).status_code == 403
    assert client.post("/deadlines/calendar/2027/remove").status_code == 403
    assert len(loaded_days()) == 10  # neither replaced nor removed


def test_operations_refuse_non_admins_and_bad_rows(district):
    rows = parse_text("2027-10-01,休,国庆节").rows
    with pytest.raises(operations.NotAllowed):
        operations.load_year(district.dispatcher, rows, "x")
    two_years = parse_text("2027-10-01,休,国庆节").rows + parse_text("2028-10-01,休,国庆节").rows
    with pytest.raises(operations.InvalidInput):
        operations.load_year(district.admin, two_years, "x")
    assert db.session.get(CalendarYear, 2027) is None


# --- the parser on its own ------------------------------------------------------------------------------

def test_parser_accepts_header_less_tab_separated_and_chinese_dates():
    result = parse_text("2027年10月1日\t休\t国庆节\n2027/9/26\t班\t国庆节调休")
    assert result.ok and result.year == 2027
    assert [(r.day, r.workday) for r in result.rows] == [(date(2027, 9, 26), True), (date(2027, 10, 1), False)]


def test_parser_reads_utf16_and_plain_utf8():
    assert parse_file(SCHEDULE_2027.encode("utf-16")).ok
    assert parse_file(SCHEDULE_2027.encode("utf-8")).ok


def test_parser_reports_an_empty_file():
    result = parse_file("日期,类型,名称\n".encode("utf-8"))
    assert not result.ok and "没有找到任何数据行" in str(result.errors[0])
