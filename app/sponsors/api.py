"""JSON API: sponsors, their representatives, and adoptions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, extended
from app.challenges import permissions as challenge_permissions
from app.errors import NotFound
from app.forms import read_upload
from app.sponsors import adoptions, followup, offers, queries, rules, service, views
from app.sponsors.models import ADOPTED_STATUSES
from app.sponsors.schemas import (
    AdoptionAmend,
    AdoptionClose,
    AdoptionCreate,
    AdoptionRead,
    AdoptionRefusal,
    AdoptionReply,
    AdoptionRulesRead,
    AdoptionRulesUpdate,
    AdoptionsReport,
    AdoptionVersionRead,
    MilestoneCreate,
    MilestoneRead,
    Progress,
    RecognitionChoice,
    RepresentativeAdd,
    RepresentativeRead,
    SponsorCreate,
    SponsorRead,
)
from app.storage import staged
from app.teams.routes.files import attachment
from app.web import path_id, services

router = ApiRouter("sponsors")


async def organiser_of_path_sponsor(request: Request, session: AsyncSession) -> None:
    await challenge_permissions.organised_in_path(request, session)
    await queries.get_sponsor(
        session, path_id(request, "sponsor_id"), challenge_id=path_id(request)
    )


async def organiser_of_path_adoption(request: Request, session: AsyncSession) -> None:
    await adoptions.organiser_of_adoption(
        session, user=require_user(request), adoption_id=path_id(request)
    )


async def sponsor_of_path_adoption(request: Request, session: AsyncSession) -> None:
    await offers.may_amend(session, user=require_user(request), adoption_id=path_id(request))


async def coach_of_path_adoption(request: Request, session: AsyncSession) -> None:
    await offers.may_reply(session, user=require_user(request), adoption_id=path_id(request))


async def side_of_path_adoption(request: Request, session: AsyncSession) -> None:
    await followup.may_follow(session, user=require_user(request), adoption_id=path_id(request))


async def side_of_path_adoption_or_organiser(request: Request, session: AsyncSession) -> None:
    """Who sees the adoption's follow-up page: its two sides and the organisers."""
    await adoptions.locked_adoption(
        session, user=require_user(request), adoption_id=path_id(request), lock=False
    )


async def company_of_path_adoption(request: Request, session: AsyncSession) -> None:
    await followup.may_set_recognition(
        session, user=require_user(request), adoption_id=path_id(request)
    )


async def sponsor_of_path_project(request: Request, session: AsyncSession) -> None:
    await adoptions.project_to_adopt(
        session, user=require_user(request), project_id=path_id(request)
    )


@router.route(
    "GET",
    "/challenges/{id:int}/sponsors",
    summary="The sponsors of a challenge",
    response=SponsorRead,
    many=True,
    auth=False,
    errors=(404,),
)
async def list_sponsors(request: Request) -> list[SponsorRead]:
    async with services(request).db.read() as session:
        page = await views.sponsors_page(
            session, user=current_user(request), challenge_id=path_id(request)
        )
    return [SponsorRead.model_validate(s) for s in page.sponsors]


@router.route(
    "POST",
    "/challenges/{id:int}/sponsors",
    summary="Add a sponsor (organisers)",
    body=SponsorCreate,
    response=SponsorRead,
    status=201,
    errors=(403, 404, 409),
    guard=challenge_permissions.organised_in_path,
)
async def add_sponsor(request: Request, body: SponsorCreate) -> SponsorRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        sponsor = await service.add_sponsor(
            session, user=user, challenge_id=path_id(request), data=body
        )
    return SponsorRead.model_validate(sponsor)


@router.route(
    "POST",
    "/challenges/{id:int}/sponsors/{sponsor_id:int}/representatives",
    summary="Link an existing account as a sponsor's representative (organisers)",
    body=RepresentativeAdd,
    response=RepresentativeRead,
    status=201,
    errors=(403, 404),
    guard=organiser_of_path_sponsor,
)
async def add_representative(request: Request, body: RepresentativeAdd) -> RepresentativeRead:
    user = require_user(request)
    sponsor_id = path_id(request, "sponsor_id")
    async with services(request).db.transaction() as session:
        person = await service.add_representative(
            session,
            user=user,
            challenge_id=path_id(request),
            sponsor_id=sponsor_id,
            email=str(body.email),
        )
    return RepresentativeRead.model_validate(
        extended(person, sponsor_id=sponsor_id, user_id=person.id)
    )


@router.route(
    "POST",
    "/projects/{id:int}/adoptions",
    summary="Offer an adoption of a submitted project (sponsor representatives)",
    body=AdoptionCreate,
    response=AdoptionRead,
    status=201,
    errors=(403, 404, 409),
    guard=sponsor_of_path_project,
)
async def propose_adoption(request: Request, body: AdoptionCreate) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=user, project_id=path_id(request), data=body
        )
    return AdoptionRead.model_validate(adoption)


@router.route(
    "POST",
    "/adoptions/{id:int}/accept",
    summary="Accept an offer (the team's coach)",
    response=AdoptionRead,
    errors=(403, 404, 409),
)
async def accept_adoption(request: Request) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await adoptions.accept_adoption(session, user=user, adoption_id=path_id(request))
    return AdoptionRead.model_validate(adoption)


@router.route(
    "POST",
    "/adoptions/{id:int}/decline",
    summary="Decline an offer (the team's coach)",
    response=AdoptionRead,
    errors=(403, 404, 409),
)
async def decline_adoption(request: Request) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await adoptions.decline_adoption(
            session, user=user, adoption_id=path_id(request)
        )
    return AdoptionRead.model_validate(adoption)


@router.route(
    "POST",
    "/adoptions/{id:int}/withdraw",
    summary="Withdraw an offer before the team answers (sponsor representatives)",
    response=AdoptionRead,
    errors=(403, 404, 409),
)
async def withdraw_adoption(request: Request) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await adoptions.withdraw_adoption(
            session, user=user, adoption_id=path_id(request)
        )
    return AdoptionRead.model_validate(adoption)


@router.route(
    "GET",
    "/challenges/{id:int}/adoptions",
    summary="Every adoption of a challenge with totals (organisers)",
    response=AdoptionsReport,
    errors=(403, 404),
)
async def adoptions_report(request: Request) -> AdoptionsReport:
    user = require_user(request)
    async with services(request).db.read() as session:
        report = await views.adoptions_report(session, user=user, challenge_id=path_id(request))
    return AdoptionsReport.model_validate(
        {
            "accepted": report.accepted,
            "pending": report.pending,
            "adoptions": [row.adoption for row in report.rows],
            "progress": [
                {"adoption_id": row.adoption.id, "progress": report.progress[row.adoption.id]}
                for row in report.rows
                if row.adoption.status in ADOPTED_STATUSES and row.adoption.id is not None
            ],
        }
    )


@router.route(
    "GET",
    "/challenges/{id:int}/adoption-rules",
    summary="A challenge's adoption rules",
    response=AdoptionRulesRead,
    auth=False,
    errors=(404,),
)
async def adoption_rules(request: Request) -> AdoptionRulesRead:
    async with services(request).db.read() as session:
        return await views.rules_read(
            session, user=current_user(request), challenge_id=path_id(request)
        )


@router.route(
    "PUT",
    "/challenges/{id:int}/adoption-rules",
    summary="Set a challenge's adoption rules (organisers)",
    body=AdoptionRulesUpdate,
    response=AdoptionRulesRead,
    errors=(403, 404),
    guard=challenge_permissions.organised_in_path,
)
async def update_adoption_rules(request: Request, body: AdoptionRulesUpdate) -> AdoptionRulesRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        found = await rules.update_rules(
            session, user=user, challenge_id=path_id(request), data=body
        )
    return rules.read(found)


@router.route(
    "POST",
    "/adoptions/{id:int}/confirm",
    summary="Confirm a team's acceptance, where the rules ask for it (organisers)",
    response=AdoptionRead,
    errors=(403, 404, 409),
    guard=organiser_of_path_adoption,
)
async def confirm_adoption(request: Request) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await adoptions.confirm_adoption(
            session, user=user, adoption_id=path_id(request)
        )
    return AdoptionRead.model_validate(adoption)


@router.route(
    "POST",
    "/adoptions/{id:int}/refuse",
    summary="Refuse to confirm a team's acceptance, with a reason (organisers)",
    body=AdoptionRefusal,
    response=AdoptionRead,
    errors=(403, 404, 409),
    guard=organiser_of_path_adoption,
)
async def refuse_adoption(request: Request, body: AdoptionRefusal) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await adoptions.refuse_adoption(
            session, user=user, adoption_id=path_id(request), data=body
        )
    return AdoptionRead.model_validate(adoption)


@router.route(
    "GET",
    "/adoptions/{id:int}/versions",
    summary="Every version of an offer, the newest first (the company, the team, organisers)",
    response=AdoptionVersionRead,
    many=True,
    errors=(404,),
)
async def adoption_versions(request: Request) -> list[AdoptionVersionRead]:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.offer_page(session, user=user, adoption_id=path_id(request))
    return [AdoptionVersionRead.model_validate(v) for v in page.versions]


@router.route(
    "POST",
    "/adoptions/{id:int}/amend",
    summary="Amend an offer before the team accepts it: a new version (sponsor representatives)",
    body=AdoptionAmend,
    response=AdoptionRead,
    errors=(403, 404, 409),
    guard=sponsor_of_path_adoption,
)
async def amend_adoption(request: Request, body: AdoptionAmend) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await offers.amend_adoption(
            session, user=user, adoption_id=path_id(request), data=body
        )
    return AdoptionRead.model_validate(adoption)


@router.route(
    "POST",
    "/adoptions/{id:int}/reply",
    summary="Answer the company with a message (the team's coach)",
    body=AdoptionReply,
    response=AdoptionRead,
    errors=(403, 404, 409),
    guard=coach_of_path_adoption,
)
async def reply_to_adoption(request: Request, body: AdoptionReply) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await offers.reply_to_adoption(
            session, user=user, adoption_id=path_id(request), data=body
        )
    return AdoptionRead.model_validate(adoption)


@router.route(
    "GET",
    "/adoptions/{id:int}/milestones",
    summary="An adoption's milestones by date (the company, the team, organisers)",
    response=MilestoneRead,
    many=True,
    errors=(404,),
)
async def adoption_milestones(request: Request) -> list[MilestoneRead]:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.follow_up(session, user=user, adoption_id=path_id(request))
    return [MilestoneRead.model_validate(m) for m in page.milestones]


@router.route(
    "GET",
    "/adoptions/{id:int}/progress",
    summary="Done against promised, from the confirmed milestones",
    response=Progress,
    errors=(404,),
)
async def adoption_progress(request: Request) -> Progress:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.follow_up(session, user=user, adoption_id=path_id(request))
    return page.progress


@router.route(
    "POST",
    "/adoptions/{id:int}/milestones",
    summary="Record a milestone for the other side to confirm (the coach, the company)",
    body=MilestoneCreate,
    response=MilestoneRead,
    status=201,
    errors=(403, 404, 409),
    guard=side_of_path_adoption,
)
async def add_milestone(request: Request, body: MilestoneCreate) -> MilestoneRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        milestone = await followup.propose_milestone(
            session, user=user, adoption_id=path_id(request), data=body
        )
    return MilestoneRead.model_validate(milestone)


@router.route(
    "POST",
    "/adoptions/{id:int}/milestones/{milestone_id:int}/confirm",
    summary="Confirm the other side's milestone (the coach, the company)",
    response=MilestoneRead,
    errors=(403, 404, 409),
    guard=side_of_path_adoption,
)
async def confirm_milestone(request: Request) -> MilestoneRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        milestone = await followup.confirm_milestone(
            session,
            user=user,
            adoption_id=path_id(request),
            milestone_id=path_id(request, "milestone_id"),
        )
    return MilestoneRead.model_validate(milestone)


@router.route(
    "POST",
    "/adoptions/{id:int}/close",
    summary="Close an adoption: completed, or ended early with a reason (either side)",
    body=AdoptionClose,
    response=AdoptionRead,
    errors=(403, 404, 409),
    guard=side_of_path_adoption,
)
async def close_adoption(request: Request, body: AdoptionClose) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await followup.close_adoption(
            session, user=user, adoption_id=path_id(request), data=body
        )
    return AdoptionRead.model_validate(adoption)


@router.route(
    "PUT",
    "/adoptions/{id:int}/recognition",
    summary='Whether the project names the company ("Adottato da ..."): "public" or "private" '
    "(the company's representatives, at any time)",
    body=RecognitionChoice,
    response=AdoptionRead,
    errors=(403, 404),
    guard=company_of_path_adoption,
)
async def adoption_recognition(request: Request, body: RecognitionChoice) -> AdoptionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        adoption = await followup.set_recognition(
            session,
            user=user,
            adoption_id=path_id(request),
            public=body.recognition == "public",
        )
    return AdoptionRead.model_validate(adoption)


async def proposer_of_path_milestone(request: Request, session: AsyncSession) -> None:
    await followup.may_attach(
        session,
        user=require_user(request),
        adoption_id=path_id(request),
        milestone_id=path_id(request, "milestone_id"),
    )


@router.route(
    "PUT",
    "/adoptions/{id:int}/milestones/{milestone_id:int}/file",
    summary="Attach a file to a milestone waiting for confirmation, replacing the one it had: "
    "PDF, PNG or JPEG within the upload limit (multipart/form-data, field 'file'; the side "
    "that recorded it)",
    response=MilestoneRead,
    errors=(403, 404, 409, 413, 415),
    files=("file",),
    guard=proposer_of_path_milestone,
)
async def attach_milestone_file(request: Request) -> MilestoneRead:
    user = require_user(request)
    found = services(request)
    upload = await read_upload(request, csrf=False)
    async with staged(found.storage) as stage, found.db.transaction() as session:
        milestone, replaced = await followup.attach_file(
            session,
            user=user,
            adoption_id=path_id(request),
            milestone_id=path_id(request, "milestone_id"),
            upload=upload,
            max_bytes=found.settings.max_upload_bytes,
            stage=stage,
        )
    if replaced:  # only once the new one is committed: a rollback keeps the old file
        found.storage.delete(replaced)
    return MilestoneRead.model_validate(milestone)


@router.route(
    "GET",
    "/adoptions/{id:int}/milestones/{milestone_id:int}/file",
    summary="A milestone's file, as a download (the company, the team, organisers)",
    errors=(404,),
    produces=("application/pdf", "image/png", "image/jpeg"),
    guard=side_of_path_adoption_or_organiser,
)
async def milestone_file(request: Request) -> Response:
    found = services(request)
    async with found.db.read() as session:
        milestone = await followup.milestone_file(
            session,
            user=require_user(request),
            adoption_id=path_id(request),
            milestone_id=path_id(request, "milestone_id"),
        )
    assert milestone.file_key is not None
    try:
        data = await run_in_threadpool(found.storage.read, milestone.file_key)
    except FileNotFoundError:
        raise NotFound() from None
    return attachment(data, media_type=milestone.file_type, name=milestone.file_name)
