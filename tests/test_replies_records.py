"""Standard replies: the version state machine, who may take each step, and versions that never change."""
import pytest

from portal.extensions import db
from portal.replies import operations
from portal.replies.models import StandardReplyEvent, StandardReplyVersion
from portal.replies.states import Refused


def test_draft_submit_approve_publishes(district, make_reply):
    version = make_reply("draft")
    assert version.state == "draft" and version.author_unit_id == district.office.id
    operations.submit(district.dispatcher, version.id)
    assert version.state == "submitted"
    operations.approve(district.leader, version.id)
    assert version.state == "published" and version.approved_by_id == district.leader.id
    assert version.reply.published is version
    actions = [e.action for e in db.session.scalars(db.select(StandardReplyEvent).order_by(StandardReplyEvent.id))]
    assert actions == ["create", "submit", "approve"]


def test_send_back_returns_to_draft_with_the_reason(district, make_reply):
    version = make_reply("submitted")
    with pytest.raises(Refused):
        operations.send_back(district.leader, version.id, "")
    operations.send_back(district.leader, version.id, "政策依据条款不准确")
    assert version.state == "draft" and version.note == "政策依据条款不准确"


@pytest.mark.parametrize("role", ["dispatcher", "supervisor", "admin", "handler", "unit_leader", "deputy"])
def test_only_a_leader_approves(role, district, make_reply):
    version = make_reply("submitted")
    with pytest.raises(Refused):
        operations.approve(district.people[role], version.id)
    db.session.refresh(version)
    assert version.state == "submitted"


@pytest.mark.parametrize("role", ["leader", "supervisor", "admin", "handler", "deputy"])
def test_only_dispatchers_draft_and_submit(role, district, reply_fields, make_reply):
    with pytest.raises(Refused):
        operations.create(district.people[role], reply_fields())
    version = make_reply("draft")
    with pytest.raises(Refused):
        operations.submit(district.people[role], version.id)
    assert db.session.scalar(db.select(db.func.count(StandardReplyVersion.id))) == 1


def test_a_leader_cannot_approve_what_they_wrote(district, make_reply):
    version = make_reply("submitted")
    version.author_id = district.leader.id  # e.g. a version drafted under an earlier role set-up
    db.session.commit()
    with pytest.raises(Refused, match="自己起草"):
        operations.approve(district.leader, version.id)


def test_bad_input_is_refused_and_changes_nothing(district, reply_fields):
    for bad, message in [({"title": ""}, "标题"), ({"category_id": 999}, "分类"), ({"keywords": " 、 "}, "关键词"),
                         ({"answer": "太短"}, "答复内容"), ({"policy_name": ""}, "文件名称")]:
        with pytest.raises(Refused, match=message):
            operations.create(district.dispatcher, reply_fields(**bad))
    assert db.session.scalar(db.select(db.func.count(StandardReplyVersion.id))) == 0


def test_published_text_never_changes_editing_makes_a_new_version(district, make_reply):
    v1 = make_reply("published")
    text = v1.answer
    with pytest.raises(Refused):
        operations.edit(district.dispatcher, v1.id, {"answer": "改过的文字" * 10})
    v2 = operations.revise(district.dispatcher, v1.id)
    assert (v2.number, v2.state, v2.answer) == (2, "draft", text)
    with pytest.raises(Refused, match="第2版"):
        operations.revise(district.dispatcher, v1.id)  # one working version at a time
    fields = {k: getattr(v2, k) for k in operations.FIELDS}
    operations.edit(district.dispatcher, v2.id, {**fields, "answer": text + "（2026年起执行新标准）"})
    assert v1.state == "published" and v1.answer == text  # in force until v2 is approved
    operations.submit(district.dispatcher, v2.id)
    operations.approve(district.leader, v2.id)
    db.session.refresh(v1)
    assert v1.state == "superseded" and v1.answer == text and v1.ended_at is not None
    assert v2.state == "published" and v2.reply.published is v2


def test_withdraw_needs_a_reason_and_takes_it_down(district, make_reply):
    version = make_reply("published")
    with pytest.raises(Refused):
        operations.withdraw(district.dispatcher, version.id, "")
    with pytest.raises(Refused):
        operations.withdraw(district.handler, version.id, "不再适用的答复")
    operations.withdraw(district.leader, version.id, "政策已废止")
    assert version.state == "withdrawn" and version.reply.published is None
    again = operations.revise(district.dispatcher, version.id)  # a withdrawn reply can be revised and republished
    operations.submit(district.dispatcher, again.id)
    operations.approve(district.leader, again.id)
    assert again.reply.published is again
