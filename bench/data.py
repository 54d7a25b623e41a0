"""The one synthetic data generator every benchmark uses.

Rows are written straight through the models with bulk INSERTs (no services, no events,
no audit entries): 26,000 rows and 1,000 stored PDFs take about three seconds. The one
exception is `extras`' published results, fixed by the organisers' own `publish_results`
(so the awards are the ranking's). Everything random comes from `random.Random(seed)`: the
same arguments on an empty database give the same rows (storage keys and timestamps aside).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, insert, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from app.accounts.models import Role, RoleKind, User, new_nonce
from app.certificates import service as certificates_service
from app.certificates.models import Certificate, CertificateKind, CertificateStatus
from app.challenges.models import (
    Challenge,
    Institution,
    InstitutionKind,
    Phase,
    PhaseKind,
    Programme,
    Track,
)
from app.db import Database, utcnow
from app.judging import results
from app.judging.allocation import allocate
from app.judging.models import (
    Assignment,
    Criterion,
    PairwiseJudge,
    PairwiseVote,
    Round,
    RoundKind,
    RoundStatus,
    Rubric,
    Score,
)
from app.sponsors.models import (
    Adoption,
    AdoptionMilestone,
    AdoptionStatus,
    Company,
    CompanyRepresentative,
    MilestoneKind,
    Side,
    Sponsor,
    SponsorRepresentative,
)
from app.storage import LocalStorage, StoredFile
from app.teams.models import Project, ProjectFile, ProjectStatus, Team, TeamMember

PASSWORD = "bench-password-2026"  # noqa: S105 - synthetic accounts in throw-away databases
# argon2 is slow on purpose; one hash serves every synthetic account.
_HASH: str | None = None

# fmt: off
FIRST_NAMES = (
    "Giulia", "Marco", "Sofia", "Luca", "Aurora", "Matteo", "Alice", "Lorenzo", "Ginevra",
    "Leonardo", "Emma", "Francesco", "Giorgia", "Alessandro", "Beatrice", "Tommaso", "Chiara",
    "Riccardo", "Martina", "Edoardo", "Anna", "Gabriele", "Elisa", "Davide", "Sara", "Pietro",
    "Noemi", "Filippo", "Greta", "Andrea",
)
LAST_NAMES = (
    "Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi",
    "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara",
    "Galli", "Martini", "Leone", "Longo",
)
TOWNS = (
    "Mantova", "Suzzara", "Viadana", "Castiglione", "Ostiglia", "Asola", "Gonzaga", "Sabbioneta",
    "Curtatone", "Porto",
)
# fmt: on
SCHOOL_KINDS = (
    ("ITIS", InstitutionKind.SCHOOL),
    ("Liceo scientifico", InstitutionKind.SCHOOL),
    ("Istituto tecnico agrario", InstitutionKind.SCHOOL),
    ("CFP", InstitutionKind.TRAINING_CENTRE),
    ("Università, campus", InstitutionKind.UNIVERSITY),
)
TRACKS = (
    ("Acqua", "Usare meno acqua potabile e recuperare quella piovana."),
    ("Spreco alimentare", "Dalla mensa al mercato, senza buttare il cibo."),
    ("Mobilità", "Andare a scuola e al lavoro inquinando meno."),
    ("Energia", "Consumare meno e produrre pulito, a scuola e a casa."),
)
IDEAS = (
    "Sensori per l'acqua piovana",
    "Mensa senza avanzi",
    "Bici condivise",
    "Orto verticale",
    "Pedibus digitale",
    "Compost di quartiere",
    "Mappa delle fontane",
    "Tetto fotovoltaico",
    "App per il car pooling",
    "Frigo solidale",
)
PLACES = (
    "per i giardini scolastici",
    "in città",
    "tra i comuni della provincia",
    "per le famiglie",
    "al mercato",
    "lungo il Mincio",
)
CRITERIA = (
    ("Innovazione", 30, "Quanto è nuova l'idea rispetto a ciò che esiste già?"),
    ("Fattibilità", 30, "Si può realizzare con risorse e tempi ragionevoli?"),
    ("Impatto", 25, "Quanto migliora l'ambiente e la vita delle persone?"),
    ("Presentazione", 15, "È chiara, completa e convincente?"),
)


def password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = PasswordHasher().hash(PASSWORD)
    return _HASH


def tiny_pdf(title: str) -> bytes:
    """A real one-page PDF (Helvetica text, correct cross-reference table), about 600 bytes."""
    text = title.encode("latin-1", "replace").replace(b"\\", b"\\\\")
    text = text.replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


@dataclass(frozen=True)
class Extras:
    """What the pages of issues 9 and 10 need (generate's `extras`), by id."""

    results_challenge_id: int  # every round closed, the results published
    coach_id: int  # the coach of a team ranked mid-table there, reading its feedback
    feedback_project_id: int
    certificate_code: str  # an issued award certificate there
    vote_round_id: int  # an open people's-choice round of a third challenge
    pairwise_round_id: int  # an open pairwise round of that challenge, half walked
    expo_judge_id: int  # one of its judges (not a judge of the first challenge)
    company_id: int  # the company of the first challenge's first sponsor
    representative_id: int
    adoption_id: int  # that company's accepted adoption, followed up with milestones


@dataclass
class BenchData:
    """What was made, by id, for the benchmarks to log in and ask for pages."""

    password: str
    organiser_id: int
    challenge_ids: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    project_ids: list[int] = field(default_factory=list)
    judge_ids: list[int] = field(default_factory=list)
    coach_ids: list[int] = field(default_factory=list)
    sponsor_ids: list[int] = field(default_factory=list)
    round_ids: list[int] = field(default_factory=list)
    assignment_ids: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    extras: Extras | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _Writer:
    """Bulk INSERTs through the models, counting rows per table.

    Ids are given here rather than returned by the database: SQLite cannot promise that
    RETURNING rows come back in the order of a multi-row INSERT, and SQLAlchemy then falls
    back to one statement per row. The transaction holds the write lock, so nobody else
    takes an id meanwhile; PostgreSQL's sequences are moved past them at the end.
    """

    def __init__(self, session: AsyncSession, data: BenchData) -> None:
        self.session = session
        self.data = data
        self.next_id: dict[str, int] = {}

    async def ids(self, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
        """Insert many rows and return their ids, in the rows' order."""
        if not rows:
            return []
        name = _table_name(model)
        if name not in self.next_id:
            table: Any = model
            last = await self.session.scalar(select(func.max(table.id)))
            self.next_id[name] = (last or 0) + 1
        first = self.next_id[name]
        ids = list(range(first, first + len(rows)))
        self.next_id[name] = first + len(rows)
        await self.rows(model, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
        return ids

    async def rows(self, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
        if rows:
            # Core INSERT: the ORM's bulk insert splits rows by which values are None.
            table: Any = model
            await self.session.execute(insert(table.__table__), rows)
            name = _table_name(model)
            self.data.rows[name] = self.data.rows.get(name, 0) + len(rows)

    def apart(self) -> _Writer:
        """A writer whose ids go to lists of their own (the main lists stay the first
        challenges'), taking ids from the same counters and counting rows in the same table."""
        other = _Writer(
            self.session,
            BenchData(self.data.password, self.data.organiser_id, rows=self.data.rows),
        )
        other.next_id = self.next_id
        return other

    async def fix_sequences(self) -> None:
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name in self.next_id:
            await self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT max(id) FROM "{name}"))'
                )
            )


def _table_name(model: type[SQLModel]) -> str:
    return str(getattr(model, "__tablename__", model.__name__))


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _user(email: str, name: str, now: datetime) -> dict[str, Any]:
    return {
        "email": email,
        "name": name,
        "password_hash": password_hash(),
        "is_admin": False,
        "is_active": True,
        "locale": "it",
        "created_at": now,
        "email_verified_at": now,
        "link_nonce": new_nonce(),
        "totp_last_step": 0,
    }


def _store_pdfs(storage: LocalStorage, titles: list[str]) -> list[StoredFile]:
    # Each save fsyncs; threads overlap the waits (1,000 files in 1-3 s).
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda title: storage.save(tiny_pdf(title)), titles))


async def generate(
    db: Database,
    *,
    challenges: int = 1,
    teams: int = 100,
    projects_per_team: int = 1,
    files: int = 1,
    judges: int = 10,
    judges_per_project: int = 3,
    sponsors: int | None = None,
    scores: bool = True,
    extras: bool = False,
    seed: int = 0,
    storage: LocalStorage | None = None,
) -> BenchData:
    """Fill the database with `challenges` published challenges, all phases open.

    Per challenge: `teams` teams with 3-6 members (one with an account), each with
    `projects_per_team` submitted project (0 or 1: a team has one project) carrying `files`
    small PDFs; `judges` judges, an open round giving every project `judges_per_project`
    judges with balanced loads, and, with `scores`, every assignment scored and submitted;
    `sponsors` companies (default teams/20, at least 2) with a representative and some
    adoptions. One organiser runs every challenge. Every account's password is PASSWORD.

    With `extras` (the pages of issues 9 and 10, see Extras): the first challenge's sponsors
    are companies, the first one with an accepted adoption followed up; a second challenge
    like the first (without files or sponsors) has its round closed and its results
    published, with an award certificate; a third (projects only) has an open people's-choice
    round and an open pairwise round that its `judges` judges are walking.
    """
    if projects_per_team not in (0, 1):
        raise ValueError("projects_per_team must be 0 or 1 (the model allows one per team)")
    judges_per_project = min(judges_per_project, judges)
    sponsors = max(2, teams // 20) if sponsors is None else sponsors
    rng = random.Random(seed)
    storage = storage or LocalStorage(db.settings.storage_dir)
    now = utcnow()
    async with db.transaction() as session:
        # A prefix per call keeps e-mails and slugs unique when a database gets two datasets.
        run = await session.scalar(select(func.count()).select_from(Challenge)) or 0
        tag = f"r{run}s{seed}"
        w = _Writer(session, BenchData(password=PASSWORD, organiser_id=0))
        data = w.data
        (data.organiser_id,) = await w.ids(
            User, [_user(f"organiser.{tag}@bench.example", "Organizzazione LTO", now)]
        )
        programme_id = None
        if challenges > 1:
            (programme_id,) = await w.ids(
                Programme,
                [
                    {
                        "slug": f"percorsi-{tag}",
                        "name": "Percorsi green",
                        "description": "Climathon, poi Impresa in azione, poi Hackathon.",
                        "created_at": now,
                    }
                ],
            )
        institution_ids = await w.ids(
            Institution,
            [
                {
                    "name": f'{SCHOOL_KINDS[i % 5][0]} "{rng.choice(LAST_NAMES)}" {tag}-{i}',
                    "kind": SCHOOL_KINDS[i % 5][1].value,
                    "city": TOWNS[i % len(TOWNS)],
                }
                for i in range(max(2, teams // 4))
            ],
        )
        for c in range(challenges):
            await _challenge(
                w, rng, c, tag=tag, now=now, storage=storage, institution_ids=institution_ids,
                programme_id=programme_id, teams=teams, projects_per_team=projects_per_team,
                files=files, judges=judges, judges_per_project=judges_per_project,
                sponsors=sponsors, scores=scores,
            )  # fmt: skip
        if extras:
            data.extras = await _extras(
                w, random.Random(seed + 1), challenges, tag=tag, now=now, storage=storage,
                institution_ids=institution_ids, teams=teams, judges=judges,
                judges_per_project=judges_per_project,
            )  # fmt: skip
        await w.fix_sequences()
    return data


async def _challenge(
    w: _Writer,
    rng: random.Random,
    c: int,
    *,
    tag: str,
    now: datetime,
    storage: LocalStorage,
    institution_ids: list[int],
    programme_id: int | None,
    teams: int,
    projects_per_team: int,
    files: int,
    judges: int,
    judges_per_project: int,
    sponsors: int,
    scores: bool,
) -> None:
    data = w.data
    day = timedelta(days=1)
    (challenge_id,) = await w.ids(
        Challenge,
        [
            {
                "slug": f"climathon-{tag}-{c}",
                "title": f"Climathon Mantova {2026 + c}",
                "summary": "Idee delle scuole per l'acqua, il cibo e la mobilità.",
                "description": "Una giornata di idee, poi le imprese madrine adottano le migliori. "
                * 8,
                "programme_id": programme_id,
                "stage": c + 1,
                "timezone": "Europe/Rome",
                "is_published": True,
                "announced_phase": PhaseKind.JUDGING.value,
                "created_by": data.organiser_id,
                "created_at": now - 40 * day,
            }
        ],
    )
    data.challenge_ids.append(challenge_id)
    windows = {
        PhaseKind.REGISTRATION: (-30, 20),
        PhaseKind.SUBMISSION: (-20, 10),
        PhaseKind.JUDGING: (-5, 15),
        PhaseKind.ADOPTION: (-5, 30),
    }
    await w.rows(
        Phase,
        [
            {"challenge_id": challenge_id, "kind": kind.value, "starts_at": now + a * day,
             "ends_at": now + b * day}
            for kind, (a, b) in windows.items()
        ],
    )  # fmt: skip
    track_ids = await w.ids(
        Track,
        [
            {"challenge_id": challenge_id, "name": name, "description": text, "position": i}
            for i, (name, text) in enumerate(TRACKS)
        ],
    )

    # People: coaches (one per three teams), judges, sponsor representatives, students.
    coach_count = max(1, teams // 3)
    people: list[dict[str, Any]] = []
    for kind, count in (("coach", coach_count), ("judge", judges), ("sponsor", sponsors)):
        for i in range(count):
            first, last = _person(rng)
            people.append(_user(f"{kind}{i}.{c}.{tag}@bench.example", f"{first} {last}", now))
    student_rows = []
    for i in range(teams):
        first, last = _person(rng)
        student_rows.append(_user(f"student{i}.{c}.{tag}@bench.example", f"{first} {last}", now))
    ids = await w.ids(User, people + student_rows)
    coach_ids = ids[:coach_count]
    judge_ids = ids[coach_count : coach_count + judges]
    rep_ids = ids[coach_count + judges : coach_count + judges + sponsors]
    student_ids = ids[coach_count + judges + sponsors :]
    data.coach_ids += coach_ids
    data.judge_ids += judge_ids
    roles = [(data.organiser_id, RoleKind.ORGANISER)]
    roles += [(uid, RoleKind.COACH) for uid in coach_ids]
    roles += [(uid, RoleKind.JUDGE) for uid in judge_ids]
    roles += [(uid, RoleKind.SPONSOR) for uid in rep_ids]
    roles += [(uid, RoleKind.PARTICIPANT) for uid in student_ids]
    await w.rows(
        Role,
        [
            {"user_id": uid, "challenge_id": challenge_id, "kind": kind.value, "created_at": now}
            for uid, kind in roles
        ],
    )

    # Teams, their members (minors with a guardian's consent, one student with an account).
    team_rows = []
    for i in range(teams):
        class_name = f"{rng.randint(1, 5)}{'ABCDEF'[i % 6]}"
        team_rows.append(
            {
                "challenge_id": challenge_id,
                "name": f"{class_name} {rng.choice(IDEAS).split()[0]} {i}",
                "track_id": rng.choice(track_ids),
                "institution_id": rng.choice(institution_ids),
                "class_name": class_name,
                "coach_id": coach_ids[i % coach_count],
                "created_at": now - timedelta(days=25, minutes=i),
            }
        )
    team_ids = await w.ids(Team, team_rows)
    data.team_ids += team_ids
    member_rows = []
    for i, team_id in enumerate(team_ids):
        for m in range(rng.randint(3, 6)):
            first, last = _person(rng)
            minor = rng.random() < 0.85
            member_rows.append(
                {
                    "team_id": team_id,
                    "first_name": first,
                    "last_name": last,
                    "is_minor": minor,
                    "consent_at": now - 20 * day if minor else None,
                    "user_id": student_ids[i] if m == 0 else None,
                }
            )
    await w.rows(TeamMember, member_rows)
    if projects_per_team == 0:
        return

    # Submitted projects, and their files in real storage.
    project_rows = []
    for i, (team_id, team) in enumerate(zip(team_ids, team_rows, strict=True)):
        title = f"{rng.choice(IDEAS)} {rng.choice(PLACES)} ({i})"
        project_rows.append(
            {
                "team_id": team_id,
                "challenge_id": challenge_id,
                "track_id": team["track_id"],
                "title": title,
                "summary": f"{title}: un'idea della classe {team['class_name']}.",
                "description": "Il problema, la soluzione, chi la usa e quanto costa. " * 12,
                "status": ProjectStatus.SUBMITTED.value,
                "version": rng.randint(1, 6),
                "submitted_at": now - timedelta(days=6, minutes=i),
                "created_at": now - 24 * day,
                "updated_at": now - timedelta(days=6, minutes=i),
            }
        )
    project_ids = await w.ids(Project, project_rows)
    data.project_ids += project_ids
    titles = [f"{row['title']} - allegato {f + 1}" for row in project_rows for f in range(files)]
    # The files' fsyncs run in threads while the rest is inserted.
    storing = asyncio.create_task(asyncio.to_thread(_store_pdfs, storage, titles))
    try:
        await _sponsors_and_judging(
            w, rng, challenge_id, now=now, project_ids=project_ids, team_rows=team_rows,
            rep_ids=rep_ids, judge_ids=judge_ids, judges_per_project=judges_per_project,
            sponsors=sponsors, scores=scores,
        )  # fmt: skip
    finally:
        stored = await storing
    await w.rows(
        ProjectFile,
        [
            {
                "project_id": project_ids[n // files],
                "storage_key": s.key,
                "display_name": f"presentazione-{n % files + 1}.pdf",
                "content_type": "application/pdf",
                "size": s.size,
                "sha256": s.sha256,
                "uploaded_by": team_rows[n // files]["coach_id"],
                "uploaded_at": now - 7 * day,
            }
            for n, s in enumerate(stored)
        ],
    )


async def _sponsors_and_judging(
    w: _Writer,
    rng: random.Random,
    challenge_id: int,
    *,
    now: datetime,
    project_ids: list[int],
    team_rows: list[dict[str, Any]],
    rep_ids: list[int],
    judge_ids: list[int],
    judges_per_project: int,
    sponsors: int,
    scores: bool,
) -> None:
    data = w.data
    day = timedelta(days=1)
    # Sponsors with one representative each; some adopt projects.
    sponsor_ids = await w.ids(
        Sponsor,
        [
            {
                "challenge_id": challenge_id,
                "name": f"{LAST_NAMES[i % len(LAST_NAMES)]} {'S.p.A.' if i % 2 else 'S.r.l.'} {i}",
                "website": f"https://impresa{i}.example",
                "description": "Impresa madrina del territorio mantovano.",
                "institution_id": None,
                "created_at": now - 30 * day,
            }
            for i in range(sponsors)
        ],
    )
    data.sponsor_ids += sponsor_ids
    await w.rows(
        SponsorRepresentative,
        [{"sponsor_id": s, "user_id": u} for s, u in zip(sponsor_ids, rep_ids, strict=True)],
    )
    statuses = [AdoptionStatus.PROPOSED, AdoptionStatus.ACCEPTED, AdoptionStatus.DECLINED]
    adoptions = []
    if sponsor_ids:
        for i, project_id in enumerate(project_ids):
            if rng.random() < 0.15:
                status = rng.choice(statuses)
                adoptions.append(
                    {
                        "challenge_id": challenge_id,
                        "sponsor_id": sponsor_ids[i % len(sponsor_ids)],
                        "project_id": project_id,
                        "status": status.value,
                        "mentoring_hours": rng.choice((0, 5, 10, 20)),
                        "internships": rng.choice((0, 1, 2)),
                        "funding_eur": rng.choice((0, 500, 1000, 2500)),
                        "message": "Ci piace molto: vi seguiamo noi.",
                        "proposed_by": rep_ids[i % len(rep_ids)],
                        "proposed_at": now - 3 * day,
                        "decided_by": None
                        if status == AdoptionStatus.PROPOSED
                        else team_rows[i]["coach_id"],
                        "decided_at": None if status == AdoptionStatus.PROPOSED else now - day,
                    }
                )
    await w.rows(Adoption, adoptions)

    # Judging: a rubric, an open round, k judges per project, and scores.
    if not judge_ids:
        return
    (rubric_id,) = await w.ids(
        Rubric, [{"challenge_id": challenge_id, "name": "Griglia Climathon", "scale_min": 1,
                  "scale_max": 5}],
    )  # fmt: skip
    criterion_ids = await w.ids(
        Criterion,
        [
            {"rubric_id": rubric_id, "name": name, "guidance": guidance, "weight": weight,
             "position": i}
            for i, (name, weight, guidance) in enumerate(CRITERIA)
        ],
    )  # fmt: skip
    (round_id,) = await w.ids(
        Round,
        [
            {
                "challenge_id": challenge_id,
                "rubric_id": rubric_id,
                "name": "Valutazione finale",
                "status": RoundStatus.OPEN.value,
                "judges_per_project": judges_per_project,
                "opened_at": now - 5 * day,
                "closed_at": None,
            }
        ],
    )
    data.round_ids.append(round_id)
    # The product's own allocator: k judges per project, loads within one of each other.
    panels = allocate(project_ids, judge_ids, per_project=judges_per_project, conflicts={})
    pairs = [
        (project_id, judge_id) for project_id in project_ids for judge_id in panels[project_id]
    ]
    quality = {pid: rng.gauss(3.0, 0.8) for pid in project_ids}
    leniency = {jid: rng.gauss(0.0, 0.5) for jid in judge_ids}
    assignment_ids = await w.ids(
        Assignment,
        [
            {
                "round_id": round_id,
                "judge_id": judge_id,
                "project_id": project_id,
                "comment": "Idea chiara, da sviluppare." if scores else "",
                "submitted_at": now - timedelta(hours=rng.randint(1, 90)) if scores else None,
            }
            for project_id, judge_id in pairs
        ],
    )
    data.assignment_ids += assignment_ids
    if scores:
        score_rows = []
        for assignment_id, (project_id, judge_id) in zip(assignment_ids, pairs, strict=True):
            for criterion_id in criterion_ids:
                value = quality[project_id] + leniency[judge_id] + rng.gauss(0.0, 0.6)
                score_rows.append(
                    {
                        "assignment_id": assignment_id,
                        "criterion_id": criterion_id,
                        "value": min(5, max(1, round(value))),
                        "updated_at": now - day,
                    }
                )
        await w.rows(Score, score_rows)


async def _extras(
    w: _Writer,
    rng: random.Random,
    c: int,
    *,
    tag: str,
    now: datetime,
    storage: LocalStorage,
    institution_ids: list[int],
    teams: int,
    judges: int,
    judges_per_project: int,
) -> Extras:
    """The extras of `generate`; challenges number c and c + 1 (the first ones are before)."""
    session, data = w.session, w.data
    day = timedelta(days=1)
    common: dict[str, Any] = {
        "tag": tag, "now": now, "storage": storage, "institution_ids": institution_ids,
        "programme_id": None, "teams": teams, "projects_per_team": 1, "files": 0,
        "sponsors": 0,
    }  # fmt: skip
    # The first challenge's sponsors as companies, as joining a challenge makes them.
    sponsor_ids = data.sponsor_ids[: len(data.sponsor_ids) // len(data.challenge_ids)]
    found = await session.execute(
        select(SponsorRepresentative.sponsor_id, SponsorRepresentative.user_id).where(
            col(SponsorRepresentative.sponsor_id).in_(sponsor_ids)
        )
    )
    reps = {sponsor_id: user_id for sponsor_id, user_id in found.all()}
    company_ids = await w.ids(
        Company,
        [
            {"name": f"Impresa {tag} {n}", "sector": "Servizi", "town": TOWNS[n % len(TOWNS)],
             "description": "Impresa madrina del territorio mantovano.", "created_at": now,
             "updated_at": now}
            for n in range(len(sponsor_ids))
        ],
    )  # fmt: skip
    for sponsor_id, company_id in zip(sponsor_ids, company_ids, strict=True):
        await session.execute(
            update(Sponsor).where(col(Sponsor.id) == sponsor_id).values(company_id=company_id)
        )
    await w.rows(
        CompanyRepresentative,
        [
            {"company_id": company_id, "user_id": reps[sponsor_id], "created_at": now}
            for sponsor_id, company_id in zip(sponsor_ids, company_ids, strict=True)
        ],
    )
    # The first company's accepted adoption of a project nobody offered for, followed up.
    offered = set(
        (
            await session.scalars(
                select(Adoption.project_id).where(
                    col(Adoption.challenge_id) == data.challenge_ids[0]
                )
            )
        ).all()
    )
    project_id = next(pid for pid in data.project_ids if pid not in offered)
    coach_id = await session.scalar(
        select(Team.coach_id)
        .join(Project, col(Project.team_id) == col(Team.id))
        .where(col(Project.id) == project_id)
    )
    representative_id = reps[sponsor_ids[0]]
    (adoption_id,) = await w.ids(
        Adoption,
        [
            {"challenge_id": data.challenge_ids[0], "sponsor_id": sponsor_ids[0],
             "project_id": project_id, "status": AdoptionStatus.ACCEPTED.value,
             "mentoring_hours": 20, "internships": 1, "funding_eur": 1000,
             "message": "Vi seguiamo noi.", "proposed_by": representative_id,
             "proposed_at": now - 4 * day, "decided_by": coach_id, "decided_at": now - 3 * day}
        ],
    )  # fmt: skip
    steps = (MilestoneKind.KICKOFF, MilestoneKind.MENTORING, MilestoneKind.MENTORING)
    await w.rows(
        AdoptionMilestone,
        [
            {"adoption_id": adoption_id, "kind": kind.value,
             "happened_on": (now - (3 - m) * day).date(),
             "hours": 2 if kind == MilestoneKind.MENTORING else 0,
             "proposed_side": Side.SPONSOR.value, "proposed_by": representative_id,
             "proposed_at": now - (3 - m) * day,
             # The newest one waits for the coach's confirmation.
             "confirmed_by": coach_id if m < 2 else None, "confirmed_at": now if m < 2 else None}
            for m, kind in enumerate(steps)
        ],
    )  # fmt: skip

    # A challenge like the first, its round closed and its results published.
    published = w.apart()
    await _challenge(
        published, rng, c, judges=judges, judges_per_project=judges_per_project, scores=True,
        **common,
    )  # fmt: skip
    results_id = published.data.challenge_ids[0]
    await session.execute(
        update(Round)
        .where(col(Round.challenge_id) == results_id)
        .values(status=RoundStatus.CLOSED.value, closed_at=now - day, team_feedback=True)
    )
    organiser = await session.get(User, data.organiser_id)
    assert organiser is not None
    awards = await results.publish_results(
        session, user=organiser, challenge_id=results_id, locale="it"
    )
    best = min(awards, key=lambda award: (award.rank, award.id or 0))
    member_id, name = await _first_member(session, best.project_id)
    pdf = await asyncio.to_thread(storage.save, tiny_pdf(f"{name}: {best.name}"))
    code = certificates_service.new_code()
    await w.rows(
        Certificate,
        [
            {"code": code, "challenge_id": results_id, "kind": CertificateKind.AWARD.value,
             "recipient_key": f"member:{member_id}:award:{best.id}", "recipient_name": name,
             "subject": best.name, "project_id": best.project_id, "version": 1,
             "status": CertificateStatus.ISSUED.value, "storage_key": pdf.key,
             "sha256": pdf.sha256, "created_at": now, "issued_at": now, "revoke_reason": ""}
        ],
    )  # fmt: skip
    # A team in the middle of the ranking: what a team that did not win reads.
    feedback_project_id = published.data.project_ids[len(published.data.project_ids) // 2]
    feedback_coach_id = await session.scalar(
        select(Team.coach_id)
        .join(Project, col(Project.team_id) == col(Team.id))
        .where(col(Project.id) == feedback_project_id)
    )

    # A third challenge, projects only: a people's-choice vote and a pairwise round open.
    expo = w.apart()
    await _challenge(expo, rng, c + 1, judges=0, judges_per_project=0, scores=False, **common)
    expo_id = expo.data.challenge_ids[0]
    project_ids = expo.data.project_ids
    judge_ids = await w.ids(
        User,
        [
            _user(f"expo-judge{i}.{c + 1}.{tag}@bench.example", " ".join(_person(rng)), now)
            for i in range(judges)
        ],
    )
    await w.rows(
        Role,
        [
            {"user_id": uid, "challenge_id": expo_id, "kind": RoleKind.JUDGE.value,
             "created_at": now}
            for uid in judge_ids
        ],
    )  # fmt: skip
    vote_round_id, pairwise_round_id = await w.ids(
        Round,
        [
            {"challenge_id": expo_id, "kind": kind.value, "name": name,
             "status": RoundStatus.OPEN.value, "opened_at": now - day}
            for kind, name in ((RoundKind.PUBLIC_VOTE, "Premio del pubblico"),
                               (RoundKind.PAIRWISE, "Expo finale"))
        ],
    )  # fmt: skip
    # Every judge ten comparisons in, now between the last project seen and the next one.
    votes, walks = [], []
    for judge_id in judge_ids:
        seen = rng.sample(project_ids, min(12, len(project_ids)))
        for n, (before, after) in enumerate(itertools.pairwise(seen[:11])):
            winner, loser = (before, after) if rng.random() < 0.5 else (after, before)
            votes.append(
                {"round_id": pairwise_round_id, "judge_id": judge_id, "winner_id": winner,
                 "loser_id": loser, "previous_id": before, "imported": False,
                 "created_at": now - timedelta(minutes=60 - n)}
            )  # fmt: skip
        walks.append(
            {"round_id": pairwise_round_id, "judge_id": judge_id, "previous_id": seen[-2],
             "current_id": seen[-1], "current_since": now}
        )  # fmt: skip
    await w.rows(PairwiseVote, votes)
    await w.rows(PairwiseJudge, walks)
    assert coach_id is not None and feedback_coach_id is not None
    return Extras(
        results_challenge_id=results_id,
        coach_id=feedback_coach_id,
        feedback_project_id=feedback_project_id,
        certificate_code=code,
        vote_round_id=vote_round_id,
        pairwise_round_id=pairwise_round_id,
        expo_judge_id=judge_ids[0],
        company_id=company_ids[0],
        representative_id=representative_id,
        adoption_id=adoption_id,
    )


async def _first_member(session: AsyncSession, project_id: int) -> tuple[int, str]:
    """The id and name of the project's team's first member."""
    result = await session.execute(
        select(TeamMember.id, TeamMember.first_name, TeamMember.last_name)
        .join(Project, col(Project.team_id) == col(TeamMember.team_id))
        .where(col(Project.id) == project_id)
        .order_by(col(TeamMember.id))
        .limit(1)
    )
    member_id, first, last = result.one()
    return member_id, f"{first} {last}"
