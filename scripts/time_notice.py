"""How long one supervision notice (督办通知单) takes to render: a throwaway in-memory database, a
supervision on three orders, the real template and ``portal/pdf.py``; prints the first render and the
median of the next ones (and
the median CPU time, steadier than the wall time on a busy machine).

Usage: .venv/bin/python scripts/time_notice.py [RUNS]
"""
import statistics
import sys
import time
from datetime import date

from portal import create_app
from portal.extensions import db

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
app = create_app({"TESTING": True, "SECRET_KEY": "timing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
with app.app_context():
    from portal.auth.models import User
    from portal.clock import now
    from portal.orders.models import Order
    from portal.supervision.models import Supervision, SupervisionNotice, SupervisionOrder
    from portal.supervision.operations import render_notice
    from portal.units.models import Unit

    db.create_all()
    at = now()
    unit = Unit(name="区城管局", kind="department")
    issuer = User(username="s", name="王督查", role="supervisor", password_hash="-", created_at=at, phone="0371-12345")
    db.session.add_all([unit, issuer])
    db.session.flush()
    orders = [Order(number=f"SX2026{i:06d}", received_at=at, channel="phone", type="complaint", caller_name="张三",
                    caller_phone="13800000000", address="建设路12号", state="accepted", lead_unit_id=unit.id,
                    content="建设路夜市烧烤摊油烟直排，周边三个小区居民近一个月反复投诉，整改后多次反弹。",
                    created_at=at, updated_at=at) for i in range(3)]
    db.session.add_all(orders)
    db.session.flush()
    supervision = Supervision(step="supervision", level="system", reason="overdue", answer_due=date(2026, 12, 1),
                              requirements="请于3个工作日内现场处置到位，书面报送处置结果。", unit=unit,
                              created_by_id=issuer.id, created_at=at, updated_at=at)
    supervision.links = [SupervisionOrder(order=o) for o in orders]
    db.session.add(supervision)
    db.session.flush()
    notice = SupervisionNotice(year=at.year, seq=1, number="督字〔2026〕第0001号", issued_by_id=issuer.id, issued_at=at)
    times, cpu = [], []
    for _ in range(runs + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        data = render_notice(supervision, notice, issuer)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    # The CPU time is what to compare on a busy machine, where the wall time also counts waiting for a core.
    print(f"first render {times[0] * 1000:.0f} ms; median of the next {runs}: "
          f"{statistics.median(times[1:]) * 1000:.0f} ms; {len(data) // 1024} KB; "
          f"CPU time median {statistics.median(cpu[1:]) * 1000:.0f} ms")
