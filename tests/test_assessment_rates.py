"""Every rate on the small data set of tests/fixtures/assessment.py, with the arithmetic worked out by hand."""
from datetime import datetime

import pytest

from portal.assessment.operations import AssessmentRefused, save_config
from portal.assessment.periods import parse
from portal.assessment.rates import Config, DEFAULT_PARAMS, DEFAULT_WEIGHTS, compute
from tests.fixtures.assessment import AS_OF

NOVEMBER = "2026-11"


def approx(x):
    return pytest.approx(x, abs=1e-9)


def test_unit_rates_by_hand(rate_world):
    d = rate_world.d
    result = compute(parse(NOVEMBER), AS_OF, by="unit")
    cg = result.row(d.chengguan.id)
    # response: c1, c2, c4 signed on time; c3 signed 11-26, after its 11-25 deadline -> 3 / 4
    assert cg.counts["dispatched"] == 4 and cg.rates["response"] == approx(3 / 4)
    # on-time reply: due 11-27 for c1..c4; c1, c3 on time; c2 replied 11-28 (late); c4 never -> 2 / 4
    assert cg.rates["on_time_reply"] == approx(2 / 4)
    # visits: c1 满意/已解决, c2 基本满意/部分解决, c3 不满意/未解决 (x1 is excluded)
    assert cg.counts["visited"] == 3
    # process satisfaction, w = 1: (1 满意 + 1 基本满意 × 1) / 3
    assert cg.rates["satisfaction_process"] == approx(2 / 3)
    # result satisfaction, w = 1: (1 已解决 + 1 部分解决 × 1) / 3
    assert cg.rates["satisfaction_result"] == approx(2 / 3)
    # resolution, f = 0: (1 已解决 + 1 部分解决 × 0) / 3
    assert cg.rates["resolution"] == approx(1 / 3)
    # repeats: c4 of the 4 orders CG leads (c5 now belongs to 区住建局; x1 excluded) -> 1 / 4
    assert cg.counts["received"] == 4 and cg.rates["repeat"] == approx(1 / 4)
    # dispatches chosen for CG: c1..c4 and c5's first (returned); x1's is excluded -> 1 / 5 returned
    assert cg.counts["dispatches"] == 5
    assert cg.rates["return_rate"] == approx(1 / 5) and cg.rates["dispatch_accuracy"] == approx(4 / 5)
    # composite, default weights .3 .3 .2 .1 .1 over process, result, resolution, reply, response:
    # .3×2/3 + .3×2/3 + .2×1/3 + .1×1/2 + .1×3/4 = .2 + .2 + .0667 + .05 + .075 = .591667
    assert cg.composite == approx(0.3 * 2 / 3 + 0.3 * 2 / 3 + 0.2 / 3 + 0.05 + 0.075)
    assert round(cg.composite * 100, 2) == 59.17
    assert cg.rates["direct_answer"] is None  # the office's rate, not a unit's

    zj = result.row(d.zhujian.id)
    # response: z1 on time, c5 (re-dispatched) not signed by its deadline -> 1 / 2; reply the same
    assert zj.rates["response"] == approx(1 / 2) and zj.rates["on_time_reply"] == approx(1 / 2)
    assert zj.rates["satisfaction_process"] == 1 and zj.rates["resolution"] == 1
    assert zj.rates["dispatch_accuracy"] == 1  # z1's and c5's second dispatch, neither returned
    # .3 + .3 + .2 + .1×.5 + .1×.5 = .9
    assert zj.composite == approx(0.9)
    street = result.row(d.street.id)
    assert street.composite is None and all(v is None for v in street.rates.values())
    # ranks on the composite: ZJ first, CG second, the street has none
    assert (zj.rank, cg.rank, street.rank) == (1, 2, None)


def test_district_rates_and_direct_answers(rate_world):
    total = compute(parse(NOVEMBER), AS_OF, by="unit").total
    # received in November: c1..c5, z1, d1 = 7 (x1 excluded); d1 answered directly -> 1 / 7
    assert total.counts["received"] == 7 and total.rates["direct_answer"] == approx(1 / 7)
    # response: c1 c2 c4 z1 on time of c1..c5 + z1 -> 4 / 6
    assert total.rates["response"] == approx(4 / 6)
    # visits: c1 z1 满意, c2 基本满意, c3 不满意 -> process (2 + 1) / 4; resolution 2 / 4
    assert total.rates["satisfaction_process"] == approx(3 / 4)
    assert total.rates["resolution"] == approx(2 / 4)
    # composite: .3×.75 + .3×.75 + .2×.5 + .1×(3/6) + .1×(4/6) = .666667
    assert total.composite == approx(0.225 + 0.225 + 0.1 + 0.05 + 0.1 * 4 / 6)


def test_parameters_change_the_formulas(rate_world):
    d = rate_world.d
    config = Config({"basic_weight": 0.9, "partly_resolution": 0.5}, dict(DEFAULT_WEIGHTS))
    cg = compute(parse(NOVEMBER), AS_OF, config=config).row(d.chengguan.id)
    # process: (1 + 1 × 0.9) / 3; result: (1 + 1 × 0.9) / 3; resolution: (1 + 1 × 0.5) / 3
    assert cg.rates["satisfaction_process"] == approx(1.9 / 3)
    assert cg.rates["satisfaction_result"] == approx(1.9 / 3)
    assert cg.rates["resolution"] == approx(1.5 / 3)
    assert "基本满意 × 0.9" in config.formula("satisfaction_process")
    assert "部分解决 × 0.5" in config.formula("resolution")


def test_composite_weights_are_configuration(rate_world, district):
    d = rate_world.d
    weights = {key: 0 for key in DEFAULT_WEIGHTS} | {"satisfaction_process": 1, "repeat": 1}
    save_config(district.admin, dict(DEFAULT_PARAMS), weights)
    cg = compute(parse(NOVEMBER), AS_OF).row(d.chengguan.id)
    # (process 2/3 + (1 − repeat 1/4)) / 2 = (0.6667 + 0.75) / 2
    assert cg.composite == approx((2 / 3 + 3 / 4) / 2)
    assert "（1 − 重复投诉率） × 1" in compute(parse(NOVEMBER), AS_OF).config.formula("composite")


def test_config_is_admin_only_and_validated(district):
    with pytest.raises(AssessmentRefused, match="系统管理员"):
        save_config(district.dispatcher, dict(DEFAULT_PARAMS), dict(DEFAULT_WEIGHTS))
    with pytest.raises(AssessmentRefused, match="0到1"):
        save_config(district.admin, {"basic_weight": 1.5, "partly_resolution": 0}, dict(DEFAULT_WEIGHTS))
    with pytest.raises(AssessmentRefused, match="至少要有一项权重"):
        save_config(district.admin, dict(DEFAULT_PARAMS), {k: 0 for k in DEFAULT_WEIGHTS})


def test_as_of_counts_only_what_had_happened(rate_world):
    d = rate_world.d
    # 11-27 12:00: c3's visit (11-28) and c2's late reply (11-28) had not happened yet
    cg = compute(parse(NOVEMBER), datetime(2026, 11, 27, 12, 0)).row(d.chengguan.id)
    assert cg.counts["visited"] == 2  # c1 and c2
    # reply due 11-27 10:00 had passed for all four; replied by then: c1, c3 -> 2 / 4 (c2 not yet)
    assert cg.rates["on_time_reply"] == approx(2 / 4)
    # before anything happened nothing counts
    before = compute(parse(NOVEMBER), datetime(2026, 11, 1)).row(d.chengguan.id)
    assert before.composite is None and not before.has_data
    # the same period and as_of give the same figures
    again = compute(parse(NOVEMBER), AS_OF).row(d.chengguan.id)
    assert again.rates == compute(parse(NOVEMBER), AS_OF).row(d.chengguan.id).rates


def test_by_kind_and_by_category(rate_world):
    kinds = compute(parse(NOVEMBER), AS_OF, by="kind")
    department = kinds.row("department")
    # CG and ZJ pooled: visits c1 c2 c3 z1 -> process (2 + 1) / 4
    assert department.rates["satisfaction_process"] == approx(3 / 4)
    assert kinds.row("street").composite is None
    categories = compute(parse(NOVEMBER), AS_OF, by="category")
    (row,) = categories.rows  # every order is 城管
    assert row.name == "城管" and row.counts["received"] == 7 and row.rates["direct_answer"] == approx(1 / 7)


def test_periods():
    assert parse("2026-W48").start == datetime(2026, 11, 23) and parse("2026-W48").end == datetime(2026, 11, 30)
    assert parse("2026-Q4").start == datetime(2026, 10, 1) and parse("2026-Q4").end == datetime(2027, 1, 1)
    assert parse("2026-11").previous().key == "2026-10" and parse("2026-Q1").previous().key == "2025-Q4"
    assert parse("2026-11-01_2026-11-15").end == datetime(2026, 11, 16)
    with pytest.raises(ValueError):
        parse("2026-13")


def test_a_week_outside_the_data_is_empty(rate_world):
    assert compute(parse("2026-W40"), AS_OF).total.composite is None
