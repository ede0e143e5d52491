"""Speed, memory and start-up of running Rasa servers, one configuration at a time.

For each configuration a Rasa server is started next to the one shared action server, timed
until its first REST answer, warmed up with every scripted conversation once, and then put
under closed-loop load (bench.load) at each level. CPU time of the Rasa and action server
process trees and of this load generator is read before and after each level, so the report
can say which process was busy. Memory (VmRSS) is read after the load.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

from bench import load, resources
from bench.servers import Process, first_answer, start_rasa, wait_healthy
from loopbrug.settings import Settings


@dataclass(frozen=True)
class Plan:
    """How long each measurement runs."""

    levels: Sequence[int] = (1, 10, 50)
    seconds: float = 20.0  # per load level
    max_messages: int = 20000
    parse_seconds: float = 10.0
    parse_max: int = 2000
    profile_seconds: int = 15
    profile_users: int = 10


def _load_level(
    url: str, users: int, plan: Plan, rasa: Process, actions: Process, keepalive: bool = True
) -> dict:
    before = resources.cpu_by_process(rasa.pid), resources.cpu_seconds(actions.pid)
    own, machine = time.process_time(), resources.machine_cpu_seconds()
    result = asdict(load.run_load(url, users, plan.seconds, plan.max_messages, keepalive=keepalive))
    result["keepalive"] = keepalive
    seconds = result["seconds"] or 1.0
    after = resources.cpu_by_process(rasa.pid)
    per_process = [(after[p] - before[0].get(p, 0.0)) / seconds for p in after]
    result["rasa_cores"] = sum(per_process)
    result["rasa_process_cores"] = sorted(per_process, reverse=True)
    result["actions_cores"] = (resources.cpu_seconds(actions.pid) - before[1]) / seconds
    result["generator_cores"] = (time.process_time() - own) / seconds
    busy = (resources.machine_cpu_seconds() - machine) / seconds
    ours = result["rasa_cores"] + result["actions_cores"] + result["generator_cores"]
    result["other_cores"] = max(0.0, busy - ours)  # everything else on the machine
    return result


def measure(
    name: str,
    settings: Settings,
    actions: Process,
    log_dir: Path,
    plan: Plan,
    levels: Sequence[int],
    new_connection_levels: Sequence[int] = (),
    started: Optional[float] = None,
    workers: int = 1,
    redis_url: Optional[str] = None,
    parse: bool = False,
    profile: bool = False,
    log: Callable[[str], None] = print,
) -> Dict[str, object]:
    """Start Rasa for ``settings``, measure it, stop it; the numbers as a dict.

    ``started``: when the clock for the cold start began (default: now, Rasa only).
    ``new_connection_levels``: levels run once more without keep-alive connections.
    """
    started = time.monotonic() if started is None else started
    rasa = start_rasa(name, settings, log_dir, workers=workers, redis_url=redis_url)
    url = settings.rasa_url
    result: Dict[str, object] = {"workers": workers, "lock_store": rasa.lock_store, "levels": {}}
    try:
        first_answer(url, rasa)
        result["cold_start_s"] = time.monotonic() - started
        log(f"{name}: first answer after {result['cold_start_s']:.1f} s")
        wait_healthy(f"http://{settings.host}:{settings.actions_port}/health", actions)
        load.warm_up(url)
        if parse:
            result["parse"] = asdict(
                load.parse_latency(url, settings.rasa_api_token, plan.parse_seconds, plan.parse_max)
            )
        runs = [(users, True) for users in levels]
        runs += [(users, False) for users in new_connection_levels]
        for users, keepalive in runs:
            level = _load_level(url, users, plan, rasa, actions, keepalive)
            key = str(users) if keepalive else f"{users}, new connection per message"
            result["levels"][key] = level
            log(
                f"{name}: {key} users: {level['throughput']:.1f} msg/s, "
                f"p50 {level['p50_ms']:.0f} ms, p95 {level['p95_ms']:.0f} ms, "
                f"errors {sum(level['errors'].values())}, Rasa {level['rasa_cores']:.2f} cores"
            )
        if profile:
            result["profile"] = _profile(url, rasa, plan, log_dir / f"{name}.pyspy.txt")
        result["rss_bytes"] = resources.rss_bytes(rasa.pid)
        result["processes"] = len(resources.process_tree(rasa.pid))
        result["actions_rss_bytes"] = resources.rss_bytes(actions.pid)
    finally:
        rasa.stop()
    return result


def _profile(url: str, rasa: Process, plan: Plan, out: Path) -> dict:
    """py-spy on the Rasa process during a separate, unmeasured load run."""
    spy = resources.start_profile(rasa.pid, plan.profile_seconds, out)
    if spy is None:
        return {"error": "py-spy is not installed"}
    time.sleep(1.0)  # let py-spy attach before the load starts
    load.run_load(url, plan.profile_users, plan.profile_seconds, plan.max_messages)
    _, stderr = spy.communicate(timeout=plan.profile_seconds + 60)
    if spy.returncode != 0 or not out.exists():
        return {"error": f"py-spy failed: {stderr.decode(errors='replace')[-300:]}"}
    summary = resources.summarise_profile(out.read_text(encoding="utf-8", errors="replace"))
    summary.update(seconds=plan.profile_seconds, users=plan.profile_users, file=str(out))
    return summary
