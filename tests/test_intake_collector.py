"""Python's cycle collector is held back while an import runs, and its thresholds are put back after,
also when the import fails and when imports overlap."""
import gc
import threading

import pytest

from portal.intake import collector, operations
from portal.intake.importer import ImportInterrupted, import_file
from tests.fixtures.city_files import city_row

CALLER = {"联系电话": "13811112222", "诉求内容": "东门外烧烤摊每晚营业到凌晨，油烟噪音扰民。"}


@pytest.fixture
def thresholds():
    """The process's thresholds as the defaults (so the test sees a change), put back afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def run(path, **options):
    with open(path, "rb") as stream:
        return import_file(stream, path.name, **options)


def test_an_import_runs_with_the_collector_held_back_and_puts_it_back(city_setup, city_file, thresholds,
                                                                      monkeypatch):
    seen = []
    receive = operations.add_new_many

    def watched(*args, **kwargs):
        seen.append(gc.get_threshold())
        return receive(*args, **kwargs)

    monkeypatch.setattr("portal.intake.operations.add_new_many", watched)
    result = run(city_file([city_row(n, **CALLER) for n in range(1, 6)], "csv-utf8"), chunk_size=2)
    assert len(result.created) == 5
    assert seen == [(collector.IMPORT_THRESHOLD, 10, 10)] * 3
    assert gc.get_threshold() == thresholds


def test_a_failed_import_puts_the_thresholds_back(city_setup, city_file, thresholds, monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr("portal.intake.operations.add_new_many", failing)
    with pytest.raises(ImportInterrupted):
        run(city_file([city_row(1, **CALLER)], "csv-utf8"))
    assert gc.get_threshold() == thresholds


def test_overlapping_imports_leave_the_thresholds_as_they_were(thresholds):
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    during = []

    def second():
        first_in.wait()
        with collector.held_back():
            second_in.set()
            first_out.wait()
            during.append(gc.get_threshold())  # the first finished: still held back for this one

    thread = threading.Thread(target=second)
    thread.start()
    with collector.held_back():
        first_in.set()
        second_in.wait()
    first_out.set()
    thread.join()
    assert during == [(collector.IMPORT_THRESHOLD, 10, 10)]
    assert gc.get_threshold() == thresholds
