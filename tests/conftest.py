"""Test set-up: a fresh database per test, on SQLite or (with PORTAL_TEST_DATABASE_URL) PostgreSQL."""
from tests.fixtures.app import *  # noqa: F401,F403
from tests.fixtures.people import *  # noqa: F401,F403
from tests.fixtures.orders import *  # noqa: F401,F403
from tests.fixtures.roster import *  # noqa: F401,F403
from tests.fixtures.city_files import *  # noqa: F401,F403
from tests.fixtures.ledger import *  # noqa: F401,F403
from tests.fixtures.supervision import *  # noqa: F401,F403
from tests.fixtures.deputies import *  # noqa: F401,F403
from tests.fixtures.assessment import *  # noqa: F401,F403
from tests.fixtures.reports import *  # noqa: F401,F403
from tests.fixtures.jobs import *  # noqa: F401,F403
from tests.fixtures.consultation import *  # noqa: F401,F403
from tests.fixtures.consultation_meetings import *  # noqa: F401,F403
from tests.fixtures.public import *  # noqa: F401,F403
from tests.fixtures.replies import *  # noqa: F401,F403
