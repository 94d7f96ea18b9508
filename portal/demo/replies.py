"""The demo's standard replies (标准通稿): four published (one in its second version), one awaiting the
leader's approval, one draft and one withdrawn, all through the real operations, back-dated; then answers
that took a published reply (units' replies; enquiries in the pool, if any, answered directly), so the
library shows uses."""
from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..orders import operations as order_operations
from ..orders.models import Order
from ..orders.states import State
from ..replies import operations
from ..replies.matching import offers

PENSION = {
    "title": "灵活就业人员如何缴纳养老保险？", "category": "社保医保",
    "keywords": "灵活就业、养老保险、缴费基数、延长缴费、缴费年限",
    "answer": "您好！灵活就业人员可通过省社保APP、人社部门微信公众号或区社保经办窗口办理企业职工基本养老保险参保缴费。"
              "缴费基数可在上年度全口径城镇单位就业人员平均工资的60%至300%之间自主选择，按月、按季或按年缴纳。"
              "达到法定退休年龄时累计缴费不足15年的，可以缴费至满15年，按月领取基本养老金。",
    "policy_name": "中华人民共和国社会保险法", "policy_number": "中华人民共和国主席令第三十五号", "policy_clause": "第十条、第十六条",
}
REPLIES = [
    {"title": "占道经营、流动摊贩如何治理？", "category": "城管", "keywords": "占道经营、流动摊贩、早市、摊位",
     "answer": "您好！城市道路、桥梁、广场等公共场所不得擅自占用摆摊设点。城管执法部门对主次干道实行网格化巡查，"
               "对占道经营的依法责令改正，拒不改正的依法处罚；街道在适宜地段设置便民疏导点，引导摊贩定时定点规范经营。"
               "发现占道经营，可拨打12345反映，执法队员将及时到场处置。",
     "policy_name": "城市市容和环境卫生管理条例", "policy_number": "国务院令第101号", "policy_clause": "第十四条"},
    {"title": "工地夜间施工需要办理许可吗？", "category": "城管", "keywords": "夜间施工、打桩、夜间施工许可",
     "answer": "您好！在噪声敏感建筑物集中区域，禁止夜间（22时至次日6时）进行产生噪声的建筑施工作业，但抢修、抢险"
               "作业和因生产工艺要求或者其他特殊需要必须连续施工作业的除外。因特殊需要必须连续施工的，应当取得有关"
               "部门的证明，并在施工现场显著位置公示或以其他方式公告附近居民。未取得证明夜间施工的，由执法部门依法查处。",
     "policy_name": "中华人民共和国噪声污染防治法", "policy_number": "中华人民共和国主席令第一〇四号", "policy_clause": "第四十三条"},
    {"title": "孩子上小学、随迁子女入学需要什么材料？", "category": "教育", "keywords": "上小学、入学、随迁子女、划片、学区",
     "answer": "您好！义务教育阶段公办学校实行划片招生、免试就近入学。本区户籍适龄儿童凭户口簿、房产证明报名；租房家庭"
               "需提供住房租赁备案证明、居住证和社保缴纳证明；进城务工人员随迁子女按材料审核结果统筹安排学位。"
               "每年的划片范围、报名时间和材料要求，以区教育局5月发布的招生简章为准。",
     "policy_name": "中华人民共和国义务教育法", "policy_number": None, "policy_clause": "第十二条"},
]
PENDING = {
    "title": "异地就医如何备案和报销？", "category": "社保医保", "keywords": "异地就医、备案、医保报销",
    "answer": "您好！参保人员异地就医，可通过国家医保服务平台APP或区医保经办窗口办理备案，备案后在就医地定点医疗机构"
              "可直接结算；未备案或未能直接结算的，出院后持费用清单、发票、出院记录到区医保局窗口手工报销。",
    "policy_name": "关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知", "policy_number": "医保发〔2022〕22号",
    "policy_clause": None,
}
DRAFT = {
    "title": "路内停车如何收费？", "category": "停车管理", "keywords": "停车收费、路内停车、收费标准",
    "answer": "您好！城市道路路内停车泊位实行政府定价管理，按照核心区、一般区域分区分时段计费，收费标准在泊位附近"
              "公示牌上公示。对未按公示标准收费的，可拨打12345或价格举报电话反映。",
    "policy_name": "机动车停放服务收费管理办法", "policy_number": None, "policy_clause": None,
}
WITHDRAWN = {
    "title": "2025年度城乡居民医保缴费标准", "category": "社保医保", "keywords": "城乡居民医保、缴费标准、集中缴费期",
    "answer": "您好！2025年度城乡居民基本医疗保险个人缴费标准为每人每年380元，集中缴费期为2024年9月1日至12月31日，"
              "可通过税务微信公众号、手机银行等渠道缴纳。",
    "policy_name": "关于做好2024年城乡居民基本医疗保障工作的通知", "policy_number": "医保发〔2024〕19号",
    "policy_clause": None,
}


def seed_replies(staff, categories: dict, at: datetime) -> None:
    drafter, second, leader = staff.dispatchers[0], staff.dispatchers[-1], staff.leader

    def fields(data: dict) -> dict:
        return {**{k: v for k, v in data.items() if k != "category"}, "category_id": categories[data["category"]].id}

    def publish(data: dict, ago: int):
        when = at - timedelta(days=ago)
        version = operations.create(drafter, fields(data), at=when).versions[0]
        operations.submit(drafter, version.id, at=when + timedelta(hours=1))
        operations.approve(leader, version.id, at=when + timedelta(days=1))
        return version

    pension = publish({**PENSION, "answer": PENSION["answer"].replace("全口径城镇单位就业人员", "社会")}, 40)
    revised = operations.revise(second, pension.id, at=at - timedelta(days=12))
    operations.edit(second, revised.id, fields(PENSION), at=at - timedelta(days=12))
    operations.submit(second, revised.id, at=at - timedelta(days=11))
    operations.approve(leader, revised.id, at=at - timedelta(days=10))
    for i, data in enumerate(REPLIES):
        publish(data, 30 - 5 * i)
    pending = operations.create(second, fields(PENDING), at=at - timedelta(days=2)).versions[0]
    operations.submit(second, pending.id, at=at - timedelta(days=1))
    operations.create(drafter, fields(DRAFT), at=at - timedelta(hours=5))
    old = publish(WITHDRAWN, 300)
    operations.withdraw(drafter, old.id, "缴费年度已过，新年度标准另行发布。", at=at - timedelta(days=60))
    _answer_with_replies(staff, at)


def _answer_with_replies(staff, at: datetime) -> None:
    """Answers that started from a fitting published reply, through the orders' real operations: enquiries
    waiting in the pool answered directly (when the demo has such), and up to three units' replies, each
    with the unit's own account of what it did added (the demo keeps its number of orders)."""
    when = at - timedelta(minutes=20)
    enquiries = db.session.scalars(select(Order).where(Order.state == State.RECEIVED, Order.type == "enquiry")
                                   .order_by(Order.received_at)).all()
    for order in enquiries[:10]:
        found = _fitting(order)
        if found:
            order_operations.apply(order.id, "direct_answer", staff.dispatchers[0], at=when,
                                   answer=found.answer, standard_reply=str(found.id))
    in_hand = db.session.scalars(select(Order).where(Order.state == State.ACCEPTED, Order.handler_id.is_not(None))
                                 .order_by(Order.received_at)).all()
    replied = 0
    for order in in_hand:
        found = _fitting(order)
        if found and replied < 3 and order.handler.unit_id == order.lead_unit_id:
            text = found.answer + "经现场核查，我单位已按上述规定处置，并已电话告知来电人。"
            order_operations.apply(order.id, "reply", order.handler, at=when, reply=text, standard_reply=str(found.id))
            replied += 1


def _fitting(order: Order):
    """The best published reply of the order's category with one of its keywords in the content, if any."""
    found = [o for o in offers(order) if o.hits and o.same_category]
    return found[0].version if found else None
