"""Reads pip-audit's JSON report and the ignore file, prints what was found, and exits:
0 clean (or every finding accepted), 1 a finding not accepted, 3 the service audited nothing.

    python scripts/audit_verdict.py REPORT.json IGNORE_FILE

The ignore file holds one accepted vulnerability a line, its id then the reason it is accepted:
    GHSA-xxxx-xxxx-xxxx  only reached through X, which the portal does not use
Blank lines and lines starting with # are skipped; an id without a reason is an error.
"""
import json
import sys
from pathlib import Path

CLEAN, FINDINGS, NOTHING_AUDITED, BAD_IGNORE_FILE = 0, 1, 3, 4


class IgnoreFileError(ValueError):
    """A line of the ignore file without a reason."""


def read_ignores(path: Path) -> dict[str, str]:
    """{vulnerability id: reason} from the ignore file (missing file: nothing accepted)."""
    if not path.exists():
        return {}
    accepted = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise IgnoreFileError(f"{path}:{number}: {vuln_id} has no reason; write why it is accepted after the id")
        accepted[vuln_id] = reason.strip()
    return accepted


def verdict(report: dict, accepted: dict[str, str]) -> tuple[int, list[str]]:
    """The exit code and the lines to print for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    if not audited:
        reason = skipped[0]["skip_reason"] if skipped else "no dependency in the report"
        return NOTHING_AUDITED, [f"the vulnerability service audited none of the {len(deps)} packages "
                                 f"(first answer: {reason})"]
    lines, open_findings = [], 0
    for dep in audited:
        for vuln in dep.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            known = next((i for i in ids if i in accepted), None)
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            if known:
                lines.append(f"accepted  {dep['name']} {dep['version']} {vuln['id']}: {accepted[known]}")
            else:
                open_findings += 1
                lines.append(f"FINDING   {dep['name']} {dep['version']} {vuln['id']} (fixed in: {fixes})")
    if skipped:
        lines.append(f"not known to the service ({len(skipped)}): " + ", ".join(d["name"] for d in skipped))
    lines.append(f"{len(audited)} packages audited, {open_findings} finding(s) not accepted")
    return (FINDINGS if open_findings else CLEAN), lines


def main(argv: list[str]) -> int:
    report_path, ignore_path = Path(argv[1]), Path(argv[2])
    try:
        accepted = read_ignores(ignore_path)
    except IgnoreFileError as exc:
        print(exc)
        return BAD_IGNORE_FILE
    code, lines = verdict(json.loads(report_path.read_text(encoding="utf-8")), accepted)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
