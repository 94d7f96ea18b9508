"""Python's cycle collector held back while an import runs.

An import of 20,000 rows allocates about half a million objects (rows, records, column dicts, sealed
events), nearly all freed by reference counting as soon as their chunk is written. With the default
thresholds (700, 10, 10) the collector still ran about 700 times during such an import and walked every
object of the process three times: 0.53 s of a 4.6 s import on SQLite, 0.7 s on PostgreSQL. With the first
threshold at ``IMPORT_THRESHOLD`` it runs six times and takes 0.02 s. Objects caught in reference cycles
wait a little longer to be freed; an import makes few.

The thresholds are the process's: while one or more imports run (the read-ahead thread, a second import in
another thread), the first threshold is at least ``IMPORT_THRESHOLD``, and the last import to finish puts
back what the first one found.
"""
import gc
import threading
from contextlib import contextmanager

IMPORT_THRESHOLD = 50_000

_lock = threading.Lock()
_running = 0
_saved: tuple[int, ...] | None = None


@contextmanager
def held_back():
    """Run the block with the collector's first threshold raised to ``IMPORT_THRESHOLD``."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            first, *rest = _saved
            gc.set_threshold(max(first, IMPORT_THRESHOLD), *rest)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
