"""Dashboard page times under load: 20 concurrent logged-in users on a large store.

The store is the synthetic multi-channel cohort of :mod:`socialaudit.bench.cohort` (performance
data only), with synthetic classifier readings (from hashes, not the classifiers: reading 3M posts
would measure the classifiers, which ``bench classify`` does) routed to the department inboxes by
the default rules.  The server is ``socialaudit serve`` in its own process on loopback; the
load comes from ``users`` asyncio clients with their own sessions, each requesting the pages in
turn for ``seconds``.  Baseline in the same run: the same load on the login page, which touches
no data — the page times' ratio to it is what the store costs.
"""

from __future__ import annotations

import asyncio
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .cohort import generate_cohort

PASSWORD = "benchmark password 1"
PAGES = ["/", "/companies", "/companies/c1", "/industries", "/inbox/rnd", "/api/overview", "/api/inbox/rnd"]


def prepare_store(db: Path, posts: int, log=print) -> None:
    """Cohort + synthetic readings + routed items + two users, once per file."""
    from ..loop.inbox import route_store
    from ..loop.routing import load_rules
    from ..store import Store
    from ..web.users import add_user, create_table_if_missing

    log(f"generating a synthetic cohort of about {posts:,} posts in {db} (performance data only)")
    generate_cohort(db, posts)
    with Store(db) as store:
        con = store.con
        con.execute("""
            INSERT INTO enrichments
            SELECT channel, post_id, 'synthetic@bench', 'en', 0.99,
                   CASE h % 5 WHEN 0 THEN 'question' WHEN 1 THEN 'complaint' WHEN 2 THEN 'product_feedback'
                              WHEN 3 THEN 'praise' ELSE 'other' END, 0.9,
                   h % 5 = 0, 0.9, h % 5 = 1, 0.9, h % 5 = 2, 0.9, h % 5 = 3, 0.9,
                   CASE h % 3 WHEN 0 THEN 'negative' WHEN 1 THEN 'neutral' ELSE 'positive' END, 0.9, now()
            FROM (SELECT channel, post_id, hash(post_id) AS h FROM posts WHERE author_role = 'consumer')""")
        report = route_store(con, load_rules())
        log(f"  {report.added:,} inbox items routed")
        create_table_if_missing(con)
        add_user(con, "bench-analyst", PASSWORD, "analyst")
        add_user(con, "bench-rnd", PASSWORD, "department", "rnd")
        con.execute("CHECKPOINT")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _login(client, user: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"benchmark login failed: {response.status_code}")


async def _load(base: str, paths: list[str], users: int, seconds: float, login: bool,
                think: float = 0.0) -> dict[str, list[float]]:
    import httpx

    times: dict[str, list[float]] = {p: [] for p in paths}
    errors: list[str] = []
    limits = httpx.Limits(max_connections=users)

    async def user(i: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            if login:
                await _login(client, "bench-rnd" if "/inbox/rnd" in paths[0] else "bench-analyst")
            k, end = i, time.perf_counter() + seconds
            while time.perf_counter() < end:
                path = paths[k % len(paths)]
                k += 1
                t = time.perf_counter()
                r = await client.get(path)
                times[path].append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors.append(f"{path}: {r.status_code}")
                if think:
                    await asyncio.sleep(think * (0.5 + (k * 7919 % 1000) / 1000))  # 0.5-1.5x, spread out

    await asyncio.gather(*(user(i) for i in range(users)))
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    return times


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1] if len(values) > 1 else values[0]


def run(posts: int, workdir: Path, users: int = 20, seconds: float = 30.0, think: float = 1.0, log=print) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"serve_cohort_{posts}.duckdb"
    if not db.exists():
        prepare_store(db, posts, log)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "socialaudit", "serve", "--db", str(db), "--port", str(port),
                               "--log-level", "warning"], env={**os.environ, "SOCIALAUDIT_NO_PROGRESS": "1"})
    try:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        log("  warming: every page once (the first request computes the audit of the store)")
        t = time.perf_counter()
        asyncio.run(_load(base, PAGES, 1, 0.001, True))
        asyncio.run(_load(base, ["/inbox/rnd", "/api/inbox/rnd"], 1, 0.001, True))
        log(f"  warm in {time.perf_counter() - t:.1f} s; measuring {users} users for {seconds:.0f} s per run")
        baseline = asyncio.run(_load(base, ["/login"], users, seconds, False, think))
        analyst = asyncio.run(_load(base, [p for p in PAGES if "rnd" not in p], users, seconds, True, think))
        department = asyncio.run(_load(base, ["/inbox/rnd", "/api/inbox/rnd"], users, seconds, True, think))
    finally:
        server.terminate()
        server.wait(timeout=30)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        n_posts = con.execute("SELECT count(*) FROM posts").fetchone()[0]
    rows = []
    base_p95 = _quantile(baseline["/login"], 0.95)
    for path, values in {**baseline, **analyst, **department}.items():
        rows.append({"page": path, "requests": len(values), "p50_ms": 1000 * statistics.median(values),
                     "p95_ms": 1000 * _quantile(values, 0.95), "max_ms": 1000 * max(values),
                     "p95_vs_login": _quantile(values, 0.95) / base_p95})
    every = [v for d in (analyst, department) for vs in d.values() for v in vs]
    return {"posts": n_posts, "users": users, "seconds": seconds, "think": think, "pages": rows,
            "all_p95_ms": 1000 * _quantile(every, 0.95), "requests_per_s": len(every) / (2 * seconds)}


def markdown(result: dict) -> str:
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores (server and load client share them), "
             f"Python {platform.python_version()}; {result['posts']:,} posts, {result['users']} concurrent users, "
             f"{result['seconds']:.0f} s per run, each user pausing {result['think']:g} s (0.5-1.5x) between "
             "requests (0 = back to back: saturation).", "",
             "| page | requests | p50 ms | p95 ms | max ms | p95 vs login page |", "|---|---:|---:|---:|---:|---:|"]
    for r in result["pages"]:
        lines.append(f"| `{r['page']}` | {r['requests']:,} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
                     f"{r['max_ms']:.0f} | {r['p95_vs_login']:.1f}x |")
    lines.append("")
    lines.append(f"All data pages together: p95 {result['all_p95_ms']:.0f} ms, {result['requests_per_s']:.0f} "
                 "requests/s.")
    return "\n".join(lines)
