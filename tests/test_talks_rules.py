"""Each kind of talk rule on a fixed data set with known answers (the selection is pure: figures in,
units out), then a confirmed run end to end: notices numbered per year, stored, downloaded by the right
people only, and the talk recorded."""
import io
import shutil
import subprocess
from datetime import datetime

import pytest
from pypdf import PdfReader

from portal.assessment.periods import parse
from portal.assessment.rates import Assessment, Config, DEFAULT_PARAMS, DEFAULT_WEIGHTS, Row
from portal.extensions import db
from portal.talks.models import TalkCase, TalkRule
from portal.talks.operations import TalkRefused, confirm_run, record_talk, save_rule
from portal.talks.rules import select_units

ALL = ["department", "street", "soe", "committee"]


def rule(selection, measure="composite", n=None, threshold=None, kinds=ALL, min_visits=1, kind="month"):
    return TalkRule(name="测试规则", period_kind=kind, measure=measure, selection=selection, n=n, threshold=threshold,
                    holder="分管副区长", unit_kinds=kinds, min_visits=min_visits, active=True)


def row(name, kind, composite, visited=10, repeat=None):
    return Row(name, name, kind, {"visited": visited}, {"repeat": repeat}, composite)


@pytest.fixture
def figures():
    """Seven units: composite (综合满意率) and repeat rate as given; the district's composite is 94%."""
    rows = [
        row("甲局", "department", 0.98, repeat=0.02),
        row("乙局", "department", 0.96, repeat=0.12),
        row("丙局", "department", 0.93, repeat=0.05),
        row("丁局", "department", 0.93, repeat=0.20),
        row("戊局", "department", 0.85, repeat=0.08),
        row("己局", "department", None),  # nothing visited: never ranked
        row("庚街道", "street", 0.97, repeat=0.15),
        row("辛社区", "community", 0.50),  # communities are not among the rule's kinds
        row("壬公司", "soe", 0.60, visited=2),  # too few visits when min_visits = 3
    ]
    total = Row("district", "全区", None, {}, {"repeat": 0.10}, 0.94)
    config = Config(dict(DEFAULT_PARAMS), dict(DEFAULT_WEIGHTS))
    return Assessment(parse("2026-10"), datetime(2026, 11, 1), "unit", config, rows, total)


def names(caught):
    return [c.row.name for c in caught]


def test_bottom_n_takes_the_worst_and_keeps_ties(figures):
    # monthly bottom 3 (seed 000), min 3 visits: 壬公司 (2 visits) is left out
    # worst first: 戊 85 (1st), 丙 93 and 丁 93 (tied 2nd), 乙 96 (4th) ...
    caught = select_units(rule("bottom_n", n=3, min_visits=3), figures)
    assert names(caught) == ["戊局", "丙局", "丁局"]
    assert [c.position for c in caught] == [1, 2, 2] and caught[0].ranked == 6
    # weekly bottom 2 (seed 002): the tie at the 2nd place brings in both
    assert names(select_units(rule("bottom_n", n=2, min_visits=3), figures)) == ["戊局", "丙局", "丁局"]
    assert "倒数第1位" in caught[0].reason
    # with every visit counted, 壬公司 (60%) is the worst
    assert names(select_units(rule("bottom_n", n=1), figures)) == ["壬公司"]


def test_under_a_threshold(figures):
    # quarterly every unit under 95% (seed 000): 戊 85, 丙 93, 丁 93, and 壬 60 (min_visits 1)
    assert names(select_units(rule("below_threshold", threshold=95, kind="quarter"), figures)) == [
        "壬公司", "戊局", "丙局", "丁局"]
    # a month under 90% -> the deputy head (seed 002): only 戊 (85) of the departments
    assert names(select_units(rule("below_threshold", threshold=90, kinds=["department"]), figures)) == ["戊局"]
    # exactly at the threshold is not under it
    assert names(select_units(rule("below_threshold", threshold=93, kinds=["department"]), figures)) == ["戊局"]


def test_under_the_district_average(figures):
    # district 94%: 丙 93, 丁 93, 戊 85 (and 壬 60); 乙 96, 庚 97, 甲 98 are above
    assert names(select_units(rule("below_average", min_visits=3), figures)) == ["戊局", "丙局", "丁局"]


def test_a_rate_where_lower_is_better(figures):
    # repeat rate over 10% is bad: 丁 20%, 庚 15%, 乙 12%, worst first
    assert names(select_units(rule("below_threshold", measure="repeat", threshold=10), figures)) == [
        "丁局", "庚街道", "乙局"]
    # "worse than the district" = above its 10%
    assert names(select_units(rule("below_average", measure="repeat"), figures)) == ["丁局", "庚街道", "乙局"]


def test_rules_are_data_the_admin_edits(district):
    values = {"name": "月度后三位约谈", "period_kind": "month", "measure": "composite", "selection": "bottom_n",
              "n": "3", "holder": "区政府办公室主任", "unit_kinds": ["department", "street"], "min_visits": "5",
              "active": True}
    with pytest.raises(TalkRefused, match="系统管理员"):
        save_rule(district.supervisor, values)
    with pytest.raises(TalkRefused, match="N须为1到50"):
        save_rule(district.admin, values | {"n": "0"})
    with pytest.raises(TalkRefused, match="阈值"):
        save_rule(district.admin, values | {"selection": "below_threshold", "threshold": "120"})
    saved = save_rule(district.admin, values)
    assert saved.describe() == "每月综合满意率排名后3位的单位，由区政府办公室主任约谈"
    changed = save_rule(district.admin, values | {"selection": "below_average", "holder": "区长"}, saved)
    assert changed.id == saved.id and changed.describe() == "每月综合满意率低于全区平均水平的单位，由区长约谈"


@pytest.fixture
def monthly_bottom_one(district):
    return save_rule(district.admin, {"name": "月度末位约谈", "period_kind": "month", "measure": "composite",
                                      "selection": "bottom_n", "n": "1", "holder": "分管副区长",
                                      "unit_kinds": ["department", "street"], "min_visits": "1", "active": True})


def test_confirm_issues_numbered_stored_notices(app, rate_world, monthly_bottom_one, district, tmp_path):
    november = parse("2026-11")
    with pytest.raises(TalkRefused, match="尚未结束"):  # the clock stands at 2026-11-24
        confirm_run(monthly_bottom_one, november, district.supervisor)
    with pytest.raises(TalkRefused, match="督查人员"):
        confirm_run(monthly_bottom_one, november, district.dispatcher)
    app.config["FIXED_NOW"] = datetime(2026, 12, 1, 9, 0)
    run = confirm_run(monthly_bottom_one, november, district.supervisor)
    # CG 59.17% vs ZJ 90% (see test_assessment_rates): CG is the bottom one
    (case,) = run.cases
    assert case.unit_id == district.chengguan.id and round(case.value * 100, 2) == 59.17
    assert case.notice_number == "约谈〔2026〕第0001号"
    assert round(run.district_value, 6) == round(0.225 + 0.225 + 0.1 + 0.05 + 0.1 * 4 / 6, 6)
    with pytest.raises(TalkRefused, match="已确认"):
        confirm_run(monthly_bottom_one, november, district.supervisor)
    stored = case.notice_pdf
    reader = PdfReader(io.BytesIO(stored))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "约谈通知书" in text and "区城管局" in text and "约谈〔2026〕第0001号" in text and "分管副区长" in text
    fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].get_object().values()}
    assert any("CJK" in name or "MicroHei" in name for name in fonts), fonts
    if shutil.which("pdffonts"):
        path = tmp_path / "notice.pdf"
        path.write_bytes(stored)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        cjk = [line for line in listing.splitlines() if "CJK" in line or "MicroHei" in line]
        assert cjk and all(" yes " in line for line in cjk)  # embedded
    # the next rule's notice continues the year's numbers
    other = save_rule(district.admin, {"name": "月度低于平均", "period_kind": "month", "measure": "composite",
                                       "selection": "below_average", "holder": "区长", "unit_kinds": ["department"],
                                       "min_visits": "1", "active": True})
    second = confirm_run(other, november, district.supervisor)
    assert [c.notice_number for c in second.cases] == ["约谈〔2026〕第0002号"]
    # the stored notice never changes, even when the figures would
    db.session.refresh(case)
    assert case.notice_pdf == stored


def test_notice_download_and_talk_record(app, rate_world, monthly_bottom_one, district, make_user, login):
    app.config["FIXED_NOW"] = datetime(2026, 12, 1, 9, 0)
    (case,) = confirm_run(monthly_bottom_one, parse("2026-11"), district.supervisor).cases
    url = f"/talks/case/{case.id}/notice.pdf"
    other_supervisor = make_user("supervisor", district.office)
    allowed = [district.handler, district.unit_leader, district.supervisor, district.leader]
    refused = [district.other_handler, other_supervisor, district.dispatcher, district.admin, district.deputy]
    for user in allowed:
        response = login(user).get(url)
        assert response.status_code == 200 and response.data == case.notice_pdf, user.username
    for user in refused:
        assert login(user).get(url).status_code == 404, user.username
    with pytest.raises(TalkRefused, match="未来"):
        record_talk(case, district.supervisor, datetime(2026, 12, 5, 9, 0), "单位主要负责人", "整改不满意工单，每周报告进展。")
    with pytest.raises(TalkRefused, match="整改事项"):
        record_talk(case, district.supervisor, datetime(2026, 12, 1, 8, 30), "单位主要负责人", "好")
    response = login(district.supervisor).post(f"/talks/case/{case.id}/record", headers={"HX-Request": "true"}, data={
        "held_at": "2026-12-01T08:30", "attendees": "区城管局局长、分管副局长",
        "agreed": "一周内逐件回访不满意工单，月底前提交整改报告。"})
    assert response.status_code == 200 and "一周内逐件回访" in response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.held_at == datetime(2026, 12, 1, 8, 30) and case.recorded_by_id == district.supervisor.id
    with pytest.raises(TalkRefused, match="已登记"):
        record_talk(case, district.supervisor, datetime(2026, 12, 1, 8, 30), "x", "一周内逐件回访不满意工单。")
    # the unit sees its notice in its list; another unit does not
    assert case.notice_number in login(district.unit_leader).get("/talks/notices").get_data(as_text=True)
    assert case.notice_number not in login(district.other_handler).get("/talks/notices").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(TalkCase)) == 1


def test_a_confirmed_list_can_be_recomputed_to_the_same_figures(app, rate_world, monthly_bottom_one, district):
    from portal.assessment.operations import save_config
    from portal.assessment.rates import DEFAULT_PARAMS, DEFAULT_WEIGHTS, compute, config_at

    app.config["FIXED_NOW"] = datetime(2026, 12, 1, 9, 0)
    run = confirm_run(monthly_bottom_one, parse("2026-11"), district.supervisor)
    (case,) = run.cases
    # later the admin changes the formulas; the figures of the run stay recomputable as they were
    app.config["FIXED_NOW"] = datetime(2026, 12, 3, 9, 0)
    save_config(district.admin, DEFAULT_PARAMS | {"basic_weight": 0.5}, DEFAULT_WEIGHTS)
    now_figure = compute(parse(run.period_key), run.as_of).row(case.unit_id).composite
    assert round(now_figure, 6) != round(case.value, 6)  # today's formula gives another number
    again = compute(parse(run.period_key), run.as_of, config=config_at(run.as_of)).row(case.unit_id).composite
    assert again == pytest.approx(case.value) and run.config_id is None  # the defaults were in force
