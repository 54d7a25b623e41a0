"""wrk (Debian's) driven by bench/load.lua: a plan of requests in, per-kind latencies out.

Every run is bounded (wrk -d) and aims at the loopback URL it is given.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).with_name("load.lua")
TIMEOUT = "10s"  # a slower answer counts as a failed request


@dataclass(frozen=True)
class Request:
    """One request of a plan, and the answer it must get (a status, maybe a Location)."""

    kind: str
    method: str
    path: str
    cookie: str
    expect: int
    location: str = ""
    body: str = ""

    def line(self) -> str:
        fields = [self.kind, self.method, self.path, self.cookie, str(self.expect)]
        return "\t".join([*fields, self.location, self.body])


@dataclass(frozen=True)
class Page:
    """One wrk run: its plan is cycled through; `step` requests make one flow."""

    name: str
    plan: list[Request]
    step: int = 1
    connections: int | None = None  # this page's own number, else the run's


@dataclass
class Result:
    """What one wrk run measured."""

    seconds: float
    requests: int
    socket_errors: dict[str, int]  # connect, read, write, timeout (wrk's own counts)
    status_errors: int  # wrk: answers of 400 and more
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind -> seconds
    unexpected: dict[str, int] = field(default_factory=dict)  # kind -> wrong answers
    first_unexpected: str = ""
    acknowledged: dict[str, list[str]] = field(default_factory=dict)  # kind -> posts' paths

    @property
    def failures(self) -> int:
        return sum(self.socket_errors.values()) + max(
            self.status_errors, sum(self.unexpected.values())
        )


def run(base: str, page: Page, *, seconds: float, connections: int, work: Path) -> Result:
    """One wrk run of `seconds` against `base` (loopback), as many threads as connections."""
    plan, result = work / f"{page.name}.plan", work / f"{page.name}.result"
    plan.write_text("".join(r.line() + "\n" for r in page.plan), encoding="utf-8")
    result.unlink(missing_ok=True)
    env = {
        **os.environ,
        "MADRINA_LOAD_PLAN": str(plan),
        "MADRINA_LOAD_RESULT": str(result),
        "MADRINA_LOAD_THREADS": str(connections),
        "MADRINA_LOAD_STEP": str(page.step),
    }
    args = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", TIMEOUT]
    done = subprocess.run(
        [*args, "-s", str(SCRIPT), base],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 300,  # 100 threads each reading the plan: slow on a busy machine
        check=False,
    )
    if done.returncode != 0 or not result.exists():
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(result.read_text(encoding="utf-8"))


def parse(output: str) -> Result:
    """Read what load.lua's done() wrote."""
    summary: list[int] = []
    latencies: dict[str, list[float]] = {}
    unexpected: dict[str, int] = {}
    first = ""
    acknowledged: dict[str, list[str]] = {}
    for line in output.splitlines():
        tag, *rest = line.split("\t")
        if tag == "summary":
            summary = [int(x) for x in rest]
        elif tag == "latencies":
            samples = [int(x) / 1e6 for x in rest[1].split(",") if x]
            latencies.setdefault(rest[0], []).extend(samples)
        elif tag == "unexpected":
            unexpected[rest[0]] = unexpected.get(rest[0], 0) + int(rest[1])
        elif tag == "acked":
            acknowledged.setdefault(rest[0], []).append(rest[1])
        elif tag == "first_unexpected":
            first = first or rest[0]
    duration, requests, connect, read, write, status, timeout = summary
    sockets = {"connect": connect, "read": read, "write": write, "timeout": timeout}
    return Result(
        duration / 1e6, requests, sockets, status, latencies, unexpected, first, acknowledged
    )
