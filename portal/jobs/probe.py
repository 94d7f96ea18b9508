"""A test-only job, loaded when ``JOBS_EXTRA_MODULES`` names this module: every second it appends the
period it ran for and its process id to ``JOBS_PROBE_FILE``, so a test can count how often each period
really ran (not only how often it was recorded), and by which process."""
import os
from datetime import datetime

from flask import current_app

from .registry import Every, Job, register


def probe(at: datetime) -> str:
    line = f"{at:%Y-%m-%d %H:%M:%S} {os.getpid()}\n"
    fd = os.open(current_app.config["JOBS_PROBE_FILE"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    return f"probe {at:%H:%M:%S}"


register(Job("probe", "测试探针", Every(seconds=1), probe, catch_up=30))
