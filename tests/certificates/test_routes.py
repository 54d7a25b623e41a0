"""Pages: public verification and download, the organisers' list and actions, 'mine'."""

from __future__ import annotations

import hashlib

from httpx import AsyncClient
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts.models import RoleKind
from app.certificates import queries
from app.certificates.models import Certificate, CertificateStatus
from app.db import Database
from app.events.models import AuditEntry, OutboxEvent
from app.storage import LocalStorage
from tests.certificates.conftest import (
    Issued,
    certificates,
    issue_participation,
    make_results,
    publish_results,
    work,
)
from tests.factories import Actors, make_challenge, post_form


def _detail(issued: Issued) -> str:
    return f"/challenges/{issued.challenge.id}/certificates/{issued.certificate.id}"


async def test_verify_form_has_a_labelled_code_field(client: AsyncClient) -> None:
    response = await client.get("/verify")

    assert response.status_code == 200
    assert '<label for="f-code">Codice di verifica' in response.text
    assert 'method="get" action="/verify"' in response.text


async def test_verify_form_sends_the_typed_code_to_its_page(client: AsyncClient) -> None:
    response = await client.get("/verify", params={"code": " abcd-efgh 2345 "})

    assert response.status_code == 303
    assert response.headers["location"] == "/verify/ABCDEFGH2345"


async def test_verify_form_without_a_code_is_422(client: AsyncClient) -> None:
    response = await client.get("/verify", params={"code": " - "})

    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert "Scrivi il codice stampato" in response.text


async def test_verify_shows_a_valid_certificate_with_the_sha256_of_its_pdf(
    app: Starlette, actors: Actors, db: Database, storage: LocalStorage, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db)
    certificate = issued.certificate
    assert certificate.storage_key is not None
    pdf_hash = hashlib.sha256(storage.read(certificate.storage_key)).hexdigest()

    response = await client.get(f"/verify/{certificate.code}")

    assert response.status_code == 200
    assert "Giulia Bianchi" in response.text
    assert "Valido" in response.text and "è autentico" in response.text
    assert "Climathon Mantova 2026" in response.text
    assert "Sensori per l&#39;acqua piovana" in response.text
    assert pdf_hash == certificate.sha256
    assert f'<code class="hash">{pdf_hash}</code>' in response.text


async def test_verify_accepts_lower_case_with_dashes(
    app: Starlette, actors: Actors, db: Database, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db)
    typed = queries.display_code(issued.certificate.code).lower()

    response = await client.get(f"/verify/{typed}")

    assert response.status_code == 200
    assert "Giulia Bianchi" in response.text


async def test_verify_unknown_code_is_404_with_help(client: AsyncClient) -> None:
    response = await client.get("/verify/ABCD-EFGH-2345")

    assert response.status_code == 404
    assert "Nessun attestato con questo codice" in response.text
    assert "le cifre 0 e 1" in response.text
    assert 'value="ABCD-EFGH-2345"' in response.text


async def test_verify_escapes_html_in_names(
    app: Starlette, actors: Actors, db: Database, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db, members=(("<script>x()</script>", "B"),))

    response = await client.get(f"/verify/{issued.certificate.code}")

    assert "<script>x()" not in response.text
    assert "&lt;script&gt;x()&lt;/script&gt; B" in response.text


async def test_download_gives_the_stored_pdf_as_an_attachment(
    app: Starlette, actors: Actors, db: Database, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db)
    code = issued.certificate.code

    response = await client.get(f"/certificates/{code}.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="certificate-{code}.pdf"'
    )
    assert hashlib.sha256(response.content).hexdigest() == issued.certificate.sha256


async def test_download_of_unknown_or_revoked_certificate_is_404(
    app: Starlette, actors: Actors, db: Database, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)
    await post_form(
        organiser, f"{_detail(issued)}/revoke", {"reason": "Errore"}, form_page=_detail(issued)
    )

    revoked = await client.get(f"/certificates/{issued.certificate.code}.pdf")
    unknown = await client.get("/certificates/ABCDEFGH2345.pdf")

    assert revoked.status_code == 404
    assert "revocato" in revoked.text
    assert unknown.status_code == 404


async def test_organiser_list_shows_certificates_and_counts(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)

    response = await organiser.get(f"/challenges/{issued.challenge.id}/certificates")

    assert response.status_code == 200
    assert "Giulia Bianchi" in response.text
    assert queries.display_code(issued.certificate.code) in response.text
    assert "<strong>1</strong> valido" in response.text
    assert 'class="table-scroll"' in response.text


async def test_certificate_pages_are_for_organisers_only(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    coach = await actors.client(issued.coach)
    path = f"/challenges/{issued.challenge.id}/certificates"

    assert (await coach.get(path)).status_code == 403
    assert (await coach.get(_detail(issued))).status_code == 403
    anonymous = await actors.anonymous().get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")


async def test_certificate_of_another_challenge_is_404(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    other = await make_challenge(db, organiser=issued.organiser)
    organiser = await actors.client(issued.organiser)
    path = f"/challenges/{other.id}/certificates/{issued.certificate.id}"

    page = await organiser.get(path)
    revoke = await post_form(organiser, f"{path}/revoke", {"reason": "Errore"}, form_page="/verify")

    assert page.status_code == 404
    assert revoke.status_code == 404
    assert (await organiser.get("/challenges/999999/certificates")).status_code == 404
    assert {c.status for c in await certificates(db)} == {CertificateStatus.ISSUED}


async def test_revoke_marks_the_certificate_and_verify_says_so(
    app: Starlette, actors: Actors, db: Database, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)

    response = await post_form(
        organiser,
        f"{_detail(issued)}/revoke",
        {"reason": "  Nome   scritto male "},
        form_page=_detail(issued),
    )

    assert response.status_code == 303
    assert response.headers["location"] == _detail(issued)
    (certificate,) = await certificates(db)
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoke_reason == "Nome scritto male"
    assert certificate.revoked_at is not None
    async with db.read() as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
        events = (await session.execute(select(OutboxEvent.type))).scalars().all()
    assert "certificate.revoked" in actions
    assert "CertificateRevoked" in events
    page = await client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200
    assert "Revocato" in page.text and "non è più valido" in page.text
    assert "Nome scritto male" in page.text


async def test_revoke_without_a_reason_is_422_and_changes_nothing(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)

    response = await post_form(
        organiser, f"{_detail(issued)}/revoke", {"reason": "  "}, form_page=_detail(issued)
    )

    assert response.status_code == 422
    assert 'id="e-reason"' in response.text
    assert {c.status for c in await certificates(db)} == {CertificateStatus.ISSUED}


async def test_revoke_by_a_coach_is_403_and_changes_nothing(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    coach = await actors.client(issued.coach)

    response = await post_form(
        coach, f"{_detail(issued)}/revoke", {"reason": "Mi va"}, form_page="/verify"
    )

    assert response.status_code == 403
    assert {c.status for c in await certificates(db)} == {CertificateStatus.ISSUED}


async def test_revoke_without_csrf_token_is_refused(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)
    await organiser.get("/verify")

    response = await organiser.post(f"{_detail(issued)}/revoke", data={"reason": "Errore"})

    assert response.status_code == 403
    assert {c.status for c in await certificates(db)} == {CertificateStatus.ISSUED}


async def test_revoke_twice_keeps_the_first_reason(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)
    path = f"{_detail(issued)}/revoke"
    await post_form(organiser, path, {"reason": "Errore"}, form_page=_detail(issued))

    again = await post_form(organiser, path, {"reason": "Ancora"}, form_page=_detail(issued))

    # A double click lands on the certificate's page, revoked once, for the first reason.
    assert again.status_code == 303
    (certificate,) = await certificates(db)
    assert certificate.revoke_reason == "Errore"


async def test_reissue_makes_a_new_version_that_the_worker_renders(
    app: Starlette, actors: Actors, db: Database, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)

    response = await post_form(organiser, f"{_detail(issued)}/reissue", form_page=_detail(issued))
    await work(app)

    old, new = await certificates(db)
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/challenges/{issued.challenge.id}/certificates/{new.id}"
    )
    assert (old.status, new.status, new.version) == (
        CertificateStatus.REVOKED,
        CertificateStatus.ISSUED,
        2,
    )
    page = await organiser.get(response.headers["location"])
    assert "Versione 1" in page.text and "Versione 2" in page.text
    assert "Revocato" in (await client.get(f"/verify/{old.code}")).text
    assert "Valido" in (await client.get(f"/verify/{new.code}")).text


async def test_reissue_of_an_old_version_is_409(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)
    await post_form(organiser, f"{_detail(issued)}/reissue", form_page=_detail(issued))

    again = await post_form(organiser, f"{_detail(issued)}/reissue", form_page=_detail(issued))

    assert again.status_code == 409
    assert len(await certificates(db)) == 2


async def test_mine_shows_coach_judge_and_company_their_own_certificates(
    app: Starlette, actors: Actors, db: Database
) -> None:
    results = await make_results(actors, db)
    other_coach = await actors.user("Davide Gozzi")
    await actors.grant(other_coach, results.challenge.id or 0, RoleKind.COACH)
    await publish_results(db, results.challenge)
    await work(app)
    path = f"/challenges/{results.challenge.id}/certificates/mine"

    coach = await (await actors.client(results.coach)).get(path)
    judge = await (await actors.client(results.judge)).get(path)
    company = await (await actors.client(results.representative)).get(path)
    other = await (await actors.client(other_coach)).get(path)

    assert coach.status_code == 200
    assert coach.text.count("Giulia Bianchi</td>") == 3
    assert "Andrea Lodi" not in coach.text
    assert "Andrea Lodi</td>" in judge.text and "Giulia Bianchi" not in judge.text
    assert "Acque del Mincio S.p.A.</td>" in company.text
    assert "Giulia Bianchi" not in company.text
    assert other.status_code == 200
    assert "Non ci sono ancora attestati per te" in other.text
    # Not only results: an adoption's certificates come when it takes effect and completes.
    assert "diventa effettiva" in other.text


async def test_mine_for_someone_without_a_role_is_403(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    stranger = await actors.client(await actors.user("Sconosciuto"))

    response = await stranger.get(f"/challenges/{issued.challenge.id}/certificates/mine")

    assert response.status_code == 403


async def test_pending_certificate_verifies_as_being_prepared(
    app: Starlette, actors: Actors, db: Database, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.client(issued.organiser)
    await post_form(organiser, f"{_detail(issued)}/reissue", form_page=_detail(issued))
    async with db.read() as session:
        new = (
            await session.execute(select(Certificate).where(col(Certificate.version) == 2))
        ).scalar_one()

    page = await client.get(f"/verify/{new.code}")
    pdf = await client.get(f"/certificates/{new.code}.pdf")

    assert page.status_code == 200
    assert "In preparazione" in page.text
    assert pdf.status_code == 404
