"""Every step of an adoption after the offer is told to the people it concerns, once each:
a real worker, a real SMTP server on loopback."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col
from starlette.applications import Starlette

from app.db import Database, utcnow
from app.notifications import tasks
from app.sponsors import adoptions, followup, offers, rules
from app.sponsors.models import Adoption, MilestoneKind
from app.sponsors.schemas import (
    AdoptionAmend,
    AdoptionClose,
    AdoptionCreate,
    AdoptionRefusal,
    AdoptionReply,
    AdoptionRulesUpdate,
    MilestoneCreate,
)
from tests.certificates.smtp import SmtpSink
from tests.factories import Actors, make_sponsor, run_jobs
from tests.notifications import test_notifications as base
from tests.notifications.test_notifications import Scene

# The scene (organiser, coach, team, project, sponsor) and the SMTP sink of the other tests.
scene = base.scene
sink = base.sink
_plain = base._plain


def _subjects(sink: SmtpSink) -> list[tuple[str, str]]:
    return [
        (str(m["To"]).split("@")[0], " ".join(str(m["Subject"]).split())) for m in sink.messages
    ]


async def _offer(app: Starlette, db: Database, scene: Scene, sink: SmtpSink) -> int:
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session,
            user=scene.rep,
            project_id=scene.project.id or 0,
            data=AdoptionCreate(mentoring_hours=10),
        )
    await run_jobs(app)
    sink.messages.clear()
    assert adoption.id is not None
    return adoption.id


async def test_an_amended_offer_is_told_to_the_coach_and_the_reply_to_the_company(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    adoption_id = await _offer(app, db, scene, sink)
    async with db.transaction() as session:
        await offers.amend_adoption(
            session, user=scene.rep, adoption_id=adoption_id, data=AdoptionAmend(mentoring_hours=12)
        )
    async with db.transaction() as session:
        await offers.reply_to_adoption(
            session,
            user=scene.coach,
            adoption_id=adoption_id,
            data=AdoptionReply(message="Grazie, ne parliamo in classe"),
        )
    await run_jobs(app)
    await run_jobs(app)  # a second run tells nobody twice

    assert sorted(_subjects(sink)) == [
        ("carla", "Acme S.p.A. ha modificato la sua proposta per Sensori per l'acqua piovana"),
        ("olga", "Acme S.p.A. changed its offer for Sensori per l'acqua piovana"),
        ("riccardo", "4B Aqua ha risposto alla proposta di Acme S.p.A."),
    ]
    assert "(versione 2)" in _plain(sink.to("carla@example.org")[0])
    assert "\u201cGrazie, ne parliamo in classe\u201d" in _plain(sink.to("riccardo@example.org")[0])


async def test_the_company_that_lost_a_single_godmother_project_is_told_why(
    app: Starlette, db: Database, actors: Actors, scene: Scene, sink: SmtpSink
) -> None:
    other_rep = await actors.user("Marta Verdi", email="marta@example.org")
    await make_sponsor(db, scene.challenge, representative=other_rep, name="Beta S.r.l.")
    adoption_id = await _offer(app, db, scene, sink)
    async with db.transaction() as session:
        other = await adoptions.propose_adoption(
            session,
            user=other_rep,
            project_id=scene.project.id or 0,
            data=AdoptionCreate(internships=1),
        )
    await run_jobs(app)
    sink.messages.clear()

    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption_id)
    await run_jobs(app)

    lost = [m for m in sink.to("marta@example.org")]
    assert [" ".join(str(m["Subject"]).split()) for m in lost] == [
        "Sensori per l'acqua piovana ha scelto la proposta di un'altra impresa"
    ]
    assert "una sola impresa madrina per progetto" in _plain(lost[0])
    assert "Beta S.r.l." in _plain(lost[0])
    assert other.id != adoption_id


async def test_an_acceptance_to_confirm_reaches_the_organisers_and_a_refusal_both_sides(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    async with db.transaction() as session:
        await rules.update_rules(
            session,
            user=scene.organiser,
            challenge_id=scene.cid,
            data=AdoptionRulesUpdate(organiser_confirms=True),
        )
    adoption_id = await _offer(app, db, scene, sink)
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption_id)
    await run_jobs(app)
    assert _subjects(sink) == [
        (
            "olga",
            "The adoption of Sensori per l'acqua piovana by Acme S.p.A. waits for your "
            "confirmation",
        ),
    ]
    assert f"http://testserver/challenges/{scene.cid}/adoptions" in _plain(sink.messages[0])
    sink.messages.clear()

    async with db.transaction() as session:
        await adoptions.refuse_adoption(
            session,
            user=scene.organiser,
            adoption_id=adoption_id,
            data=AdoptionRefusal(reason="La scuola ha già un accordo"),
        )
    await run_jobs(app)
    assert sorted(_subjects(sink)) == [
        (
            "carla",
            "L'adozione di Sensori per l'acqua piovana da parte di Acme S.p.A. non è "
            "stata confermata",
        ),
        (
            "riccardo",
            "L'adozione di Sensori per l'acqua piovana da parte di Acme S.p.A. non è "
            "stata confermata",
        ),
    ]
    assert "\u201cLa scuola ha già un accordo\u201d" in _plain(sink.messages[0])


async def test_milestones_reach_the_other_side_and_a_closing_everyone_with_the_reason(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    adoption_id = await _offer(app, db, scene, sink)
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption_id)
    await run_jobs(app)
    sink.messages.clear()

    async with db.transaction() as session:
        milestone = await followup.propose_milestone(
            session,
            user=scene.rep,
            adoption_id=adoption_id,
            data=MilestoneCreate(
                kind=MilestoneKind.MENTORING, happened_on=utcnow().date(), hours=2
            ),
        )
    await run_jobs(app)
    assert _subjects(sink) == [
        ("carla", "Una tappa dell'adozione di Sensori per l'acqua piovana da confermare"),
    ]
    follow_up = f"http://testserver/adoptions/{adoption_id}/follow-up"
    assert follow_up in _plain(sink.messages[0])
    sink.messages.clear()

    async with db.transaction() as session:
        await followup.confirm_milestone(
            session, user=scene.coach, adoption_id=adoption_id, milestone_id=milestone.id or 0
        )
    await run_jobs(app)
    assert _subjects(sink) == [
        ("riccardo", "Una tappa dell'adozione di Sensori per l'acqua piovana è stata confermata"),
    ]
    sink.messages.clear()

    async with db.transaction() as session:
        await followup.close_adoption(
            session,
            user=scene.coach,
            adoption_id=adoption_id,
            data=AdoptionClose(outcome="ended", reason="La classe si è diplomata"),
        )
    await run_jobs(app)
    await run_jobs(app)
    assert sorted(_subjects(sink)) == [
        ("carla", "L'adozione di Sensori per l'acqua piovana da parte di Acme S.p.A. è chiusa"),
        ("olga", "The adoption of Sensori per l'acqua piovana by Acme S.p.A. is closed"),
        ("riccardo", "L'adozione di Sensori per l'acqua piovana da parte di Acme S.p.A. è chiusa"),
    ]
    english = sink.to("olga@example.org")[0]
    assert "ended early, saying: \u201cLa classe si è diplomata\u201d." in _plain(english)


async def _adopted_weeks_ago(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink, weeks: int
) -> int:
    adoption_id = await _offer(app, db, scene, sink)
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption_id)
    await run_jobs(app)
    sink.messages.clear()
    async with db.transaction() as session:
        await session.execute(
            update(Adoption)
            .where(col(Adoption.id) == adoption_id)
            .values(decided_at=utcnow() - timedelta(weeks=weeks, days=1))
        )
    return adoption_id


async def test_an_overdue_adoption_reminds_both_sides_once_per_period_and_is_flagged(
    app: Starlette, db: Database, actors: Actors, scene: Scene, sink: SmtpSink
) -> None:
    adoption_id = await _adopted_weeks_ago(app, db, scene, sink, weeks=3)
    assert await tasks.remind_overdue({"db": db}) == 0  # three weeks: not yet (4 by default)

    async with db.transaction() as session:
        await session.execute(
            update(Adoption)
            .where(col(Adoption.id) == adoption_id)
            .values(decided_at=utcnow() - timedelta(weeks=5))
        )
    assert await tasks.remind_overdue({"db": db}) == 2
    assert await tasks.remind_overdue({"db": db}) == 0  # the same period: nobody twice
    await run_jobs(app)
    assert sorted(_subjects(sink)) == [
        ("carla", "L'adozione di Sensori per l'acqua piovana da parte di Acme S.p.A. è in ritardo"),
        (
            "riccardo",
            "L'adozione di Sensori per l'acqua piovana da parte di Acme S.p.A. è in ritardo",
        ),
    ]
    assert "ne chiedono una ogni 4 settimane" in _plain(sink.messages[0])

    async with await actors.client(scene.organiser) as http:
        table = await http.get(f"/challenges/{scene.cid}/adoptions")
        follow_up = await http.get(f"/adoptions/{adoption_id}/follow-up")
    assert (table.status_code, follow_up.status_code) == (200, 200)
    assert table.text.count('<span class="badge warn">In ritardo</span>') == 1
    assert follow_up.text.count('<span class="badge warn">In ritardo</span>') == 1

    # The next period reminds again; the organisers' rule of more weeks stops it.
    async with db.transaction() as session:
        await session.execute(
            update(Adoption)
            .where(col(Adoption.id) == adoption_id)
            .values(decided_at=utcnow() - timedelta(weeks=9))
        )
    assert await tasks.remind_overdue({"db": db}) == 2
    async with db.transaction() as session:
        await rules.update_rules(
            session,
            user=scene.organiser,
            challenge_id=scene.cid,
            data=AdoptionRulesUpdate(overdue_weeks=12),
        )
    assert await tasks.remind_overdue({"db": db}) == 0
    async with await actors.client(scene.organiser) as http:
        table = await http.get(f"/challenges/{scene.cid}/adoptions")
    assert "badge warn" not in table.text


async def test_a_confirmed_milestone_ends_the_overdue_period(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    adoption_id = await _adopted_weeks_ago(app, db, scene, sink, weeks=6)
    async with db.transaction() as session:
        milestone = await followup.propose_milestone(
            session,
            user=scene.rep,
            adoption_id=adoption_id,
            data=MilestoneCreate(kind=MilestoneKind.KICKOFF, happened_on=utcnow().date()),
        )
    assert await tasks.remind_overdue({"db": db}) == 2  # proposed, not confirmed yet
    async with db.transaction() as session:
        await followup.confirm_milestone(
            session, user=scene.coach, adoption_id=adoption_id, milestone_id=milestone.id or 0
        )
    assert await tasks.remind_overdue({"db": db}) == 0
