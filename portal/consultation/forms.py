"""Reading consultation forms: ids and date-times from submitted data (the operations validate the rest)."""
from datetime import datetime

from .operations import InvalidInput


def ids(values, what: str = "所选项目") -> list[int]:
    result = []
    for value in values:
        try:
            result.append(int(value))
        except (TypeError, ValueError):
            raise InvalidInput(f"{what}有误。") from None
    return result


def moment(value: str | None, what: str) -> datetime | None:
    """A date-time from a ``datetime-local`` input (2026-11-26T14:30) or typed as 2026-11-26 14:30."""
    value = (value or "").strip().replace("T", " ")
    if not value:
        return None
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise InvalidInput(f"{what}格式不正确，应为 2026-11-26 14:30。")


def invite_params(form) -> dict:
    return {"unit_ids": ids(form.getlist("unit"), "所选单位"), "leader_ids": ids(form.getlist("leader"), "所选区领导"),
            "scheduled_at": moment(form.get("scheduled_at"), "会议时间"), "place": form.get("place", ""),
            "opinions_due": moment(form.get("opinions_due"), "书面意见截止时间")}


def escalate_params(form) -> dict:
    return {"summary": form.get("summary", ""), "positions": form.get("positions", ""),
            "options": form.get("options", "")}
