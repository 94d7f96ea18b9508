"""The fixed vocabularies of a work order: types, channels, urgencies, visit answers."""

TYPES = {
    "complaint": "投诉",
    "help": "求助",
    "enquiry": "咨询",
    "suggestion": "建议",
    "report": "举报",
    "praise": "表扬",
}

CHANNELS = {
    "phone": "电话",
    "web": "网站",
    "wechat": "微信",
    "app": "APP",
    "email": "邮件",
    "letter": "来信",
}

URGENCIES = {"normal": "一般", "urgent": "紧急", "critical": "特急"}

SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
RESOLUTION = {"resolved": "已解决", "partly": "部分解决", "unresolved": "未解决"}

UNIT_PARTS = {"lead": "主办", "assist": "协办"}


def label(vocab: dict[str, str], code: str | None) -> str:
    return vocab.get(code or "", code or "")
