"""What the office and the units write along an order's way, whatever the matter.

Templates over the same words as topic texts, plus ``what`` (the matter in a few words), ``right``
(the unit an order should have gone to) and ``reason`` (a visit's complaint).
"""

FIRST_FEEDBACK = (
    "已签收，已电话联系来电人了解具体情况，安排工作人员现场核查。",
    "已与来电人取得联系，约定明天上午到现场查看，将按期答复。",
    "已联系来电人，正在会同相关科室调查处理。",
    "已安排承办科室负责办理，经办人已联系来电人核实诉求。",
)

CONTRIBUTION = (
    "{we}已配合主办单位于{date}到现场联合核查，将按职责做好后续配合工作。",
    "涉及{we}职责部分已处理完毕：已督促相关责任主体整改，整改情况已同步反馈主办单位。",
    "{we}已派员参加主办单位组织的现场协调会，对{what}问题提出了处理意见，将按分工落实。",
)

RETURN_WRONG_UNIT = (
    "经核实，该诉求反映的{what}问题不属于{we}职责范围，根据职责分工应由{right}办理，申请回退。",
    "经现场核查，诉求地点不在{we}辖区，属{right}管辖，申请回退重新派发。",
    "根据首接负责主协办清单，{what}类事项由{right}主办，{we}可配合，申请回退。",
)

RETURN_DISPUTED = (
    "该问题涉及多个部门职责，{we}单独无法解决，建议由区热线办重新研判后派发，申请回退。",
    "{what}事项不在{we}职责清单内，建议区热线办重新研判后派发，申请回退。",
)

RETURN_REJECTED = (
    "根据首接负责主协办清单，该事项由你单位主办，请按职责办理，需其他部门配合的可提出协办申请。",
    "经研判，{what}属你单位职责范围，回退理由不充分，请按期办理并答复来电人。",
)

RETURN_APPROVED = (
    "同意回退，重新派发至{right}。",
    "经核实回退理由成立，改派{right}办理。",
)

EXTENSION = (
    "该问题涉及多个部门，需召开协调会研究解决方案，3个工作日内难以办结，申请延期。",
    "需进一步调查取证并听取当事人陈述，3个工作日内难以办结，申请延期。",
    "整改需要一定周期，申请延期，整改完成后一并答复来电人。",
)

EXTENSION_APPROVED = (None, "请在新期限内办结并及时答复来电人。", "请加快办理进度。")

EXTENSION_REJECTED = (
    "延期理由不充分，该问题可先行处置，请按原期限答复。",
    "请先就阶段性处理情况答复来电人，后续问题纳入跟踪督办。",
)

# A thin first reply, and the reason the office sends it back (seed 004's three faults, and one more).
THIN_REPLY_AND_SEND_BACK = (
    ("已联系来电人，问题已处理，请予以办结。",
     "答复过于简单，未说明现场核查情况和处理结果，请补充后重新答复。"),
    ("{we}已知悉，将加强日常管理。",
     "答复未回应来电人的核心诉求，请针对诉求逐项答复。"),
    ("经核实，该问题与我单位无关，请来电人自行协商解决。",
     "答复中使用“与我单位无关”等不规范用语，且未说明处理情况，请规范用语后重新答复。"),
    ("已电话联系来电人并解释说明，来电人表示认可。",
     "答复称已联系来电人，但经核实来电人未接到电话，请核实后重新答复。"),
)

RESUBMIT = "补充说明：{date}{we}再次到现场复核，并已当面向来电人反馈处理结果和下一步安排。"

APPROVE_REPLY = (None, None, None, "答复规范，同意。", "同意，转回访。")

UNSATISFIED = (
    "来电人表示{what}问题仍未解决，工作人员只是电话联系，没有到现场。",
    "来电人对处理结果不认可，认为承办单位敷衍了事。",
    "来电人称答复内容与实际情况不符，{what}问题没有整改。",
    "来电人表示处理后没几天又出现反弹，问题依旧。",
)

UNSATISFIED_CLOSED = "来电人诉求超出政策规定，承办单位已依法依规答复并做好解释，来电人仍不认可，按程序办结。"

REOPEN = "回访不满意：{reason}请重新办理，务必到现场核实并当面答复来电人。"

REPROCESS_REPLY = "重新办理情况：{date}，{we}负责同志带队再次到现场，与来电人当面沟通。"

CLOSE = (None, "回访满意，予以办结。", "已按程序回访，予以办结。")

DISPATCH_NOTE = (None, None, None, "请按期签收办理。", "请核实后按期答复来电人。")
DISPATCH_ASSIST_NOTE = "请主办单位牵头，协办单位配合，按期答复。"
DISPATCH_REPEAT_NOTE = "该诉求为重复来电，请重点关注，务必解决到位。"
DISPATCH_LEADER_NOTE = "已附区领导批示，请从速办理。"

LEADER_INSTRUCTION = (
    "请{unit}高度重视，立即核实处理，{days}日内将处理结果报区政府。（{leader}副区长批示）",
    "请{unit}牵头，相关单位配合，依法依规妥善解决，并做好群众解释工作。（{leader}副区长批示）",
)
