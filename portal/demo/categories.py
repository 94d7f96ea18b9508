"""The demo's 诉求分类 (classes of matters), in the order the forms list them."""
from ..extensions import db
from ..orders.models import Category

CATEGORIES = (
    "城建", "城管", "环保", "公安", "劳动/农民工工资", "民政", "房产/物业", "卫生", "教育", "消费维权",
    "停车管理", "三农", "交通", "供水供暖供气", "市场监管", "社保医保", "营商环境", "文化旅游", "安全生产",
    "退役军人", "税务",
)


def create_categories() -> dict[str, Category]:
    rows = {name: Category(name=name, sort=i) for i, name in enumerate(CATEGORIES)}
    db.session.add_all(rows.values())
    db.session.commit()
    return rows
