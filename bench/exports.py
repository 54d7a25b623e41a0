"""Exports at N and 10N (1,000 teams, about 4,500 members): time, size and peak memory.

The CSV is streamed from a server-side cursor in batches and the XLSX is written row by
row to a temporary file, so peak memory stays near one batch's while the data grows
tenfold (at N a challenge may not fill one batch, so the ratio can exceed 1 but stays far
below the data's 10x); the table prints the ratios 10N / N to show it. Memory is Python's
(tracemalloc) over the whole request, through the real app and its organiser login.
"""

from __future__ import annotations

import time
import tracemalloc

from bench.harness import BenchApp, table

EXPORTS = ("teams.csv", "members.csv", "members.xlsx", "scores.csv")


async def _download(bench: BenchApp, name: str) -> tuple[int, int]:
    """Bytes and lines of one download, read as it streams."""
    organiser = bench.data.organiser_id
    await bench.login(organiser)
    path = f"/challenges/{bench.data.challenge_ids[0]}/exports/{name}"
    size = lines = 0
    async with bench.client(organiser) as http, http.stream("GET", path) as response:
        assert response.status_code == 200, (name, response.status_code)
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    return size, lines


async def _measure(bench: BenchApp, name: str) -> tuple[float, int, int, int]:
    """Seconds (untraced: tracing slows every allocation), bytes, data rows, and peak
    traced bytes of one download (a second, traced run)."""
    await _download(bench, name)  # warm: the first request of a process pays for imports
    started = time.perf_counter()
    size, lines = await _download(bench, name)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    await _download(bench, name)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = lines - 1 if name.endswith(".csv") else 0
    return seconds, size, rows, peak


async def run(small: BenchApp, large: BenchApp) -> None:
    rows = []
    for name in EXPORTS:
        s_seconds, s_size, _rows, s_peak = await _measure(small, name)
        seconds, size, count, peak = await _measure(large, name)
        rows.append(
            [
                name,
                f"{count:,}" if count else "-",
                f"{size / 1e6:.2f} MB",
                f"{seconds * 1000:.0f} ms",
                f"{peak / 1e6:.1f} MB",
                f"{seconds / s_seconds:.1f}x",
                f"{peak / s_peak:.1f}x",
                f"{size / s_size:.1f}x",
            ]
        )
    print(
        table(
            "Exports of the 10N challenge (ratios are 10N / N)",
            ["export", "rows", "size", "time", "peak memory", "time", "memory", "size"],
            rows,
        ),
        flush=True,
    )
