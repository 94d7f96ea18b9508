"""Reading the parameters of order actions and of the take-in form from submitted form data."""
from datetime import datetime

from .errors import InvalidInput
from .states import Action

# standard_reply: the standard reply (标准通稿) version taken into a reply or direct answer (portal/replies)
TEXT_FIELDS = ("note", "reason", "reply", "answer", "satisfaction", "resolution", "lead_unit_id", "standard_reply")


def action_params(action: Action, form) -> dict:
    """The parameters an action's effect expects, from a submitted form."""
    params = {key: form.get(key, "") for key in TEXT_FIELDS if key in form}
    if action is Action.DISPATCH:
        params["assist_unit_ids"] = form.getlist("assist_unit_ids")
        params["is_complex"] = form.get("is_complex") == "1"
    if action is Action.REQUEST_EXTENSION:
        params["requested_due_at"] = _datetime(form.get("requested_due_at", ""))
    return params


def _datetime(value: str) -> datetime:
    value = (value or "").strip()
    if not value:
        raise InvalidInput("请填写申请延期至的日期。")
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.replace(hour=23, minute=59, second=59) if fmt == "%Y-%m-%d" else parsed
    raise InvalidInput("日期格式不正确，应为 2026-10-08。")


TAKE_IN_FIELDS = ("number", "channel", "type", "urgency", "category_id", "caller_name", "caller_phone",
                  "address", "content", "leader_instruction")


def take_in_data(form) -> dict:
    data = {key: form.get(key, "") for key in TAKE_IN_FIELDS}
    data["enterprise"] = form.get("enterprise") == "1"
    data["tourism"] = form.get("tourism") == "1"
    data["via_deputy"] = form.get("via_deputy") == "1"
    return data
