"""Every hot query is answered through an index at 5,000 projects (PostgreSQL only).

The database is filled by bench/data.py's generator (ten challenges of 500 projects, so a
challenge is a tenth of every table) plus audit entries, notifications and invitations,
then ANALYZEd. The statements are the ones the real pages and API send: they are captured
with SQLAlchemy's before_cursor_execute hook while the pages are asked for, then explained
(EXPLAIN (FORMAT JSON), with their own parameters). A sequential scan of a big table fails
the test: it is what makes a page slow down as the data grows. Sequential scans are
priced out while explaining (enable_seqscan, enable_hashjoin and enable_mergejoin off),
so a scan that remains is one that no index can replace, whatever the table's size; an
index walked end to end without a condition counts as a sequential scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event, insert, text
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts import service as accounts_service
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import RoleKind, User
from app.db import Database, utcnow
from app.events.models import AuditEntry
from app.invitations.models import Invitation, InvitationStatus
from app.judging.models import Assignment
from app.notifications.models import Notification
from bench.data import generate
from tests.queries import TRANSACTION_CONTROL

BIG_TABLES = frozenset(
    {
        "team",
        "project",
        "assignment",
        "score",
        "audit_entry",
        "adoption",
        "role",
        "notification",
        "invitation",
    }
)
CHALLENGES, TEAMS_PER_CHALLENGE = 10, 500  # 5,000 projects
EXTRA_PER_CHALLENGE = 2_000  # audit entries, notifications and invitations per challenge


async def _fill(db: Database) -> Any:
    data = await generate(
        db, challenges=CHALLENGES, teams=TEAMS_PER_CHALLENGE, judges=20, files=0, sponsors=10
    )
    now = utcnow()
    async with db.transaction() as session:
        people = data.coach_ids
        audit, notes, invites = [], [], []
        for c, challenge_id in enumerate(data.challenge_ids):
            for i in range(EXTRA_PER_CHALLENGE):
                person = people[(c * EXTRA_PER_CHALLENGE + i) % len(people)]
                at = now - timedelta(minutes=c * EXTRA_PER_CHALLENGE + i)
                audit.append(
                    {
                        "at": at,
                        "actor_id": person,
                        "action": "project.submitted",
                        "subject_type": "project",
                        "subject_id": str(i),
                        "challenge_id": challenge_id,
                        "data": {},
                    }
                )
                notes.append(
                    {
                        "kind": "deadline",
                        "subject_id": f"{c}:{i}",
                        "user_id": person,
                        "challenge_id": challenge_id,
                        "created_at": at,
                    }
                )
                invites.append(
                    {
                        "challenge_id": challenge_id,
                        "email": f"person-{c}-{i}@example.org",
                        "kind": RoleKind.JUDGE.value,
                        "invited_by": data.organiser_id,
                        "status": InvitationStatus.ACCEPTED.value,
                        "nonce": f"n{c}x{i}",
                        "created_at": at,
                        "sent_at": at,
                        "expires_at": at + timedelta(days=14),
                    }
                )
        await session.execute(insert(AuditEntry), audit)
        await session.execute(insert(Notification), notes)
        await session.execute(insert(Invitation), invites)
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))  # the statistics a server has after autovacuum
    return data


def _sequential_scans(plan: dict[str, Any]) -> Iterator[str]:
    """Big tables read whole: a Seq Scan, or an index walked end to end with no condition
    (the planner's way round enable_seqscan when the index only gives the order)."""
    table = plan.get("Relation Name")
    if table in BIG_TABLES:
        if plan.get("Node Type") == "Seq Scan":
            yield f"seq scan of {table}"
        elif "Index" in str(plan.get("Node Type")) and "Index Cond" not in plan:
            yield f"full scan of {plan.get('Index Name')} on {table}"
    for child in plan.get("Plans", []):
        yield from _sequential_scans(child)


async def test_hot_queries_use_indexes_at_5000_projects(app: Starlette, db: Database) -> None:
    if db.settings.is_sqlite:
        pytest.skip("the plans that matter are PostgreSQL's")
    data = await _fill(db)
    challenge = data.challenge_ids[len(data.challenge_ids) // 2]
    judge = data.judge_ids[len(data.judge_ids) // 2]
    async with db.read() as session:
        assignment = await session.scalar(
            select(Assignment.id).where(col(Assignment.judge_id) == judge).limit(1)
        )
    project = data.project_ids[len(data.project_ids) // 2]
    assert assignment is not None
    cookies: dict[str, dict[str, str]] = {}
    bearers: dict[str, dict[str, str]] = {}
    for who, user_id in (("judge", judge), ("organiser", data.organiser_id)):
        async with db.transaction() as session:
            user = await session.get(User, user_id)
            assert user is not None
            token = await accounts_service.start_session(session, user=user, days=1)
            _, secret = await accounts_service.create_api_token(session, user=user, name="x")
        cookies[who] = {SESSION_COOKIE: token}
        bearers[who] = {"authorization": f"Bearer {secret}"}
    pages = [
        ("anonymous", f"/challenges/{challenge}"),
        ("anonymous", f"/challenges/{challenge}?page=5"),
        ("anonymous", f"/api/v1/challenges/{challenge}/projects"),
        ("anonymous", f"/projects/{project}"),
        ("anonymous", f"/api/v1/projects/{project}"),
        ("judge", "/judging"),
        ("judge", "/api/v1/judging/assignments"),
        ("judge", f"/judging/assignments/{assignment}"),
        ("organiser", f"/challenges/{challenge}/ranking"),
        ("organiser", f"/api/v1/challenges/{challenge}/ranking"),
        ("organiser", f"/challenges/{challenge}/dashboard"),
        ("organiser", f"/challenges/{challenge}/adoptions"),
        ("organiser", f"/api/v1/challenges/{challenge}/adoptions"),
        ("organiser", f"/challenges/{challenge}/audit"),
        ("organiser", f"/challenges/{challenge}/notifications"),
        ("organiser", f"/challenges/{challenge}/invitations"),
        ("organiser", f"/api/v1/challenges/{challenge}/invitations"),
    ]
    sent: list[tuple[str, str, Any]] = []
    url = ""

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            sent.append((url, statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        for who, url in pages:
            async with AsyncClient(
                transport=ASGITransport(app=app),
                base_url="http://testserver",
                cookies=cookies.get(who, {}),
                headers=bearers.get(who, {}) if "/api/" in url else {},
            ) as http:
                response = await http.get(url)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)

    scans: list[str] = []
    explained = 0
    async with db.engine.connect() as conn:
        # At 5,000 rows PostgreSQL rightly reads a 50-page table whole for a hash or merge
        # join rather than probe an index 500 times; what matters is that an index can serve
        # each access as the table grows. With whole-table plans priced out, every table is
        # reached by a condition on an index, or the scan that stays has no index to use.
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
            await conn.exec_driver_sql(f"SET {setting} = off")
        for page, statement, parameters in sent:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            result = await conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
            raw = result.scalar_one()
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
            explained += 1
            scans.extend(
                f"{page}: {scan} in\n  {' '.join(statement.split())}"
                for scan in _sequential_scans(plan)
            )
    print(f"\n{explained} statements of {len(pages)} requests explained at 5,000 projects")
    assert explained >= len(pages)
    assert not scans, "\n".join(scans)
