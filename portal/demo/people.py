"""Demo people: plausible Chinese names and mobile numbers, and the district's user accounts.

Passwords come from ``secrets`` on every run (``portal.security.passwords.generate``, so they pass the
password rules), never from code. The accounts printed for the operator
(one per role, and the main units' leaders and A/B handlers) each get their own password; every other
unit's A/B handlers and leader share one more generated password, printed once.
"""
from dataclasses import dataclass, field
from random import Random

from werkzeug.security import generate_password_hash

from ..auth.models import Role, User
from ..auth.operations import create_user
from ..clock import now
from ..extensions import db
from ..security import passwords
from ..units.models import Unit
from .units import handling_codes

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
            "贾丁魏薛叶阎潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤"
            "尹易常武乔贺赖龚文")
GIVEN = ("建国 秀英 桂兰 志强 海燕 丽娟 伟 芳 娜 敏 静 磊 洋 勇 军 杰 涛 明 超 霞 平 刚 桂英 玉兰 淑珍 "
         "春梅 红梅 晓东 文斌 海涛 国庆 建华 志刚 丽华 秀兰 宇航 子涵 欣怡 浩然 梓萱 俊杰 雨桐 思远 "
         "立新 卫东 红霞 凤英 金凤 长青 永强 振华 晓燕 丽萍 建军 爱华 玉珍 德胜 宏伟 文静 佳琪 一鸣 "
         "晓峰 冬梅 新民 海波 国强 春生 学军 雪梅 少华 光明 翠兰 建平 瑞峰 婷婷 鹏 浩 颖 琳 斌 燕").split()
MOBILE_PREFIXES = ("130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
                   "173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 193 195 198 199").split()
# Units whose accounts are printed, each with a leader and A and B handlers of its own password.
MAIN_UNITS = ("cgj", "zjj", "scjg", "chengguan", "nanhu")


def person_name(rng: Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def caller_name(rng: Random) -> str:
    """Callers often give only a surname (王女士) and sometimes no name at all."""
    roll = rng.random()
    if roll < 0.6:
        return person_name(rng)
    if roll < 0.95:
        return rng.choice(SURNAMES) + rng.choice(("女士", "先生"))
    return "匿名"


def mobile(rng: Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def new_password(length: int = 12) -> str:
    """A random password that passes the portal's password rules."""
    return passwords.generate(length)


@dataclass
class Staff:
    """The demo's accounts, and the accounts worth printing as (username, role, password)."""

    dispatchers: list[User]
    supervisor: User
    leader: User
    deputy: User
    admin: User
    # unit code -> {"a": handler A, "b": handler B, "lead": unit leader}
    by_unit: dict[str, dict[str, User]] = field(default_factory=dict)
    printed: list[tuple[str, str, str]] = field(default_factory=list)


def create_staff(units: dict[str, Unit], rng: Random) -> Staff:
    printed: list[tuple[str, str, str]] = []

    def own(username, role, unit=None):
        password = new_password()
        user = create_user(username, person_name(rng), role, password, unit=unit, phone=mobile(rng))
        printed.append((username, str(role), password))
        return user

    office, inspection = units["rxb"], units["dcs"]
    staff = Staff(
        admin=own("admin", Role.ADMIN, office),
        dispatchers=[own("dispatcher", Role.DISPATCHER, office), own("dispatcher2", Role.DISPATCHER, office)],
        supervisor=own("supervisor", Role.SUPERVISOR, inspection),
        leader=own("leader", Role.LEADER),
        deputy=own("deputy", Role.DEPUTY),
    )
    for code in MAIN_UNITS:
        staff.by_unit[code] = {
            "lead": own(f"{code}_lead", Role.UNIT_LEADER, units[code]),
            "a": own(f"{code}_a", Role.HANDLER, units[code]),
            "b": own(f"{code}_b", Role.HANDLER, units[code]),
        }

    # One hash for all the others: hashing is deliberately slow, and they share the password anyway.
    shared = new_password()
    shared_hash = generate_password_hash(shared)
    at = now()
    for code in handling_codes():
        if code in staff.by_unit:
            continue
        accounts = {}
        for suffix, role in (("lead", Role.UNIT_LEADER), ("a", Role.HANDLER), ("b", Role.HANDLER)):
            accounts[suffix] = User(username=f"{code}_{suffix}", name=person_name(rng), role=role,
                                    unit=units[code], phone=mobile(rng), password_hash=shared_hash, created_at=at)
            db.session.add(accounts[suffix])
        staff.by_unit[code] = accounts
    db.session.commit()
    printed.append(("<code>_a/_b/_lead", "other units", shared))
    staff.printed = printed
    return staff
