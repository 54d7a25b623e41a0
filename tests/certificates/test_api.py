"""JSON API: public verification; listing and revoking for organisers."""

from __future__ import annotations

from httpx import AsyncClient
from starlette.applications import Starlette

from app.certificates import queries
from app.certificates.models import CertificateStatus
from app.db import MAX_ID, Database
from tests.certificates.conftest import certificates, issue_participation
from tests.factories import Actors


async def test_verify_is_public_and_tolerant_of_how_the_code_is_typed(
    app: Starlette, actors: Actors, db: Database, client: AsyncClient
) -> None:
    issued = await issue_participation(app, actors, db)
    code = issued.certificate.code
    typed = queries.display_code(code).lower()

    response = await client.get(f"/api/v1/verify/{typed}")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == code
    assert body["status"] == "issued" and body["valid"] is True
    assert body["kind"] == "participation"
    assert body["recipient_name"] == "Giulia Bianchi"
    assert body["challenge_title"] == "Climathon Mantova 2026"
    assert body["sha256"] == issued.certificate.sha256
    assert body["pdf_url"] == f"http://testserver/certificates/{code}.pdf"


async def test_verify_unknown_code_is_404(client: AsyncClient) -> None:
    response = await client.get("/api/v1/verify/ABCDEFGH2345")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_list_certificates_for_organisers(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.api(issued.organiser)
    coach = await actors.api(issued.coach)
    path = f"/api/v1/challenges/{issued.challenge.id}/certificates"

    response = await organiser.get(path)

    assert response.status_code == 200
    assert [(c["id"], c["status"], c["version"]) for c in response.json()] == [
        (issued.certificate.id, "issued", 1)
    ]
    assert (await coach.get(path)).status_code == 403
    assert (await actors.anonymous().get(path)).status_code == 401
    assert (await organiser.get("/api/v1/challenges/999999/certificates")).status_code == 404


async def test_revoke_through_the_api(app: Starlette, actors: Actors, db: Database) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.api(issued.organiser)
    path = f"/api/v1/certificates/{issued.certificate.id}/revoke"

    response = await organiser.post(path, json={"reason": "Nome sbagliato"})
    again = await organiser.post(path, json={"reason": "Ancora"})

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["revoke_reason"] == "Nome sbagliato"
    assert (again.status_code, again.json()["revoke_reason"]) == (200, "Nome sbagliato")
    (certificate,) = await certificates(db)
    assert certificate.status == CertificateStatus.REVOKED
    verified = await actors.anonymous().get(f"/api/v1/verify/{certificate.code}")
    assert verified.json()["valid"] is False
    assert verified.json()["pdf_url"] is None


async def test_revoke_with_bad_input_is_refused_and_changes_nothing(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    organiser = await actors.api(issued.organiser)
    coach = await actors.api(issued.coach)
    path = f"/api/v1/certificates/{issued.certificate.id}/revoke"

    missing = await organiser.post(path, json={})
    short = await organiser.post(path, json={"reason": "x"})
    form = await organiser.post(path, data={"reason": "Errore"})
    forbidden = await coach.post(path, json={"reason": "Errore"})
    unknown = await organiser.post("/api/v1/certificates/999999/revoke", json={"reason": "Err"})

    assert missing.status_code == 422 and "reason" in missing.json()["error"]["fields"]
    assert short.status_code == 422
    assert form.status_code == 415
    assert forbidden.status_code == 403
    assert unknown.status_code == 404
    assert {c.status for c in await certificates(db)} == {CertificateStatus.ISSUED}


async def test_openapi_documents_the_certificate_endpoints(client: AsyncClient) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]

    verify = paths["/api/v1/verify/{code}"]["get"]
    assert verify["parameters"][0]["schema"] == {"type": "string"}
    assert "security" not in verify
    revoke = paths["/api/v1/certificates/{certificate_id}/revoke"]["post"]
    assert revoke["parameters"][0]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    assert {"403", "404", "409", "422"} <= set(revoke["responses"])
