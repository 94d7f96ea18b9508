"""Fuzzing the JSON API's request bodies: random JSON (and bytes that are not JSON) to every POST of the
API with a valid token answer 2xx, or 4xx JSON with a message; never 500, and a refused body writes
nothing."""
import json

from hypothesis import given
from hypothesis import strategies as st

from portal.api.operations import FIELDS
from portal.extensions import db
from tests.fixtures.fuzz import BOOKKEEPING, FUZZ, TEXT
from tests.test_api_orders import api_token  # noqa: F401  (fixture)

SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                       max_size=4), max_leaves=12)
KEYED = st.fixed_dictionaries({}, optional={name: JSON for name in FIELDS + ("content", "address", "category", "k")})
BODIES = st.one_of(KEYED.map(json.dumps), JSON.map(json.dumps), st.binary(max_size=200))
POSTS = ["/api/v1/orders", "/api/v1/suggestions"]


def row_counts() -> tuple:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(t)) for t in db.metadata.sorted_tables
                 if t.name not in BOOKKEEPING)


@FUZZ
@given(url=st.sampled_from(POSTS), body=BODIES, content_type=st.sampled_from(["application/json", "text/plain"]))
def test_random_bodies(client, api_token, district, category, url, body, content_type):  # noqa: F811
    before = row_counts()
    response = client.post(url, data=body, headers={"Authorization": f"Bearer {api_token}",
                                                    "Content-Type": content_type})
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        payload = response.get_json()
        assert payload.get("error") or payload.get("message"), payload
        db.session.rollback()
        assert row_counts() == before
