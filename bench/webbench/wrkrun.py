"""Throughput with wrk (Debian's package): N connections for D seconds on one URL, with a session cookie."""
import json
import shutil
import subprocess  # nosec B404  # runs wrk, a fixed command
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "wrk_report.lua"


def available() -> bool:
    return shutil.which("wrk") is not None


def parse(output: str) -> dict:
    """The figures from wrk's output (the JSON line the Lua script prints)."""
    for line in output.splitlines():
        if line.startswith("WRKJSON "):
            raw = json.loads(line[len("WRKJSON "):])
            seconds = raw["duration_us"] / 1e6
            return {"requests": raw["requests"], "seconds": seconds, "rps": raw["requests"] / seconds,
                    "non2xx": raw["non2xx"], "socket_errors": sum(raw["errors"].values()),
                    "p50_ms": raw["latency_us"]["p50"] / 1000, "p90_ms": raw["latency_us"]["p90"] / 1000,
                    "p99_ms": raw["latency_us"]["p99"] / 1000, "max_ms": raw["latency_us"]["max"] / 1000}
    raise RuntimeError("wrk printed no figures:\n" + output[-2000:])


def run(url: str, cookie: str, connections: int, duration: int, threads: int = 2) -> dict:
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
               "-s", str(SCRIPT)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(command + [url], capture_output=True, text=True, check=True)  # nosec B603
    return parse(done.stdout)
