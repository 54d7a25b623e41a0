"""Award certificates follow the way the round decided, not the raw mean."""

from __future__ import annotations

from starlette.applications import Starlette

from app.certificates.models import CertificateKind
from app.db import Database
from app.judging import results
from app.judging.models import Aggregation
from tests.certificates.conftest import certificates, work
from tests.judging.conftest import Jury
from tests.judging.test_results import _disagreeing_round


async def test_award_certificates_go_to_the_winner_of_the_chosen_method(
    app: Starlette, db: Database, jury: Jury
) -> None:
    # Judge 0 generous, judge 1 strict: the raw mean crowns project 0, the judge-effect
    # model (the round's choice) project 2.
    await _disagreeing_round(db, jury, Aggregation.JUDGE_EFFECT)
    async with db.transaction() as session:
        await results.publish_results(
            session, user=jury.organiser, challenge_id=jury.cid, locale="it"
        )
    await work(app)

    awarded = {
        (c.project_id, c.subject.split(" \u2014 ")[0])
        for c in await certificates(db)
        if c.kind == CertificateKind.AWARD
    }
    participation = {
        c.project_id for c in await certificates(db) if c.kind == CertificateKind.PARTICIPATION
    }
    first, second, third = (p.id for p in jury.projects)
    assert (third, "Miglior idea") in awarded
    assert (first, "Secondo posto") in awarded
    assert (second, "Terzo posto") in awarded
    assert (first, "Miglior idea") not in awarded
    assert participation == {first, second, third}
