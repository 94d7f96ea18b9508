"""The demo ledger of key matters: a dozen matters registered by the supervisor over the last weeks,
with the units' progress notes, some cancelled (销号), some past their target date."""
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import select

from ..extensions import db
from ..ledger import operations
from ..ledger.operations import Registration
from ..orders.models import Order

# (unit code, title, description, registered days ago, target days after registration, district leader?,
#  progress notes as (days after registration, by the unit?, text), cancelled as (days after, note) or None)
MATTERS = [
    ("cgj", "建设路夜市油烟扰民反复投诉", "建设路夜市烧烤摊油烟直排，周边三个小区居民近一个月反复投诉，整改后多次反弹。",
     34, 30, True,
     [(3, True, "已约谈夜市经营户23家，下发限期整改通知书。"), (12, True, "已安装油烟净化设备15台，其余8家本周内完成。"),
      (25, False, "督查室夜间暗访，仍有3家露天烧烤，要求城管局落实长效管理。")], None),
    ("cgj", "东关菜市场周边占道经营", "早市摊贩占用人行道和机动车道，影响通行，群众不满意件3件。",
     28, 14, False,
     [(2, True, "已组织早间联合执法，清理占道摊点。"), (9, True, "协调菜市场增设临时摊位40个，引导入市经营。")],
     (15, "摊贩已全部入市经营，连续两周巡查无反弹，回访群众满意。")),
    ("zjj", "幸福小区二次供水水压不足", "幸福小区高层住户夏季用水高峰水压不足，涉及住户约200户。",
     26, 45, True,
     [(4, True, "已会同供水公司现场查勘，确定加压泵站改造方案。"), (18, True, "改造资金已落实，施工单位进场。")], None),
    ("zjj", "锦华苑物业服务不到位", "锦华苑小区物业长期不履行维修义务，电梯故障频发，业主多次投诉。",
     40, 20, False,
     [(5, True, "已约谈物业公司负责人，责令限期维修电梯。"), (16, True, "两部故障电梯已修复并通过检验。")],
     (22, "电梯已修复，物业公司已签订服务承诺书，回访业主基本满意。")),
    ("scjg", "校园周边食品安全隐患", "多所学校周边流动摊贩售卖三无食品，家长反映强烈。",
     21, 10, False,
     [(3, True, "已开展校园周边食品安全专项检查，查处无证摊贩6户。")], None),
    ("scjg", "预付卡消费维权集中投诉", "某健身连锁门店关门停业，会员预付卡无法退费，涉及会员300余人。",
     18, 30, True,
     [(2, True, "已约谈经营者，登记会员退费诉求。"), (10, False, "督查室要求每周报送退费进展。"),
      (14, True, "已退费112人，其余分三批在月底前完成。")], None),
    ("chengguan", "老旧小区雨污管网堵塞", "城关街道三个老旧小区雨季污水倒灌，居民多次求助。",
     15, 25, False,
     [(4, True, "已疏通主管网600米，制定雨污分流改造计划。")], None),
    ("nanhu", "南湖片区夜间施工噪音", "南湖片区两处工地夜间违规施工，噪音扰民投诉12件。",
     30, 10, False,
     [(2, True, "已联合住建、生态环境部门夜查，两处工地均已停工整改。")],
     (12, "工地已落实夜间施工审批制度，连续一周夜查无违规施工，回访满意。")),
    ("cgj", "背街小巷垃圾清运不及时", "老城区背街小巷垃圾桶满溢，夏季异味明显。",
     9, 21, False, [(3, True, "已调整清运频次为每日两次，增设垃圾桶30个。")], None),
    ("zjj", "城中村违章搭建安全隐患", "城中村多处违章搭建存在消防隐患，群众举报5件。",
     6, 30, True, [], None),
    ("scjg", "农贸市场电子秤短斤少两", "农贸市场部分摊位电子秤作弊，群众重复投诉。",
     45, 15, False,
     [(5, True, "已检定电子秤218台，查处作弊秤9台，设立公平秤。")],
     (17, "已建立市场计量巡查机制，回访群众满意。")),
    ("chengguan", "背街小巷路灯不亮", "城关街道五条背街小巷路灯长期不亮，夜间出行不便。",
     4, 7, False, [], None),
]

# A word the matter's linked orders contain (orders the owner unit leads).
KEYWORDS = {
    "建设路夜市油烟扰民反复投诉": "油烟", "东关菜市场周边占道经营": "占道", "幸福小区二次供水水压不足": "水压",
    "锦华苑物业服务不到位": "物业", "校园周边食品安全隐患": "食品", "预付卡消费维权集中投诉": "预付卡",
    "老旧小区雨污管网堵塞": "污水", "南湖片区夜间施工噪音": "施工", "背街小巷垃圾清运不及时": "垃圾",
    "城中村违章搭建安全隐患": "违章", "农贸市场电子秤短斤少两": "秤", "背街小巷路灯不亮": "路灯",
}


def seed_ledger(staff, units: dict, at: datetime, rng: Random) -> None:
    """Register the demo matters as the supervisor, back-dated, through the real operations."""
    for code, title, description, ago, target, by_district_leader, notes, cancelled in MATTERS:
        registered = (at - timedelta(days=ago)).replace(hour=9, minute=30 + rng.randrange(0, 20), second=0)
        people = staff.by_unit[code]
        leader = staff.leader if by_district_leader else people["lead"]
        # the unit's orders about the same thing (none: a matter registered by hand, e.g. after a visit)
        orders = db.session.scalars(select(Order).where(Order.lead_unit_id == units[code].id,
                                                        Order.content.contains(KEYWORDS[title]))
                                    .order_by(Order.received_at.desc()).limit(3)).all()
        entry = operations.register(
            staff.supervisor,
            Registration(title=title, description=description, owner_unit_id=units[code].id, leader_id=leader.id,
                         target_date=(registered + timedelta(days=target)).date()),
            at=registered, orders=list(orders))
        for days, by_unit, text in notes:
            when = registered + timedelta(days=days, hours=rng.randrange(1, 7))
            if when < at:
                operations.add_note(people["a"] if by_unit else staff.supervisor, entry, text, at=when)
        if cancelled and registered + timedelta(days=cancelled[0]) < at:
            operations.cancel(staff.supervisor, entry, cancelled[1],
                              at=registered + timedelta(days=cancelled[0], hours=8))
