"""The static security scan and the dependency audit's verdict: bandit finds nothing in portal/ (with the
project's configuration), every accepted finding says why on its line and in the README, and the audit
fails on a finding unless the ignore file accepts it with a reason."""
import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BANDIT = Path(sys.executable).with_name("bandit")
NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)$")
verdict_module = runpy.run_path(str(ROOT / "scripts" / "audit_verdict.py"))


def bandit(*paths) -> subprocess.CompletedProcess:
    return subprocess.run([str(BANDIT), "-c", str(ROOT / "pyproject.toml"), "-q", "-f", "json", "-r", *map(str, paths)],
                          capture_output=True, text=True, cwd=ROOT)


def test_bandit_finds_nothing_in_the_portal():
    result = bandit(ROOT / "portal")
    found = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
             for r in json.loads(result.stdout)["results"]]
    assert result.returncode == 0 and not found, "\n".join(found)


def test_bandit_would_catch_a_finding(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    result = bandit(bad)
    assert result.returncode == 1 and "B602" in result.stdout


def test_every_accepted_finding_names_its_test_and_reason_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "portal").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = NOSEC.search(line)
            if not match:
                continue
            where = f"{path.relative_to(ROOT)}:{number}"
            assert re.fullmatch(r" B\d{3}(, B\d{3})*  # .{10,}", match["rest"]), \
                f"{where}: write '# nosec Bnnn  # why it is safe'"
            assert str(path.relative_to(ROOT)) in readme, f"{where}: list the accepted finding in README.md"


def report(*deps) -> dict:
    return {"dependencies": list(deps)}


def test_audit_verdict_fails_on_a_finding_unless_accepted_with_a_reason(tmp_path):
    verdict, read_ignores = verdict_module["verdict"], verdict_module["read_ignores"]
    vulnerable = {"name": "jinja2", "version": "3.1.2", "vulns": [
        {"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"], "fix_versions": ["3.1.3"]}]}
    clean = {"name": "flask", "version": "3.1.1", "vulns": []}
    skipped = {"name": "hotline-portal", "skip_reason": "not on PyPI"}
    code, lines = verdict(report(vulnerable, clean, skipped), {})
    assert code == 1 and any("FINDING" in line and "GHSA-h5c8-rqwp-cp95" in line for line in lines)
    ignore = tmp_path / "ignore"
    ignore.write_text("# accepted\nCVE-2024-22195  only xmlattr with user keys is affected; unused here\n")
    code, lines = verdict(report(vulnerable, clean, skipped), read_ignores(ignore))
    assert code == 0 and any(line.startswith("accepted") and "unused here" in line for line in lines)
    ignore.write_text("CVE-2024-22195\n")
    with pytest.raises(verdict_module["IgnoreFileError"]):
        read_ignores(ignore)


def test_audit_verdict_reports_a_service_that_audited_nothing():
    code, lines = verdict_module["verdict"](report({"name": "flask", "skip_reason": "Dependency not found"}), {})
    assert code == 3 and "audited none" in lines[0]
    assert verdict_module["verdict"](report({"name": "flask", "version": "3.1.1", "vulns": []}), {})[0] == 0
