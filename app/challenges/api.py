"""JSON API of this domain: challenges, their tracks, phase windows and people, and\nprogrammes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.accounts import queries as accounts_queries
from app.accounts.auth import current_user, require_user
from app.accounts.models import Role, User
from app.api import ApiRouter, extended
from app.challenges import (
    cover,
    editions,
    permissions,
    phases,
    programmes,
    queries,
    service,
    views,
)
from app.challenges.schemas import (
    ArchiveInput,
    ChallengeDetail,
    ChallengeInput,
    ChallengeRead,
    PersonRead,
    PhaseRead,
    PhasesUpdate,
    ProgrammeDetail,
    ProgrammeInput,
    ProgrammeRead,
    RoleGrant,
    StageInput,
    TrackInput,
    TrackRead,
)
from app.forms import read_upload
from app.storage import staged
from app.web import path_id, services

router = ApiRouter("challenges")


@router.route(
    "GET",
    "/challenges",
    summary="List the published challenges",
    response=ChallengeRead,
    many=True,
    auth=False,
)
async def list_challenges(request: Request) -> list[ChallengeRead]:
    async with services(request).db.read() as session:
        cards = await phases.published_cards(session)
    return [
        ChallengeRead.model_validate(extended(card.challenge, current_phase=card.label))
        for card in cards
    ]


async def _detail(request: Request, challenge_id: int) -> ChallengeDetail:
    async with services(request).db.read() as session:
        detail = await views.challenge_detail(
            session, user=current_user(request), challenge_id=challenge_id
        )
    return ChallengeDetail.model_validate(
        extended(
            detail.challenge,
            current_phase=detail.label,
            tracks=detail.tracks,
            phases=detail.phases,
            has_cover=detail.challenge.cover_key is not None,
        )
    )


@router.route(
    "GET",
    "/challenges/{id:int}",
    summary="A challenge with its tracks and phases",
    response=ChallengeDetail,
    auth=False,
    errors=(404,),
)
async def get_challenge(request: Request) -> ChallengeDetail:
    return await _detail(request, path_id(request))


async def may_create(request: Request, _session: AsyncSession) -> None:
    service.ensure_may_create(require_user(request))


@router.route(
    "POST",
    "/challenges",
    summary="Create a draft challenge; you become its organiser (if allowed to create)",
    body=ChallengeInput,
    response=ChallengeDetail,
    status=201,
    errors=(403,),
    guard=may_create,
)
async def create_challenge(request: Request, body: ChallengeInput) -> ChallengeDetail:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        challenge = await service.create_challenge(session, user=user, data=body)
    assert challenge.id is not None
    return await _detail(request, challenge.id)


@router.route(
    "POST",
    "/challenges/{id:int}/tracks",
    summary="Add a track (organisers)",
    body=TrackInput,
    response=TrackRead,
    status=201,
    errors=(403, 404, 409),
    guard=permissions.organised_in_path,
)
async def add_track(request: Request, body: TrackInput) -> TrackRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        track = await service.add_track(
            session, user=user, challenge_id=path_id(request), data=body
        )
    return TrackRead.model_validate(track)


@router.route(
    "PUT",
    "/challenges/{id:int}/phases",
    summary="Replace the phase windows (organisers); times without a zone are local",
    body=PhasesUpdate,
    response=PhaseRead,
    many=True,
    errors=(403, 404),
    guard=permissions.organised_in_path,
)
async def set_phases(request: Request, body: PhasesUpdate) -> list[PhaseRead]:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        phase_list = await phases.set_phases(
            session,
            user=user,
            challenge_id=path_id(request),
            windows=body.phases,
            reason=body.reason,
        )
    return [PhaseRead.model_validate(p) for p in phase_list]


@router.route(
    "PUT",
    "/challenges/{id:int}",
    summary="Change a challenge's texts, rules, team sizes, time zone or programme (organisers)",
    body=ChallengeInput,
    response=ChallengeDetail,
    errors=(403, 404),
    guard=permissions.organised_in_path,
)
async def update_challenge(request: Request, body: ChallengeInput) -> ChallengeDetail:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await service.update_challenge(session, user=user, challenge_id=path_id(request), data=body)
    return await _detail(request, path_id(request))


async def _published(request: Request, published: bool) -> ChallengeDetail:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await service.set_published(
            session, user=user, challenge_id=path_id(request), published=published
        )
    return await _detail(request, path_id(request))


@router.route(
    "POST",
    "/challenges/{id:int}/publish",
    summary="Publish a draft challenge: everyone sees it (organisers; twice is harmless)",
    response=ChallengeDetail,
    errors=(403, 404),
    guard=permissions.organised_in_path,
)
async def publish_challenge(request: Request) -> ChallengeDetail:
    return await _published(request, True)


@router.route(
    "POST",
    "/challenges/{id:int}/unpublish",
    summary="Take a challenge back to draft: only its organisers see it",
    response=ChallengeDetail,
    errors=(403, 404),
    guard=permissions.organised_in_path,
)
async def unpublish_challenge(request: Request) -> ChallengeDetail:
    return await _published(request, False)


@router.route(
    "PUT",
    "/challenges/{id:int}/archived",
    summary="Archive a finished challenge (every phase ended), or bring it back",
    body=ArchiveInput,
    response=ChallengeDetail,
    errors=(403, 404, 409),
    guard=permissions.organised_in_path,
)
async def archive_challenge(request: Request, body: ArchiveInput) -> ChallengeDetail:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await editions.archive_challenge(
            session, user=user, challenge_id=path_id(request), archived=body.archived
        )
    return await _detail(request, path_id(request))


@router.route(
    "PUT",
    "/challenges/{id:int}/tracks/{track_id:int}",
    summary="Rename, describe or reorder a track (organisers)",
    body=TrackInput,
    response=TrackRead,
    errors=(403, 404, 409),
    guard=permissions.organised_in_path,
)
async def update_track(request: Request, body: TrackInput) -> TrackRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        track = await service.update_track(
            session,
            user=user,
            challenge_id=path_id(request),
            track_id=path_id(request, "track_id"),
            data=body,
        )
    return TrackRead.model_validate(track)


@router.route(
    "DELETE",
    "/challenges/{id:int}/tracks/{track_id:int}",
    summary="Delete a track nobody has chosen yet (organisers)",
    status=204,
    errors=(403, 404, 409),
    guard=permissions.organised_in_path,
)
async def delete_track(request: Request) -> None:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await service.delete_track(
            session,
            user=user,
            challenge_id=path_id(request),
            track_id=path_id(request, "track_id"),
        )


def _person(role: Role, person: User) -> PersonRead:
    assert role.id is not None and person.id is not None
    return PersonRead(
        role_id=role.id, user_id=person.id, name=person.name, email=person.email, kind=role.kind
    )


@router.route(
    "GET",
    "/challenges/{id:int}/people",
    summary="The people with a role in the challenge (organisers)",
    response=PersonRead,
    many=True,
    errors=(403, 404),
    guard=permissions.organised_in_path,
)
async def list_people(request: Request) -> list[PersonRead]:
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await permissions.organised(session, user=user, challenge_id=path_id(request))
        people = await accounts_queries.people_in(session, challenge_id=access.challenge_id)
    return [_person(role, person) for role, person in people]


@router.route(
    "POST",
    "/challenges/{id:int}/people",
    summary="Give a confirmed account a role: organiser, judge or mentor (twice is harmless)",
    body=RoleGrant,
    response=PersonRead,
    status=201,
    errors=(403, 404),
    guard=permissions.organised_in_path,
)
async def grant_role(request: Request, body: RoleGrant) -> PersonRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        role = await service.grant_role(
            session, user=user, challenge_id=path_id(request), email=body.email, kind=body.kind
        )
        person = await accounts_queries.user_by_id(session, role.user_id)
    return _person(role, person)


@router.route(
    "DELETE",
    "/challenges/{id:int}/people/{role_id:int}",
    summary="Take a role away (judges are removed on the judging API; the last organiser stays)",
    status=204,
    errors=(403, 404, 409),
    guard=permissions.organised_in_path,
)
async def remove_role(request: Request) -> None:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await service.remove_role(
            session, user=user, challenge_id=path_id(request), role_id=path_id(request, "role_id")
        )


@router.route(
    "GET",
    "/programmes",
    summary="List the programmes (chains of challenges)",
    response=ProgrammeRead,
    many=True,
    auth=False,
)
async def list_programmes(request: Request) -> list[ProgrammeRead]:
    async with services(request).db.read() as session:
        found = await queries.programmes(session)
    return [ProgrammeRead.model_validate(p) for p in found]


async def _programme(request: Request, programme_id: int) -> ProgrammeDetail:
    async with services(request).db.read() as session:
        programme = await queries.get_programme(session, programme_id)
        stages = await queries.programme_stages(session, programme_id)
        visible = await permissions.visible_among(
            session, user=current_user(request), challenges=stages
        )
    return ProgrammeDetail.model_validate(
        extended(programme, stages=[ChallengeRead.model_validate(c) for c in visible])
    )


@router.route(
    "GET",
    "/programmes/{id:int}",
    summary="A programme with the stages you may see",
    response=ProgrammeDetail,
    auth=False,
    errors=(404,),
)
async def get_programme(request: Request) -> ProgrammeDetail:
    return await _programme(request, path_id(request))


@router.route(
    "POST",
    "/programmes",
    summary="Start a programme; you own it (if allowed to create challenges)",
    body=ProgrammeInput,
    response=ProgrammeDetail,
    status=201,
    errors=(403,),
    guard=may_create,
)
async def create_programme(request: Request, body: ProgrammeInput) -> ProgrammeDetail:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        programme = await programmes.create_programme(session, user=user, data=body)
    assert programme.id is not None
    return await _programme(request, programme.id)


async def owns_programme_in_path(request: Request, session: AsyncSession) -> None:
    await programmes.owned_programme(
        session, user=require_user(request), programme_id=path_id(request)
    )


@router.route(
    "POST",
    "/programmes/{id:int}/stages",
    summary="Make a challenge you organise a stage of your programme",
    body=StageInput,
    response=ProgrammeDetail,
    errors=(403, 404),
    guard=owns_programme_in_path,
)
async def attach_stage(request: Request, body: StageInput) -> ProgrammeDetail:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await programmes.attach_stage(session, user=user, programme_id=path_id(request), data=body)
    return await _programme(request, path_id(request))


@router.route(
    "DELETE",
    "/programmes/{id:int}/stages/{challenge_id:int}",
    summary="Take a challenge out of a programme (its owner or the challenge's organisers)",
    status=204,
    errors=(403, 404),
)
async def detach_stage(request: Request) -> None:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await programmes.detach_stage(
            session,
            user=user,
            programme_id=path_id(request),
            challenge_id=path_id(request, "challenge_id"),
        )


@router.route(
    "PUT",
    "/challenges/{id:int}/cover",
    summary="Put up a cover image: PNG or JPEG, at most 2 MB and 4000 x 4000 pixels "
    "(multipart/form-data, field 'file'); shown at /challenges/{id}/cover",
    response=ChallengeDetail,
    errors=(403, 404, 413),
    files=("file",),
    guard=permissions.organised_in_path,
)
async def put_cover(request: Request) -> ChallengeDetail:
    user = require_user(request)
    found = services(request)
    upload = await read_upload(request, csrf=False)
    async with staged(found.storage) as stage, found.db.transaction() as session:
        unused = await cover.set_cover(
            session, user=user, challenge_id=path_id(request), upload=upload, stage=stage
        )
    if unused:
        found.storage.delete(unused)
    return await _detail(request, path_id(request))


@router.route(
    "DELETE",
    "/challenges/{id:int}/cover",
    summary="Take the cover image down",
    status=204,
    errors=(403, 404),
    guard=permissions.organised_in_path,
)
async def delete_cover(request: Request) -> None:
    user = require_user(request)
    found = services(request)
    async with found.db.transaction() as session:
        unused = await cover.remove_cover(session, user=user, challenge_id=path_id(request))
    if unused:
        found.storage.delete(unused)
