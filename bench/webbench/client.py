"""Logged-in sessions and single-user latency: one request at a time, as one user clicking.

Log-in goes through the real form (CSRF token, password). Each later request is a plain ``http.client``
GET carrying the session cookie, which is replaced by the one the response sets (as a browser does:
the portal stamps the last activity into it)."""
import html
import re
import statistics
import time
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import requests

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class LoginFailed(RuntimeError):
    pass


class Client:
    """GET requests to one server with one session cookie."""

    def __init__(self, base: str, cookie: str = ""):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookie = cookie

    def get(self, path: str) -> tuple[int, bytes]:
        connection = HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request("GET", path, headers={"Cookie": self.cookie} if self.cookie else {})
            response = connection.getresponse()
            body = response.read()
            fresh = response.getheader("Set-Cookie")
            if fresh:
                jar = SimpleCookie()
                jar.load(fresh)
                if "session" in jar:
                    self.cookie = f"session={jar['session'].value}"
            return response.status, body
        finally:
            connection.close()


def log_in(base: str, username: str, password: str) -> Client:
    """A client logged in as ``username``; LoginFailed when the portal does not let them in."""
    with requests.Session() as browser:
        page = browser.get(f"{base}/login", timeout=120)
        token = CSRF.search(page.text)
        if not token:
            raise LoginFailed(f"no CSRF token on {base}/login (status {page.status_code})")
        answer = browser.post(f"{base}/login", data={"csrf_token": html.unescape(token.group(1)),
                                                     "username": username, "password": password},
                              allow_redirects=False, timeout=120)
        if answer.status_code != 302:
            raise LoginFailed(f"log-in as {username!r} refused (status {answer.status_code}); check the password")
        if "/password" in answer.headers.get("Location", ""):
            raise LoginFailed(f"{username!r} must change the password before using the portal")
        return Client(base, f"session={browser.cookies['session']}")


def percentiles(seconds: list[float]) -> dict:
    """p50/p95/p99 and mean in milliseconds."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000, "p99_ms": cuts[98] * 1000,
            "mean_ms": statistics.fmean(seconds) * 1000, "runs": len(seconds)}


def latency(client: Client, path: str, runs: int = 200, warmup: int = 20, budget: float | None = None) -> dict:
    """``runs`` sequential GETs of ``path`` after ``warmup`` ones; every answer must be 200. With ``budget``
    (seconds), a slow page stops early once that much time has gone and 20 runs are measured."""
    times, size = [], 0
    began = time.monotonic()
    for i in range(warmup + runs):
        if budget and len(times) >= 20 and time.monotonic() - began > budget:
            break
        start = time.perf_counter()
        status, body = client.get(path)
        took = time.perf_counter() - start
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}, not 200 (a lost session, or no such page?)")
        if i >= warmup:
            times.append(took)
            size = len(body)
    return {**percentiles(times), "bytes": size}
