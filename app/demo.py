"""Demo data for `make run`: the Mantova "Percorsi green 2026" programme, mid-challenge.

The Climathon is caught while registration, submission, judging and adoption are all open,
so every demo account has something to do: the organiser watches, the teacher finishes a
draft and answers an adoption offer, the student edits the draft, the sponsor adopts, the
judge has projects left to score. People and companies are fictional.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User, new_nonce
from app.accounts.passwords import hash_password, verify_password
from app.challenges.models import (
    Challenge,
    Institution,
    InstitutionKind,
    Phase,
    PhaseKind,
    Programme,
    Track,
)
from app.config import Settings
from app.db import Database, utcnow
from app.invitations import service as invitations_service
from app.judging import pairwise
from app.judging.models import (
    Assignment,
    Criterion,
    PairwiseVote,
    PublicVote,
    Round,
    RoundKind,
    RoundStatus,
    Rubric,
    Score,
)
from app.sponsors.models import (
    Adoption,
    AdoptionStatus,
    Company,
    CompanyRepresentative,
    Sponsor,
    SponsorRepresentative,
)
from app.teams import promotion
from app.teams.models import Project, ProjectStatus, Team, TeamMember

DEMO_PASSWORD = "madrina-demo-2026"  # noqa: S105 - published on purpose; refused outside development
ADMIN = "admin@madrina.example"
ORGANISER = "organizzazione@madrina.example"
TEACHER = "docente@madrina.example"
STUDENT = "studente@madrina.example"
SPONSOR = "impresa@madrina.example"
JUDGE = "giuria@madrina.example"
DEMO_ACCOUNTS: list[tuple[str, str]] = [  # role names short enough for `madrina demo`
    (ADMIN, "Platform administrator"),
    (ORGANISER, "Organiser"),
    (TEACHER, "Teacher (team coach)"),
    (STUDENT, "Student (team member)"),
    (SPONSOR, "Sponsor representative"),
    (JUDGE, "Judge"),
]
# Not an argon2 hash, so it verifies no password: the other demo people cannot log in.
NO_LOGIN = "!demo-person-without-login"

ROME = ZoneInfo("Europe/Rome")
SCHOOLS = {
    "fermi": ('ITIS "E. Fermi"', InstitutionKind.SCHOOL),
    "belfiore": ('Liceo scientifico "Belfiore"', InstitutionKind.SCHOOL),
    "forma": ('CFP "For.Ma"', InstitutionKind.TRAINING_CENTRE),
}
TRACKS = {
    "acqua": (
        "Acqua",
        "Usare meno acqua potabile, recuperare quella piovana, tenere puliti i laghi e il "
        "Mincio: idee per case, scuole, campi e giardini pubblici.",
    ),
    "cibo": (
        "Spreco alimentare",
        "Dalla mensa scolastica al mercato: come produrre, distribuire e consumare il cibo "
        "senza buttarlo, con i negozi, le famiglie e le associazioni del territorio.",
    ),
    "mobilita": (
        "Mobilità",
        "Andare a scuola e al lavoro inquinando meno: bici, trasporto pubblico, passaggi "
        "condivisi e percorsi sicuri tra Mantova e i comuni della provincia.",
    ),
}
# key -> (name, e-mail); the first of each group is the demo account that can log in.
COACHES = {
    "marchetti": ("Elena Marchetti", TEACHER),
    "gozzi": ("Davide Gozzi", "davide.gozzi@madrina.example"),
    "arrigoni": ("Silvia Arrigoni", "silvia.arrigoni@madrina.example"),
    "benatti": ("Marco Benatti", "marco.benatti@madrina.example"),
    "sanguanini": ("Paolo Sanguanini", "paolo.sanguanini@madrina.example"),
}
JUDGES = [
    ("Andrea Lodi", JUDGE),
    ("Francesca Zanardi", "francesca.zanardi@madrina.example"),
    ("Stefano Bertolini", "stefano.bertolini@madrina.example"),
]
# How strict each judge is (added to every score), and how many of their projects they
# have already scored: the demo judge still has some left.
JUDGE_BIAS = (0, 1, -1)
JUDGE_DONE = (3, 6, 4)
# The people's vote: (which submitted project, confirmed by its link).
PEOPLE_VOTES = [(2, True), (0, True), (2, True), (5, True), (2, True), (0, True), (4, False)]
SPONSORS = [
    (
        "Acque del Mincio S.p.A.",
        "Servizio idrico in trenta comuni della provincia: acquedotto, fognature e "
        "depurazione. Offre tirocini nell'ufficio reti e nel laboratorio analisi.",
        ("Roberta Galli", SPONSOR),
    ),
    (
        "Latteria Sociale Po Verde Soc. Coop.",
        "Cooperativa di allevatori della bassa mantovana: latte, formaggi DOP e recupero "
        "dei sottoprodotti della caseificazione.",
        ("Giorgio Bertazzoni", "giorgio.bertazzoni@madrina.example"),
    ),
    (
        "Gonzaga Mobilità S.r.l.",
        "Trasporto pubblico locale e bike sharing per Mantova e i comuni della provincia.",
        ("Laura Negri", "laura.negri@madrina.example"),
    ),
    (
        "Meccanica Sabbioneta S.r.l.",
        "Officina di precisione con sessanta dipendenti: telai per bici da carico e "
        "componenti per macchine agricole.",
        ("Federico Pasotti", "federico.pasotti@madrina.example"),
    ),
]
RUBRIC = [
    (
        "Innovazione",
        30,
        "Quanto l'idea è nuova per il territorio e diversa dalle soluzioni già in uso.",
    ),
    (
        "Fattibilità",
        30,
        "Si può realizzare con tempi, costi e competenze realistici per la scuola e i partner.",
    ),
    (
        "Impatto",
        40,
        "Quanta acqua, cibo o CO₂ fa risparmiare e quante persone coinvolge.",
    ),
]
# The programme's chain: slug, title, summary, description, published, and the phase
# windows (registration, submission, judging, adoption) as days from today.
STAGES = [
    (
        "climathon-mantova-2026",
        "Climathon Mantova 2026",
        "Le classi delle superiori affrontano la sfida dei comportamenti umani: "
        "acqua, spreco alimentare e mobilità.",
        "Una sfida, tre temi. Ogni classe, con il proprio docente, sceglie un tema, "
        "studia il problema nel proprio quartiere e propone un'idea concreta.\n\n"
        "Le idee vengono valutate da una giuria di docenti universitari, tecnici ed "
        "esperti; le imprese madrine possono adottarle offrendo tutoraggio, tirocini "
        "e finanziamenti. Le idee migliori passano a Impresa in azione.",
        True,
        [(-30, 7), (-21, 10), (-3, 17), (-3, 45)],
    ),
    (
        "impresa-in-azione-2026",
        "Impresa in azione 2026",
        "Percorsi di impresa simulata sui temi green: le classi fondano mini-imprese "
        "dall'idea al lancio sul mercato.",
        "Le classi trasformano le idee del Climathon in mini-imprese, guidate dai "
        "docenti e dai tutor aziendali, fino alle competizioni locali e regionali.",
        True,
        [(50, 80), (80, 200), (200, 215), (200, 260)],
    ),
    (
        "hackathon-lto-mantova-2026",
        "Hackathon LTO Mantova 2026",
        "Universitari, professionisti e imprese portano fuori dai laboratori le "
        "soluzioni digitali e maker.",
        "Due giorni al polo universitario di Mantova: gruppi misti di studenti, "
        "professionisti ed esperti costruiscono prototipi con le imprese e i laboratori "
        "della rete.",
        False,
        [(230, 240), (240, 242), (242, 243), (242, 280)],
    ),
]
COMMENTS = (
    "Idea chiara e ben presentata; manca una stima dei costi di manutenzione.",
    "Buon coinvolgimento del quartiere. Da verificare con i tecnici del Comune.",
    "Prototipo convincente; il piano per i primi sei mesi è ancora vago.",
    "Ottima analisi del problema, la soluzione si può semplificare.",
)


@dataclass(frozen=True)
class DemoTeam:
    name: str
    school: str
    class_name: str
    track: str
    coach: str
    members: tuple[tuple[str, str, bool], ...]  # first name, last name, is a minor
    title: str
    summary: str
    scores: tuple[int, int, int] | None  # a typical judge's marks; None: still a draft


# fmt: off
TEAMS = [
    DemoTeam(
        "4B Aqua", "fermi", "4B", "acqua", "marchetti",
        (("Giulia", "Bianchi", True), ("Luca", "Verdi", True), ("Sara", "Mantovani", True),
         ("Tommaso", "Gialdi", True)),
        "Sensori per l'acqua piovana negli orti scolastici",
        "Sensori a basso costo misurano l'umidità del terreno e il livello delle cisterne: "
        "gli orti delle scuole si irrigano solo con l'acqua piovana raccolta dai tetti.",
        (4, 4, 4),
    ),
    DemoTeam(
        "5A Goccia", "fermi", "5A", "acqua", "gozzi",
        (("Alessandro", "Rizzi", False), ("Martina", "Ghidini", False),
         ("Nicolò", "Aldrovandi", True)),
        "Goccia a goccia: irrigazione intelligente per i giardini pubblici",
        "Valvole comandate dalle previsioni meteo e da sensori nel terreno riducono l'acqua "
        "usata nei giardini comunali; un cruscotto mostra i litri risparmiati per quartiere.",
        (4, 5, 5),
    ),
    DemoTeam(
        "3C Laghi Puliti", "belfiore", "3C", "acqua", "arrigoni",
        (("Anna", "Sarzi", True), ("Pietro", "Bellintani", True), ("Elisa", "Truzzi", True)),
        "Laghi puliti: monitoraggio civico dei laghi di Mantova",
        "Con un kit da quaranta euro e un'app, studenti e cittadini misurano torbidità e "
        "temperatura e segnalano i rifiuti lungo le rive; i dati aperti vanno al Parco.",
        (5, 3, 4),
    ),
    DemoTeam(
        "5C Borracce", "belfiore", "5C", "acqua", "benatti",
        (("Chiara", "Freddi", False), ("Riccardo", "Pavesi", False)),
        "Fontanelle di Mantova: la mappa dell'acqua pubblica",
        "Una mappa aperta delle fontanelle e dei punti di ricarica per borracce in città, "
        "con una campagna nelle scuole per ridurre le bottiglie di plastica.",
        (3, 5, 3),
    ),
    DemoTeam(
        "4A Avanzi Zero", "belfiore", "4A", "cibo", "benatti",
        (("Beatrice", "Lanfredi", True), ("Filippo", "Corradini", True),
         ("Giorgia", "Tosi", True)),
        "Mensa senza avanzi",
        "Gli studenti prenotano il pasto dal telefono il giorno prima: la mensa cucina le "
        "porzioni giuste e le eccedenze vanno ogni sera a un'associazione del quartiere.",
        (3, 4, 4),
    ),
    DemoTeam(
        "2B Sapori Ritrovati", "forma", "2B", "cibo", "sanguanini",
        (("Kevin", "Ferrari", True), ("Aya", "Benali", True), ("Simone", "Gandolfi", True)),
        "Il pane di ieri",
        "Il laboratorio di cucina del CFP trasforma il pane invenduto dei forni della città "
        "in pangrattato, crostini e torta di pane, venduti ai mercati contadini.",
        (4, 4, 3),
    ),
    DemoTeam(
        "4D Filiera Corta", "fermi", "4D", "cibo", "marchetti",
        (("Matteo", "Arrivabene", True), ("Irene", "Bottoli", True)),
        "Frigo solidale di quartiere",
        "Un frigorifero condiviso, con sensore di temperatura e prenotazione via app, dove "
        "negozi e famiglie lasciano cibo ancora buono che altrimenti verrebbe buttato.",
        None,
    ),
    DemoTeam(
        "5B Bicibus", "belfiore", "5B", "mobilita", "arrigoni",
        (("Lorenzo", "Zanetti", False), ("Alice", "Guerreschi", False),
         ("Davide", "Mori", True), ("Sofia", "Bonfanti", True)),
        "Bicibus: in bici a scuola in sicurezza",
        "Linee di bicibus con fermate e orari, guidate da studenti maggiorenni e genitori; "
        "una mappa raccoglie i punti pericolosi da proporre al Comune.",
        (3, 5, 4),
    ),
    DemoTeam(
        "4C Pendolari in Rete", "fermi", "4C", "mobilita", "gozzi",
        (("Gabriele", "Negrini", True), ("Francesca", "Azzoni", True),
         ("Edoardo", "Caleffi", True)),
        "Passaggio sicuro: car pooling per gli studenti pendolari",
        "Passaggi condivisi tra famiglie dei comuni della provincia verso gli istituti di "
        "Mantova, con il consenso dei genitori e il conto della CO₂ evitata.",
        (4, 3, 4),
    ),
    DemoTeam(
        "3A Ruote Leggere", "forma", "3A", "mobilita", "sanguanini",
        (("Omar", "El Idrissi", True), ("Manuel", "Rossetti", True)),
        "Ciclofficina di scuola",
        "Gli allievi del corso di manutenzione recuperano le bici abbandonate, le rimettono "
        "in strada e le prestano a chi non ne ha una per andare a scuola o al lavoro.",
        (3, 4, 5),
    ),
]
# fmt: on


class _HasId(Protocol):
    id: int | None


Row = TypeVar("Row", bound=_HasId)


def _id(row: _HasId) -> int:
    assert row.id is not None, "flush first"
    return row.id


def _local(now: datetime, days: int, hour: int) -> datetime:
    """`days` from today at `hour` o'clock in Mantova, in UTC."""
    day = now.astimezone(ROME) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


async def seed(db: Database, *, settings: Settings) -> bool:
    """Fill an empty database with the demo; False (and nothing written) if anyone exists."""
    async with db.read() as session:
        if await _has_users(session):
            return False
    demo_hash = await hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    async with db.transaction() as session:
        if await _has_users(session):  # someone was quicker
            return False
        await _Seeder(session, demo_hash=demo_hash, locale=settings.default_locale).run()
    return True


async def demo_passwords_in_use(settings: Settings) -> bool:
    """True if a demo account still has the published demo password."""
    db = Database(settings, pool=False)
    try:
        async with db.engine.connect() as conn:
            if not await conn.run_sync(_has_user_table):
                return False  # not migrated yet: nobody exists
        async with db.read() as session:
            emails = [email for email, _role in DEMO_ACCOUNTS]
            result = await session.execute(
                select(User.password_hash).where(col(User.email).in_(emails))
            )
            hashes = list(result.scalars())
    finally:
        await db.dispose()
    for password_hash in hashes:
        if await verify_password(password_hash, DEMO_PASSWORD):
            return True
    return False


def _has_user_table(conn: Connection) -> bool:
    return inspect(conn).has_table("user")


async def _has_users(session: AsyncSession) -> bool:
    result = await session.execute(select(User.id).limit(1))
    return result.first() is not None


class _Seeder:
    """Writes the whole demo in the caller's transaction."""

    def __init__(self, session: AsyncSession, *, demo_hash: str, locale: str) -> None:
        self.session = session
        self.demo_hash = demo_hash
        self.locale = locale
        self.now = utcnow()
        self.logins = {email for email, _role in DEMO_ACCOUNTS}

    async def add(self, row: Row) -> Row:
        """Insert now, so the row has its id."""
        self.session.add(row)
        await self.session.flush()
        return row

    async def person(
        self, name: str, email: str, *, is_admin: bool = False, creator: bool = False
    ) -> int:
        user = await self.add(
            User(
                name=name,
                email=email,
                password_hash=self.demo_hash if email in self.logins else NO_LOGIN,
                is_admin=is_admin,
                may_create_challenges=creator,
                locale=self.locale,
                created_at=self.now - timedelta(days=45),
                email_verified_at=self.now - timedelta(days=45),
            )
        )
        return _id(user)

    async def grant(self, user_id: int, challenge_id: int, kind: RoleKind) -> None:
        await accounts_service.grant_role(
            self.session, user_id=user_id, challenge_id=challenge_id, kind=kind, actor_id=None
        )

    async def run(self) -> None:
        await self.person("Amministrazione Madrina", ADMIN, is_admin=True)
        organiser = await self.person("Chiara Ferrari", ORGANISER, creator=True)
        climathon, others = await self.programme(organiser)
        for challenge_id in (climathon, *others):
            await self.grant(organiser, challenge_id, RoleKind.ORGANISER)
        projects = await self.teams(climathon)
        await self.sponsors(climathon, projects)
        judges = await self.judging(climathon, projects)
        await self.expo_final(climathon, projects, judges)
        await self.people_vote(climathon, projects)
        await self.promote(organiser, climathon, others[0], projects)
        await self.invitations(climathon, organiser)

    async def promote(
        self, organiser: int, climathon: int, incubation: int, projects: list[Project]
    ) -> None:
        """Two of the Climathon's teams already moved on to Impresa in azione: their
        projects' history pages show the path."""
        user = await self.session.get(User, organiser)
        assert user is not None
        handed_in = [p.team_id for p in projects if p.status == ProjectStatus.SUBMITTED][:2]
        await promotion.promote_teams(
            self.session,
            user=user,
            from_challenge_id=climathon,
            to_challenge_id=incubation,
            team_ids=handed_in,
        )

    async def programme(self, organiser: int) -> tuple[int, list[int]]:
        programme = await self.add(
            Programme(
                owner_id=organiser,
                slug="percorsi-green-2026",
                name="Percorsi green 2026",
                description=(
                    "Il percorso dell'anno del Laboratorio Territoriale Occupabilità di "
                    "Mantova: le idee nate al Climathon diventano mini-imprese con "
                    "Impresa in azione e prototipi all'hackathon, accompagnate dalle imprese "
                    "madrine che le adottano."
                ),
            )
        )
        ids: list[int] = []
        for position, (slug, title, summary, description, published, windows) in enumerate(
            STAGES, start=1
        ):
            challenge = await self.add(
                Challenge(
                    slug=slug,
                    title=title,
                    summary=summary,
                    description=description,
                    programme_id=programme.id,
                    stage=position,
                    is_published=published,
                    created_by=organiser,
                    created_at=self.now - timedelta(days=60),
                )
            )
            for kind, (start, end) in zip(PhaseKind, windows, strict=True):
                self.session.add(
                    Phase(
                        challenge_id=_id(challenge),
                        kind=kind,
                        starts_at=_local(self.now, start, 9),
                        ends_at=_local(self.now, end, 18),
                    )
                )
            ids.append(_id(challenge))
        return ids[0], ids[1:]

    async def teams(self, challenge_id: int) -> list[Project]:
        tracks: dict[str, int] = {}
        for position, (key, (name, description)) in enumerate(TRACKS.items()):
            track = await self.add(
                Track(
                    challenge_id=challenge_id,
                    name=name,
                    description=description,
                    position=position,
                )
            )
            tracks[key] = _id(track)
        schools: dict[str, int] = {}
        for key, (name, kind) in SCHOOLS.items():
            school = await self.add(Institution(name=name, kind=kind, city="Mantova"))
            schools[key] = _id(school)
        coaches: dict[str, int] = {}
        for key, (name, email) in COACHES.items():
            coaches[key] = await self.person(name, email)
            await self.grant(coaches[key], challenge_id, RoleKind.COACH)
        student = await self.person("Matteo Arrivabene", STUDENT)
        await self.grant(student, challenge_id, RoleKind.PARTICIPANT)

        projects: list[Project] = []
        for n, spec in enumerate(TEAMS):
            team = await self.add(
                Team(
                    challenge_id=challenge_id,
                    name=spec.name,
                    track_id=tracks[spec.track],
                    institution_id=schools[spec.school],
                    class_name=spec.class_name,
                    coach_id=coaches[spec.coach],
                    created_at=self.now - timedelta(days=28 - n),
                )
            )
            for first, last, is_minor in spec.members:
                is_student = (first, last) == ("Matteo", "Arrivabene")
                self.session.add(
                    TeamMember(
                        team_id=_id(team),
                        first_name=first,
                        last_name=last,
                        is_minor=is_minor,
                        consent_at=self.now - timedelta(days=26 - n) if is_minor else None,
                        user_id=student if is_student else None,
                    )
                )
            submitted = spec.scores is not None
            projects.append(
                await self.add(
                    Project(
                        team_id=_id(team),
                        challenge_id=challenge_id,
                        track_id=tracks[spec.track],
                        title=spec.title,
                        summary=spec.summary,
                        description=spec.summary,
                        status=ProjectStatus.SUBMITTED if submitted else ProjectStatus.DRAFT,
                        version=3 if submitted else 2,
                        submitted_at=self.now - timedelta(days=12 - n) if submitted else None,
                        created_at=self.now - timedelta(days=20 - n),
                        updated_at=self.now - timedelta(days=12 - n if submitted else 1),
                    )
                )
            )
        return projects

    async def sponsors(self, challenge_id: int, projects: list[Project]) -> None:
        representatives: list[int] = []
        sponsor_ids: list[int] = []
        for name, description, (person, email) in SPONSORS:
            company = await self.add(
                Company(name=name, description=description, sector="", town="Mantova")
            )
            sponsor = await self.add(
                Sponsor(
                    challenge_id=challenge_id,
                    company_id=_id(company),
                    name=name,
                    description=description,
                )
            )
            user = await self.person(person, email)
            self.session.add(CompanyRepresentative(company_id=_id(company), user_id=user))
            self.session.add(SponsorRepresentative(sponsor_id=_id(sponsor), user_id=user))
            await self.grant(user, challenge_id, RoleKind.SPONSOR)
            representatives.append(user)
            sponsor_ids.append(_id(sponsor))
        goccia, aqua = _by_title(projects, "Goccia a goccia"), _by_title(projects, "Sensori")
        team = await self.session.get(Team, goccia.team_id)
        assert team is not None
        self.session.add(
            Adoption(
                challenge_id=challenge_id,
                sponsor_id=sponsor_ids[0],
                project_id=_id(goccia),
                status=AdoptionStatus.ACCEPTED,
                mentoring_hours=10,
                internships=2,
                message=(
                    "Vi offriamo due tirocini estivi nel nostro ufficio reti e dieci ore con i "
                    "nostri tecnici per provare il prototipo in un giardino comunale."
                ),
                proposed_by=representatives[0],
                proposed_at=self.now - timedelta(days=2),
                decided_by=team.coach_id,
                decided_at=self.now - timedelta(days=1),
            )
        )
        # An offer still waiting for the demo teacher's answer.
        self.session.add(
            Adoption(
                challenge_id=challenge_id,
                sponsor_id=sponsor_ids[0],
                project_id=_id(aqua),
                status=AdoptionStatus.PROPOSED,
                mentoring_hours=8,
                funding_eur=500,
                message=(
                    "Ci piacerebbe sostenere l'acquisto dei sensori e affiancarvi con un "
                    "nostro tecnico del laboratorio analisi."
                ),
                proposed_by=representatives[0],
                proposed_at=self.now - timedelta(hours=20),
            )
        )

    async def invitations(self, challenge_id: int, organiser_id: int) -> None:
        """Invitations waiting for an answer, sent through the real service (so their e-mails
        are in the development mailbox once the worker runs)."""
        organiser = await self.session.get(User, organiser_id)
        assert organiser is not None
        for kind, emails in (
            (RoleKind.JUDGE, ["prof.bianchi@unimn.example", "ing.verdi@ordine-mn.example"]),
            (RoleKind.COACH, ["docente.rossi@itis-mantova.example"]),
        ):
            await invitations_service.invite(
                self.session,
                user=organiser,
                challenge_id=challenge_id,
                kind=kind,
                sponsor_id=None,
                lines=list(enumerate(emails, start=1)),
                locale=self.locale,
            )

    async def judging(self, challenge_id: int, projects: list[Project]) -> list[int]:
        judges = []
        for name, email in JUDGES:
            judge = await self.person(name, email)
            await self.grant(judge, challenge_id, RoleKind.JUDGE)
            judges.append(judge)
        rubric = await self.add(
            Rubric(challenge_id=challenge_id, name="Rubrica Climathon", scale_min=1, scale_max=5)
        )
        criteria = [
            await self.add(
                Criterion(
                    rubric_id=_id(rubric), name=name, weight=weight, guidance=guidance, position=n
                )
            )
            for n, (name, weight, guidance) in enumerate(RUBRIC)
        ]
        judging_round = await self.add(
            Round(
                challenge_id=challenge_id,
                rubric_id=_id(rubric),
                name="Valutazione delle idee",
                status=RoundStatus.OPEN,
                judges_per_project=2,
                opened_at=_local(self.now, -3, 9),
            )
        )
        # Two judges per submitted project, in rotation: six projects each.
        submitted = [(p, s) for p, s in zip(projects, TEAMS, strict=True) if s.scores]
        done = [0] * len(judges)
        for n, (project, spec) in enumerate(submitted):
            assert spec.scores is not None
            for j in (n % len(judges), (n + 1) % len(judges)):
                finished = done[j] < JUDGE_DONE[j]
                when = self.now - timedelta(hours=60 - 7 * done[j])
                assignment = await self.add(
                    Assignment(
                        round_id=_id(judging_round),
                        judge_id=judges[j],
                        project_id=_id(project),
                        comment=COMMENTS[(n + j) % len(COMMENTS)] if finished else "",
                        submitted_at=when if finished else None,
                    )
                )
                if not finished:
                    continue
                done[j] += 1
                for criterion, mark in zip(criteria, spec.scores, strict=True):
                    self.session.add(
                        Score(
                            assignment_id=_id(assignment),
                            criterion_id=_id(criterion),
                            value=min(5, max(1, mark + JUDGE_BIAS[j])),
                            updated_at=when,
                        )
                    )
        return judges

    async def expo_final(
        self, challenge_id: int, projects: list[Project], judges: list[int]
    ) -> None:
        """The expo final, judged in pairs on the phone: the two other judges have walked
        it (the better idea wins, one upset), so its ranking shows; the demo judge has not
        started and is sent to a project at the first tap."""
        final = await self.add(
            Round(
                challenge_id=challenge_id,
                kind=RoundKind.PAIRWISE,
                name="Finale all'expo",
                status=RoundStatus.OPEN,
                opened_at=_local(self.now, 0, 9),
            )
        )
        quality = {_id(p): sum(s.scores) for p, s in zip(projects, TEAMS, strict=True) if s.scores}
        walked = sorted(quality)
        for n, judge in enumerate(judges[1:]):
            order = walked[n::2] + walked[1 - n :: 2]  # each judge tours the stands differently
            for step, (seen, now) in enumerate(itertools.pairwise(order)):
                better = (seen, now) if quality[seen] >= quality[now] else (now, seen)
                winner, loser = better[::-1] if (n, step) == (1, 2) else better
                self.session.add(
                    PairwiseVote(
                        round_id=_id(final),
                        judge_id=judge,
                        winner_id=winner,
                        loser_id=loser,
                        previous_id=seen,
                        created_at=_local(self.now, 0, 10) + timedelta(minutes=9 * step + n),
                    )
                )
        await self.session.flush()
        await pairwise.replay(self.session, _id(final))  # the Crowd-BT beliefs of the votes

    async def people_vote(self, challenge_id: int, projects: list[Project]) -> None:
        """The people's choice, open: a few confirmed ballots, one still waiting for its
        link; anyone can vote on a project's page."""
        vote = await self.add(
            Round(
                challenge_id=challenge_id,
                kind=RoundKind.PUBLIC_VOTE,
                name="Premio del pubblico",
                status=RoundStatus.OPEN,
                opened_at=_local(self.now, -1, 9),
            )
        )
        submitted = [p for p, s in zip(projects, TEAMS, strict=True) if s.scores]
        for n, (choice, confirmed) in enumerate(PEOPLE_VOTES, start=1):
            project = _id(submitted[choice])
            when = _local(self.now, -1, 10) + timedelta(minutes=37 * n)
            self.session.add(
                PublicVote(
                    round_id=_id(vote),
                    email=f"visitatore{n}@famiglie.example",
                    project_id=project if confirmed else None,
                    pending_project_id=None if confirmed else project,
                    nonce=new_nonce(),
                    network=f"198.51.{100 + n % 3}.0/24",
                    created_at=when,
                    confirmed_at=when + timedelta(minutes=4) if confirmed else None,
                )
            )


def _by_title(projects: list[Project], start: str) -> Project:
    return next(p for p in projects if p.title.startswith(start))
