"""Pages: the organisers' invitations of a challenge, and the link an invitee opens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts import ratelimit
from app.accounts import service as accounts_service
from app.accounts.auth import SESSION_COOKIE, current_user, require_user
from app.accounts.models import RoleKind
from app.accounts.passwords import hash_password
from app.accounts.queries import user_by_email
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenge_queries
from app.db import utcnow
from app.errors import FIXABLE_ON_A_FORM, AppError, TooManyRequests, ValidationFailed, form_errors
from app.forms import Filled, form_values, no_fields, read_form, submit, validate
from app.i18n import gettext as _
from app.invitations import links, queries, service
from app.invitations.models import INVITABLE_ROLES, Invitation
from app.invitations.schemas import (
    DEFAULT_DAYS,
    MAX_ADDRESSES,
    MAX_LIST_CHARS,
    AcceptSignup,
    ColleagueForm,
    InvitationForm,
    address_lines,
)
from app.middleware import cookie_name
from app.sponsors import queries as sponsors_queries
from app.templating import render
from app.web import path_for, path_id, path_text, services, settings

MAX_CSV_BYTES = MAX_LIST_CHARS


async def _list_page(
    request: Request, filled: Filled, report: service.Report | None = None
) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await challenge_permissions.organised(
            session, user=user, challenge_id=path_id(request)
        )
        rows = await queries.invitations(session, access.challenge_id)
        sponsor_list = await sponsors_queries.sponsors(session, access.challenge_id)
    now = utcnow()
    context = {
        "challenge": access.challenge,
        "invitations": [(row, row.shown_status(now)) for row in rows],
        "sponsor_options": [(s.id, s.name) for s in sponsor_list],
        "sponsor_names": {s.id: s.name for s in sponsor_list},
        "roles": INVITABLE_ROLES,
        "report": report,
        "invited": request.query_params.get("invited", ""),
        "max_addresses": MAX_ADDRESSES,
        "emails_max": MAX_CSV_BYTES,
    }
    return render(request, "invitations/list.html", context, filled=filled)


async def _addresses(request: Request) -> tuple[dict[str, str], str]:
    """The form's fields, and the text of the CSV file sent with it ("" without one)."""
    form = await read_form(request, max_files=1)
    try:
        values = form_values(form)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return values, ""
        data = await upload.read(MAX_CSV_BYTES + 1)
    finally:
        await form.close()
    if len(data) > MAX_CSV_BYTES:
        raise ValidationFailed({"file": _("The file is too large for one invitation list.")})
    try:
        return values, data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            {"file": _("Please save the file as CSV in UTF-8 (a choice of “Save as”).")}
        ) from None


async def invitations_page(request: Request) -> Response:
    """List the invitations and invite more people (organisers)."""
    user = require_user(request)
    challenge_id = path_id(request)
    if request.method == "GET":
        return await _list_page(request, Filled({"days": str(DEFAULT_DAYS)}))
    found = services(request)
    async with found.db.read() as session:
        await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    values: dict[str, str] = {}
    try:
        values, csv_text = await _addresses(request)
        data = validate(InvitationForm, values)
        if data.emails and csv_text:
            raise ValidationFailed({"emails": _("Paste the addresses or upload a file, not both.")})
        lines = address_lines(data.emails or csv_text)
        assert user.id is not None
        await ratelimit.limit_invitations(found.redis, inviter_id=user.id, count=len(lines))
        async with found.db.transaction() as session:
            report = await service.invite(
                session,
                user=user,
                challenge_id=challenge_id,
                kind=data.kind,
                sponsor_id=data.sponsor_id,
                lines=lines,
                days=data.days,
                locale=request.state.locale,
            )
    except TooManyRequests as exc:  # the list stays in the box, to be sent tomorrow
        return await _list_page(request, Filled(values, {"emails": exc.message}, 429))
    except FIXABLE_ON_A_FORM as exc:
        return await _list_page(request, Filled(values, form_errors(exc), exc.status_code))
    return await _sent(request, "challenge_invitations", _list_page, values, report)


async def resend_invitation(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await _resend(
        request,
        may_invite=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        resend=lambda session, invitation_id: service.resend(
            session, user=user, challenge_id=challenge_id, invitation_id=invitation_id
        ),
        list_route="challenge_invitations",
        list_page=_list_page,
    )


async def revoke_invitation(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await _revoke(
        request,
        may_invite=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        revoke=lambda session, invitation_id: service.revoke(
            session, user=user, challenge_id=challenge_id, invitation_id=invitation_id
        ),
        list_route="challenge_invitations",
        list_page=_list_page,
    )


# --- What the organisers' and the representatives' invitations share --------------------

ListPage = Callable[..., Awaitable[Response]]  # (request, filled, report=None)
MayInvite = Callable[[AsyncSession], Awaitable[object]]
Change = Callable[[AsyncSession, int], Awaitable[Invitation]]


async def _sent(
    request: Request,
    list_route: str,
    list_page: ListPage,
    values: dict[str, str],
    report: service.Report,
) -> Response:
    """After sending: back to the list, or the list with what was refused in the box, to be
    corrected and sent again."""
    if not report.refused:
        target = path_for(request, list_route, id=path_id(request))
        return RedirectResponse(f"{target}?invited={len(report.invited)}", status_code=303)
    again = {**values, "emails": "\n".join(refusal.email for refusal in report.refused)}
    status = 200 if report.invited else 422
    return await list_page(request, Filled(again, {}, status), report)


async def _resend(
    request: Request,
    *,
    may_invite: MayInvite,
    resend: Change,
    list_route: str,
    list_page: ListPage,
) -> Response:
    """Send an invitation again with a new link (3 times an hour each)."""
    invitation_id = path_id(request, "invitation_id")

    async def guard(session: AsyncSession) -> None:
        await may_invite(session)
        await ratelimit.limit_invitation_resend(
            services(request).redis, invitation_id=invitation_id
        )

    try:
        return await submit(
            request,
            guard=guard,
            parse=no_fields,
            act=lambda session, _none: resend(session, invitation_id),
            done=lambda _invitation: path_for(request, list_route, id=path_id(request)),
            again=lambda filled: list_page(request, filled),
        )
    except TooManyRequests as exc:
        return await list_page(request, Filled({}, {"__all__": exc.message}, 429))


async def _revoke(
    request: Request,
    *,
    may_invite: MayInvite,
    revoke: Change,
    list_route: str,
    list_page: ListPage,
) -> Response:
    """Withdraw a pending invitation; its link stops working."""
    invitation_id = path_id(request, "invitation_id")
    return await submit(
        request,
        guard=may_invite,
        parse=no_fields,
        act=lambda session, _none: revoke(session, invitation_id),
        done=lambda _invitation: path_for(request, list_route, id=path_id(request)),
        again=lambda filled: list_page(request, filled),
    )


# --- A company's representatives invite their colleagues -------------------------------


async def _colleagues_page(
    request: Request, filled: Filled, report: service.Report | None = None
) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        found = await service.colleagues(session, user=user, company_id=path_id(request))
    now = utcnow()
    context = {
        "company": found.company,
        "representatives": found.representatives,
        "invitations": [(row, row.shown_status(now)) for row in found.invitations],
        "report": report,
        "invited": request.query_params.get("invited", ""),
        "max_addresses": MAX_ADDRESSES,
        "emails_max": MAX_LIST_CHARS,
    }
    return render(request, "invitations/colleagues.html", context, filled=filled)


async def colleagues_page(request: Request) -> Response:
    """The company's representatives, and the colleagues they invite (its representatives)."""
    user = require_user(request)
    company_id = path_id(request)
    if request.method == "GET":
        return await _colleagues_page(request, Filled({"days": str(DEFAULT_DAYS)}))
    found = services(request)
    async with found.db.read() as session:
        await service.represented_company(session, user=user, company_id=company_id)
    values: dict[str, str] = {}
    try:
        form = await read_form(request)
        values = form_values(form)
        data = validate(ColleagueForm, values)
        lines = address_lines(data.emails)
        assert user.id is not None
        await ratelimit.limit_invitations(found.redis, inviter_id=user.id, count=len(lines))
        async with found.db.transaction() as session:
            report = await service.invite_colleagues(
                session,
                user=user,
                company_id=company_id,
                lines=lines,
                days=data.days,
                locale=request.state.locale,
            )
    except TooManyRequests as exc:
        return await _colleagues_page(request, Filled(values, {"emails": exc.message}, 429))
    except FIXABLE_ON_A_FORM as exc:
        return await _colleagues_page(request, Filled(values, form_errors(exc), exc.status_code))
    return await _sent(request, "company_colleagues", _colleagues_page, values, report)


async def resend_colleague(request: Request) -> Response:
    user = require_user(request)
    company_id = path_id(request)
    return await _resend(
        request,
        may_invite=lambda session: service.represented_company(
            session, user=user, company_id=company_id
        ),
        resend=lambda session, invitation_id: service.resend_colleague(
            session, user=user, company_id=company_id, invitation_id=invitation_id
        ),
        list_route="company_colleagues",
        list_page=_colleagues_page,
    )


async def revoke_colleague(request: Request) -> Response:
    user = require_user(request)
    company_id = path_id(request)
    return await _revoke(
        request,
        may_invite=lambda session: service.represented_company(
            session, user=user, company_id=company_id
        ),
        revoke=lambda session, invitation_id: service.revoke_colleague(
            session, user=user, company_id=company_id, invitation_id=invitation_id
        ),
        list_route="company_colleagues",
        list_page=_colleagues_page,
    )


# --- The invitee's side ------------------------------------------------------------------


async def _landing(request: Request, invitation: Invitation) -> str:
    """The challenge's page, once the person may see it (a draft: only as an organiser)."""
    async with services(request).db.read() as session:
        challenge = await challenge_queries.get_challenge(session, invitation.challenge_id)
    if challenge.is_published or invitation.kind == RoleKind.ORGANISER:
        return path_for(request, "challenge", id=invitation.challenge_id)
    return path_for(request, "home")


def _claim(request: Request) -> links.InvitationClaim | None:
    return links.read(settings(request).secret_key, path_text(request, "token"))


def _refused(request: Request, exc: AppError) -> Response:
    """Why the link cannot be used, on a page of its own."""
    return render(
        request, "invitations/accept.html", {"problem": exc.message}, status_code=exc.status_code
    )


async def _accept_page(request: Request, filled: Filled | None = None) -> Response:
    user = current_user(request)
    try:
        async with services(request).db.read() as session:
            invitation = await service.for_link(session, claim=_claim(request))
            challenge_id = invitation.challenge_id
            if user is not None:
                service.check_person(invitation, user)
            challenge = await challenge_queries.get_challenge(session, challenge_id)
            has_account = await user_by_email(session, invitation.email) is not None
            sponsor_name = ""
            if invitation.sponsor_id is not None:
                sponsor = await sponsors_queries.get_sponsor(
                    session, invitation.sponsor_id, challenge_id=challenge_id
                )
                sponsor_name = sponsor.name
    except (service.InvitationNotValid, service.NotForYou, *FIXABLE_ON_A_FORM) as exc:
        return _refused(request, exc)
    context = {
        "problem": "",
        "invitation": invitation,
        "challenge": challenge,
        "sponsor_name": sponsor_name,
        "has_account": has_account,
        "login_url": path_for(request, "login") + "?next=" + request.url.path,
    }
    return render(request, "invitations/accept.html", context, filled=filled)


async def accept_invitation(request: Request) -> Response:
    """The e-mailed link: accept as the account of the invited address (logged in), or
    make that account here."""
    if request.method == "GET":
        return await _accept_page(request)
    values = form_values(await read_form(request))
    user = current_user(request)
    found = services(request)
    if user is not None:
        try:
            async with found.db.transaction() as session:
                accepted = await service.accept(session, user=user, claim=_claim(request))
        except (service.InvitationNotValid, service.NotForYou, *FIXABLE_ON_A_FORM) as exc:
            return _refused(request, exc)
        return RedirectResponse(await _landing(request, accepted), status_code=303)
    try:
        data = validate(AcceptSignup, values)
    except ValidationFailed as exc:
        kept = {k: v for k, v in values.items() if "password" not in k}
        return await _accept_page(request, Filled(kept, exc.errors, exc.status_code))
    try:  # a link that cannot be used costs no password hashing (argon2 is slow on purpose)
        async with found.db.read() as session:
            await service.for_link(session, claim=_claim(request))
    except (service.InvitationNotValid, *FIXABLE_ON_A_FORM) as exc:
        return _refused(request, exc)
    password_hash = await hash_password(data.password)  # before the transaction: slow
    config = settings(request)
    try:
        async with found.db.transaction() as session:
            accepted, person = await service.accept_with_signup(
                session,
                claim=_claim(request),
                name=data.name,
                password_hash=password_hash,
                locale=request.state.locale,
            )
            token = await accounts_service.start_session(
                session,
                user=person,
                days=config.session_days,
                user_agent=request.headers.get("user-agent", ""),
            )
    except (service.InvitationNotValid, *FIXABLE_ON_A_FORM) as exc:
        return _refused(request, exc)
    response = RedirectResponse(await _landing(request, accepted), status_code=303)
    response.set_cookie(
        cookie_name(config, SESSION_COOKIE),
        token,
        max_age=config.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=config.is_https,
    )
    return response


routes: list[BaseRoute] = [
    Route(
        "/challenges/{id:int}/invitations",
        invitations_page,
        methods=["GET", "POST"],
        name="challenge_invitations",
    ),
    Route(
        "/challenges/{id:int}/invitations/{invitation_id:int}/resend",
        resend_invitation,
        methods=["POST"],
        name="resend_invitation",
    ),
    Route(
        "/challenges/{id:int}/invitations/{invitation_id:int}/revoke",
        revoke_invitation,
        methods=["POST"],
        name="revoke_invitation",
    ),
    Route(
        "/companies/{id:int}/representatives",
        colleagues_page,
        methods=["GET", "POST"],
        name="company_colleagues",
    ),
    Route(
        "/companies/{id:int}/representatives/invitations/{invitation_id:int}/resend",
        resend_colleague,
        methods=["POST"],
        name="resend_colleague_invitation",
    ),
    Route(
        "/companies/{id:int}/representatives/invitations/{invitation_id:int}/revoke",
        revoke_colleague,
        methods=["POST"],
        name="revoke_colleague_invitation",
    ),
    Route(
        "/invitations/{token}",
        accept_invitation,
        methods=["GET", "POST"],
        name="accept_invitation",
    ),
]
