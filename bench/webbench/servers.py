"""Start and stop gunicorn for the portal and for the floor app, each on a free local port."""
import os
import signal
import socket
import subprocess  # nosec B404  # starts gunicorn, a fixed command
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_workers() -> int:
    """What gunicorn.conf.py chooses: PORTAL_WORKERS, else one per core."""
    return int(os.environ.get("PORTAL_WORKERS") or os.cpu_count() or 1)


def gunicorn_command(app: str, port: int, workers: int | None, portal_config: bool) -> list[str]:
    """gunicorn with the project's gunicorn.conf.py (for the portal, when there is one), else the same
    shape by flags: preloaded sync workers, one per core unless ``workers`` says otherwise."""
    command = [str(GUNICORN)]
    if portal_config and (ROOT / "gunicorn.conf.py").exists():
        command += ["-c", str(ROOT / "gunicorn.conf.py")]
    else:
        command += ["--worker-class", "sync", "--preload"]
        workers = workers or default_workers()
    if workers is not None:
        command += ["--workers", str(workers)]
    return command + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--pythonpath",
                      f"{ROOT},{ROOT / 'bench'}", app]


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode} (see the log above)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout:.0f} s")


@contextmanager
def gunicorn(app: str, env: dict, workers: int | None, portal_config: bool = True):
    """Run ``app`` under gunicorn with ``env`` added to the environment; yield its base URL."""
    port = free_port()
    command = gunicorn_command(app, port, workers, portal_config)
    # gunicorn reads ./gunicorn.conf.py by itself: the floor app starts where there is none
    cwd = ROOT if portal_config else ROOT / "bench"
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env},  # nosec B603
                               start_new_session=True)
    try:
        wait_until_up(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
