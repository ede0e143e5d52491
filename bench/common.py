"""Small helpers every benchmark part shares: paths, environment, ports, percentiles."""

from __future__ import annotations

import math
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from loopbrug.settings import ROOT

BENCH_DIR = ROOT / "var" / "bench"
VENV_BIN = Path(sys.executable).parent
RASA = str(VENV_BIN / "rasa")


def bench_environment(base: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """Environment for the Rasa commands the benchmark starts.

    Rasa's training cache is switched off (RASA_MAX_CACHE_SIZE=0): a timed training must
    really train every component, and fold models must not fill the shared cache.
    """
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUDA_VISIBLE_DEVICES": "-1",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_MAX_CACHE_SIZE": "0",
        }
    )
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_logged(
    argv: Sequence[str],
    log: Path,
    env: Optional[Mapping[str, str]] = None,
    timeout: float = 1800.0,
) -> float:
    """Run a command from the repository root, output to ``log``; seconds it took.

    A command still running after ``timeout`` seconds is killed and fails the part.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log, "wb") as out:
        done = subprocess.run(
            list(argv),
            cwd=ROOT,
            env=dict(env or bench_environment()),
            stdout=out,
            stderr=out,
            timeout=timeout,
        )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({done.returncode}), see {log}:\n{tail}")
    return seconds


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean_and_std(values: Sequence[float]) -> tuple:
    """Mean and sample standard deviation (n-1); std is 0 for fewer than two values."""
    if not values:
        return math.nan, math.nan
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> Dict[str, object]:
    """Where the run happened: CPU, cores, memory, Python, commit and whether the tree was clean."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = math.nan
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    changed: List[str] = [line for line in git("status", "--porcelain").splitlines() if line]
    return {
        "cpu": cpu or platform.processor() or platform.machine(),
        "arch": platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "uncommitted_files": len(changed),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
