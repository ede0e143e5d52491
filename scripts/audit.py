"""Check the pinned dependencies for known vulnerabilities: `make audit`.

`make audit` needs a vulnerability service (PyPI's per-version JSON API or OSV); the
development and CI machines reach neither, so `make test` runs only ``--offline``: the
documented list must still match the pinned versions (see docs/security.md).

Runs pip-audit over requirements/lock.txt against PyPI's vulnerability data and compares the
result with requirements/audit-ignore.txt, whose lines read ``ID package==version reason``.
Fails (exit 1) when a vulnerability is not in that list, when a listed ID no longer appears
(stale: delete the line), when a listed version no longer matches the lock (re-check the
reason), and when any pin could not be audited: a service that does not answer must never
pass as "no vulnerabilities". docs/security.md explains how to update the list.

Run it with the Python of the virtualenv that has pip-audit (var/audit-venv, see Makefile).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
IGNORE = ROOT / "requirements" / "audit-ignore.txt"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_ignores(path: Path) -> list[tuple[str, str, str, str]]:
    """(ID, package, version, reason) for every line; comments and blank lines are skipped."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 3 or "==" not in parts[1]:
            sys.exit(f"{path.name}:{number}: expected 'ID package==version reason', got {line!r}")
        package, version = parts[1].split("==", 1)
        entries.append((parts[0], canonical(package), version, parts[2]))
    return entries


def run_pip_audit() -> dict:
    command = [
        sys.executable, "-m", "pip_audit",
        "--requirement", str(LOCK), "--no-deps", "--disable-pip",
        "--vulnerability-service", "pypi", "--timeout", "30",
        "--format", "json", "--aliases", "on", "--desc", "on", "--progress-spinner", "off",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.exit(f"pip-audit failed (exit {done.returncode}) without a report:\n{done.stderr}")


def read_lock(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==", 1)
            pins[canonical(name.strip())] = version.split(";")[0].strip()
    return pins


def check_ignores_match_lock(ignores: list[tuple[str, str, str, str]]) -> int:
    """The offline part, run by `make test`: every documented vulnerability names a pin that
    is still in the lock at that version, so a changed pin forces its reason to be re-checked."""
    pins = read_lock(LOCK)
    problems = [
        f"{vid} {package}=={version}: the lock has "
        f"{package + '==' + pins[package] if package in pins else 'no ' + package}; "
        "re-check the reason and update the line"
        for vid, package, version, _ in ignores
        if pins.get(package) != version
    ]
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"audit list: {len(ignores)} documented vulnerabilities match requirements/lock.txt")
    return 1 if problems else 0


def main() -> int:
    ignores = read_ignores(IGNORE) if IGNORE.exists() else []
    if "--offline" in sys.argv[1:]:
        return check_ignores_match_lock(ignores)
    report = run_pip_audit()
    deps = report["dependencies"]
    skipped = [d for d in deps if "skip_reason" in d]
    if skipped:
        print(f"AUDIT NOT DONE: {len(skipped)} of {len(deps)} pins could not be audited:")
        for dep in skipped[:5]:
            print(f"  {dep['name']}: {dep['skip_reason']}")
        print(
            "PyPI's vulnerability data (its JSON API, /pypi/NAME/VERSION/json) did not answer"
            " for them; without it nothing is known about these pins, so this is a failure,"
            " not a pass. See docs/security.md, 'Where the audit can run'."
        )
        return 1

    problems, used, accepted = [], set(), 0
    for dep in deps:
        for vuln in dep["vulns"]:
            names = [vuln["id"], *vuln["aliases"]]
            ids = {name.upper() for name in names}
            matches = [e for e in ignores if e[0].upper() in ids and e[1] == dep["name"]]
            used.update(e[0] for e in matches)
            stale_version = [e for e in matches if e[2] != dep["version"]]
            if matches and not stale_version:
                accepted += 1
                continue
            fixes = ", ".join(vuln["fix_versions"]) or "none"
            why = (
                f"listed for {stale_version[0][2]}: re-check the reason and update the line"
                if stale_version
                else "not in requirements/audit-ignore.txt"
            )
            problems.append(
                f"{dep['name']}=={dep['version']} {vuln['id']} (aliases: {', '.join(names[1:])};"
                f" fixed in: {fixes}) {why}\n    {vuln['description'][:400]}"
            )
    for entry in ignores:
        if entry[0] not in used:
            problems.append(f"stale ignore: {entry[0]} ({entry[1]}) no longer reported; delete it")

    print(f"pip-audit: {len(deps)} pins audited, {accepted} documented vulnerabilities accepted.")
    for problem in problems:
        print(f"FAIL {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
