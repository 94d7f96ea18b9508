"""Reading supervision forms: ids, dates and flags from submitted data (the operations validate the rest)."""
from datetime import date, datetime

from ..form_values import int_or_none
from .operations import InvalidInput


def ids(values) -> list[int]:
    result = []
    for value in values:
        number = int_or_none(value)  # None too for a number beyond any id
        if number is None:
            raise InvalidInput("所选工单编号有误。")
        result.append(number)
    return result


def due_date(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput("反馈期限格式不正确，应为 2026-12-01。") from None


def optional_int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def open_params(form) -> dict:
    return {
        "step": form.get("step", ""), "level": form.get("level", ""), "reason": form.get("reason", ""),
        "requirements": form.get("requirements", ""), "answer_due": due_date(form.get("answer_due")),
        "unannounced": form.get("unannounced") == "1", "lead_leader_id": optional_int(form.get("lead_leader_id")),
        "issue_notice": form.get("issue_notice") == "1",
    }


def escalate_params(form) -> dict:
    return {"requirements": form.get("requirements", ""), "answer_due": due_date(form.get("answer_due")),
            "level": form.get("level") or None, "lead_leader_id": optional_int(form.get("lead_leader_id")),
            "issue_notice": form.get("issue_notice") == "1"}

