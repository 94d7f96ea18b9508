"""The lists filter in SQL by the same rule as the case page (access.can_view): a unit named only as an
assisting unit of a recorded decision finds the case, a unit with no part does not, on both databases."""
from portal.consultation import access, queries
from portal.consultation.models import Consultation
from portal.extensions import db


def test_the_lists_show_exactly_the_cases_the_case_page_allows(district, decided_case, open_case, make_order,
                                                              make_unit, make_user):
    d = district
    helper_unit, stranger_unit = make_unit("区交通运输局"), make_unit("区文旅局")
    helper, stranger = make_user("handler", helper_unit), make_user("handler", stranger_unit)
    named = decided_case(assists=[d.chengguan, helper_unit])  # recorded, not applied: no follow-up items yet
    other = open_case(orders=[make_order("accepted", lead=d.street)])
    cases = db.session.scalars(db.select(Consultation)).all()
    for user in [helper, stranger, d.handler, d.other_handler, d.street_handler, d.dispatcher, d.leader]:
        rows, _ = queries.listing(user, "all")
        assert {c.id for c in rows} == {c.id for c in cases if access.can_view(user, c)}, user.username
        assert queries.counts(user)["all"] == len(rows)
    assert [c.id for c in queries.listing(helper, "all")[0]] == [named.id]
    assert queries.listing(stranger, "all")[0] == []
    assert [c.id for c in queries.for_order(d.street_handler, other.orders[0].id)] == [other.id]
    assert queries.for_order(stranger, other.orders[0].id) == []
