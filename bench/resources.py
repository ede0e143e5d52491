"""Memory, CPU time and profiles of running processes, read from /proc and with py-spy.

A process is counted with all its descendants (Sanic workers, multiprocessing helpers).
Resident memory (VmRSS) counts shared pages in every process that maps them, so the sum over
forked workers is an upper bound.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

from bench.common import VENV_BIN
from loopbrug.settings import ROOT

PY_SPY = VENV_BIN / "py-spy"
FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def _stat_fields(pid: int) -> List[str]:
    """Fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def process_tree(pid: int) -> List[int]:
    """``pid`` and every living descendant."""
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(_stat_fields(int(entry.name))[1])
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants (VmRSS from /proc), in bytes."""
    total_kb = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb * 1024


def cpu_by_process(pid: int) -> Dict[int, float]:
    """User plus system CPU seconds used so far by ``pid`` and each living descendant."""
    seconds = {}
    for member in process_tree(pid):
        try:
            fields = _stat_fields(member)
            seconds[member] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            continue
    return seconds


def cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its living descendants together."""
    return sum(cpu_by_process(pid).values())


def machine_cpu_seconds() -> float:
    """CPU seconds every process on the machine has used (busy time from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def start_profile(pid: int, seconds: int, out: Path) -> Optional[subprocess.Popen]:
    """py-spy sampling ``pid`` for ``seconds`` into a raw (collapsed stacks) file, or None."""
    if not PY_SPY.exists():
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(PY_SPY), "record", "-d", str(seconds), "-p", str(pid), "--subprocesses"]
    argv += ["-f", "raw", "-o", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def where(file: str) -> str:
    """A frame's file, short: package-relative for libraries, repository-relative for ours."""
    for marker in ("site-packages/", "dist-packages/"):
        if marker in file:
            return file.split(marker, 1)[1]
    root = str(ROOT) + "/"
    if file.startswith(root):
        return file[len(root) :]
    match = re.search(r"/lib/python3\.\d+/(.*)", file)
    return f"stdlib/{match.group(1)}" if match else file


def area(file: str) -> str:
    """The package a frame belongs to: 'tensorflow', 'rasa', 'stdlib/asyncio', 'actions', ..."""
    parts = where(file).split("/")
    if parts[0] == "stdlib":
        return "stdlib/" + parts[1].removesuffix(".py") if len(parts) > 1 else "stdlib"
    return parts[0].removesuffix(".py")


def summarise_profile(raw: str, top: int = 8) -> dict:
    """Where the sampled process spent its busy time, from py-spy's raw output.

    - by_area: share of samples per package of the innermost frame (where the CPU was);
    - self: the innermost functions with the most samples;
    - inclusive: functions of rasa and of this project that were on the stack most often
      (leaving out the ones present in nearly every sample: the event loop and the server).
    """
    total = 0
    by_area: Counter = Counter()
    own: Counter = Counter()
    inclusive: Counter = Counter()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [FRAME.match(f) for f in stack.split(";")]
        frames = [f for f in frames if f]
        if not frames:
            continue
        leaf = frames[-1]
        by_area[area(leaf["file"])] += count
        own[f"{leaf['function']} ({where(leaf['file'])})"] += count
        names = set()
        for frame in frames:
            place = where(frame["file"])
            if place.startswith(("rasa/", "bot/", "actions/", "connectors/")):
                names.add(f"{frame['function']} ({place})")
        for name in names:
            inclusive[name] += count

    def shares(counter: Counter, limit: float = 1.01) -> List[List]:
        rows = [[name, n / total] for name, n in counter.most_common() if n / total < limit]
        return rows[:top]

    if not total:
        return {"samples": 0, "by_area": [], "self": [], "inclusive": []}
    return {
        "samples": total,
        "by_area": shares(by_area),
        "self": shares(own),
        "inclusive": shares(inclusive, limit=0.9),
    }
