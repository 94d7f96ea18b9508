"""Document numbers: per series and year, consecutive, no duplicate even when two transactions issue at once."""
import threading

from portal.extensions import db
from portal.numbering import DocumentCounter, allocate_number, format_number


def test_numbers_run_per_series_and_year(ctx):
    assert [allocate_number("supervision", 2026) for _ in range(3)] == [1, 2, 3]
    assert allocate_number("talk", 2026) == 1  # another series starts at 1
    assert allocate_number("supervision", 2027) == 1  # a new year starts at 1
    db.session.commit()
    assert allocate_number("supervision", 2026) == 4


def test_a_rolled_back_number_is_issued_again(ctx):
    assert allocate_number("supervision", 2026) == 1
    db.session.commit()
    assert allocate_number("supervision", 2026) == 2
    db.session.rollback()  # the document was refused: no gap
    assert allocate_number("supervision", 2026) == 2


def test_format_number():
    assert format_number("督字〔{year}〕第{n:04d}号", 2026, 1) == "督字〔2026〕第0001号"
    assert format_number("约谈〔{year}〕{n}号", 2026, 12) == "约谈〔2026〕12号"


def test_configured_pattern(app):
    from portal.numbering import number_pattern

    with app.app_context():
        assert number_pattern("supervision") == "督字〔{year}〕第{n:04d}号"
        app.config["TALK_NUMBER_FORMAT"] = "约字〔{year}〕{n:03d}号"
        assert number_pattern("talk") == "约字〔{year}〕{n:03d}号"


def _race(app, workers: int, per_worker: int) -> list[int]:
    """Each thread, in its own session, takes numbers one transaction at a time, all released together."""
    barrier = threading.Barrier(workers)
    got: list[int] = []
    lock = threading.Lock()
    errors = []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(per_worker):
                    n = allocate_number("supervision", 2026)
                    db.session.commit()
                    with lock:
                        got.append(n)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return got


def test_two_transactions_at_once_get_distinct_consecutive_numbers(app):
    with app.app_context():
        allocate_number("supervision", 2026)  # the row exists: the race is on the UPDATE
        db.session.commit()
    got = _race(app, workers=2, per_worker=1)
    assert sorted(got) == [2, 3]


def test_first_numbers_of_a_year_race_on_the_insert(app):
    got = _race(app, workers=2, per_worker=10)
    assert sorted(got) == list(range(1, 21))
    with app.app_context():
        assert db.session.scalars(db.select(DocumentCounter.last)).one() == 20


def test_two_supervisors_issue_notices_at_the_same_moment(app, district, make_user, make_order, open_supervision):
    """The real path: two supervisors press 签发 at once; each notice gets its own number, no gap."""
    from portal.auth.models import User
    from portal.supervision import operations
    from portal.supervision.models import SupervisionNotice

    other = make_user("supervisor", district.office)
    first = open_supervision()
    second = open_supervision(orders=[make_order("accepted", lead=district.zhujian)], by=other)
    jobs = [(district.supervisor.id, first.id), (other.id, second.id)]
    barrier = threading.Barrier(2)
    errors = []

    def run(user_id, supervision_id):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                barrier.wait()
                operations.issue_notice(user, supervision_id)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    db.session.expire_all()
    numbers = sorted(db.session.scalars(db.select(SupervisionNotice.number)).all())
    assert numbers == ["督字〔2026〕第0001号", "督字〔2026〕第0002号"]
