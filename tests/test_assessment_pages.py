"""The assessment page: figures with their formulas, tabs, sorting, a unit's own view, the Excel export and
the admin's formula settings."""
import io

import pytest

from openpyxl import load_workbook

from portal.assessment.models import AssessmentConfig
from portal.extensions import db
from tests.fixtures.assessment import AS_OF

HX = {"HX-Request": "true"}


@pytest.fixture
def world(app, rate_world):
    """The data set of tests/fixtures/assessment.py, looked at on 2026-11-30 18:00 (its ``AS_OF``)."""
    app.config["FIXED_NOW"] = AS_OF
    return rate_world


def test_page_shows_units_rates_and_formulas(world, login):
    page = login(world.d.leader).get("/assessment/?period=2026-11").get_data(as_text=True)
    assert "2026年11月" in page and 'data-row="区城管局"' in page and 'data-row="区住建局"' in page
    assert "59.17%" in page and "90.00%" in page  # the composites worked out in test_assessment_rates
    assert "（满意 + 基本满意 × 1）÷ 期内回访且有满意度答复的工单数" in page  # each formula is shown
    assert 'data-formula="composite"' in page


def test_tabs_and_sorting_return_the_table_fragment_to_htmx(world, login):
    client = login(world.d.supervisor)
    response = client.get("/assessment/?period=2026-11&tab=street", headers=HX)
    body = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"] and "<html" not in body
    # the street had no orders: it is named below the table, not ranked
    assert "本期没有工单：城关街道" in body and 'data-row="区城管局"' not in body
    ascending = client.get("/assessment/?period=2026-11&tab=department&sort=composite&dir=asc", headers=HX)
    text = ascending.get_data(as_text=True)
    assert text.index('data-row="区城管局"') < text.index('data-row="区住建局"')
    by_kind = client.get("/assessment/?period=2026-11&tab=by_kind", headers=HX).get_data(as_text=True)
    assert 'data-row="区直部门"' in by_kind


def test_a_unit_sees_only_its_own_figures(world, login):
    page = login(world.d.other_handler).get("/assessment/?period=2026-11").get_data(as_text=True)
    assert 'data-row="区住建局"' in page and 'data-row="区城管局"' not in page
    assert "/ 2</span>" in page  # its rank (1st) among the 2 units ranked
    assert world.x1.number not in page  # another unit's excluded order
    # the exclusion list is the unit's own too
    assert world.x1.number in login(world.d.handler).get("/assessment/exclusions").get_data(as_text=True)


def test_bad_period_is_explained(district, login):
    page = login(district.leader).get("/assessment/?kind=range&first=2026-11-10&last=2026-11-01")
    assert page.status_code == 200 and "结束日期不能早于开始日期" in page.get_data(as_text=True)
    assert login(district.leader).get("/assessment/?period=2026-99").status_code == 200


def test_excel_export_has_chinese_headers_and_the_figures(world, login):
    response = login(world.d.leader).get("/assessment/export.xlsx?period=2026-11&tab=department&sort=composite")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["排名", "单位", "受理量", "回访量"] and "过程满意率" in header and header[-1] == "综合满意率"
    rows = {r[1]: r for r in sheet.iter_rows(min_row=3, values_only=True) if r and r[1]}
    assert round(rows["区城管局"][-1], 4) == 0.5917 and rows["区住建局"][0] == 1
    assert "全区" in rows and any(r and r[0] == "口径说明" for r in sheet.iter_rows(values_only=True))


def test_admin_edits_the_formulas_on_a_page(district, login):
    client = login(district.admin)
    assert "基本满意折算系数" in client.get("/assessment/config").get_data(as_text=True)
    form = {"param_basic_weight": "0.9", "param_partly_resolution": "0", "weight_satisfaction_process": "1"}
    response = client.post("/assessment/config", data=form)
    assert response.status_code == 200 and "已保存" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(AssessmentConfig)).params["basic_weight"] == 0.9
    assert "基本满意 × 0.9" in login(district.leader).get("/assessment/").get_data(as_text=True)
    bad = login(district.admin).post("/assessment/config", data=form | {"param_basic_weight": "2"})
    assert bad.status_code == 422 and "0到1之间" in bad.get_data(as_text=True)
    assert login(district.supervisor).post("/assessment/config", data=form).status_code == 403
