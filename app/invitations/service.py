"""Inviting people by e-mail to a role in a challenge, resending, revoking, accepting.

Accepting calls the service that grants the role when an organiser names an existing
account (judging, sponsors, teams, challenges), as the organiser who invited: the same
rules apply, and an inviter who is no longer an organiser invites nobody any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts import signup
from app.accounts.models import RoleKind, User, new_nonce
from app.challenges import permissions as challenge_permissions
from app.challenges import service as challenges_service
from app.db import is_unique_violation, utcnow
from app.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from app.events.service import emit, log_action
from app.fields import Email
from app.forms import field_errors
from app.i18n import gettext as _
from app.i18n import lazy, ngettext
from app.invitations import events, queries
from app.invitations.links import InvitationClaim
from app.invitations.models import (
    INVITABLE_ROLES,
    Invitation,
    InvitationStatus,
    company_open_key,
    open_key,
)
from app.invitations.schemas import DEFAULT_DAYS, MAX_ADDRESSES
from app.judging import service as judging_service
from app.permissions import require
from app.sponsors import company_queries
from app.sponsors import queries as sponsors_queries
from app.sponsors import service as sponsors_service
from app.sponsors.models import Company, Sponsor
from app.teams import service as teams_service

_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


class InvitationNotValid(AppError):
    status_code = 400
    code = "invitation_not_valid"
    message = lazy("This invitation link is not valid. Check that you copied all of it.")


class InvitationUsed(Conflict):
    code = "invitation_used"
    message = lazy("This invitation has been accepted already: it works once.")


class InvitationRevoked(Conflict):
    code = "invitation_revoked"
    message = lazy("This invitation was withdrawn by the organisers.")


class InvitationReplaced(Conflict):
    code = "invitation_replaced"
    message = lazy(
        "A newer invitation was sent to this address: open the link in the latest e-mail."
    )


class InvitationExpired(Conflict):
    code = "invitation_expired"
    message = lazy("This invitation has expired. Ask the organisers to send it again.")


class InviterNotOrganiser(Conflict):
    code = "inviter_not_organiser"
    message = lazy(
        "The person who invited you no longer organises this challenge, so the invitation "
        "cannot be used. Ask one of its organisers for a new one."
    )


class NotForYou(Forbidden):
    code = "invitation_not_for_you"
    message = lazy(
        "This invitation was sent to %(email)s, but you are logged in as %(you)s. Log out "
        "and open the link again, then log in or sign up with the invited address."
    )


class InviterNotRepresentative(Conflict):
    code = "inviter_not_representative"
    message = lazy(
        "The person who invited you no longer represents this company, so the invitation "
        "cannot be used. Ask one of its representatives for a new one."
    )


class CompanyTakesNoPart(Conflict):
    code = "company_takes_no_part"
    message = lazy(
        "The company takes part in no challenge yet: colleagues can be invited once the "
        "organisers of a challenge have joined it."
    )


class InvitationClosed(Conflict):
    code = "invitation_closed"
    message = lazy("This invitation was accepted or withdrawn already.")


class InvitedMeanwhile(Conflict):
    code = "invited_meanwhile"
    message = lazy(
        "Someone invited some of these addresses at the same moment. Nothing was sent: "
        "please try again."
    )


@dataclass(frozen=True)
class Refusal:
    line: int
    email: str
    message: str


@dataclass
class Report:
    invited: list[Invitation] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _address(raw: str) -> tuple[str | None, str]:
    """The address in its stored form, or None and why it is refused."""
    try:
        return _EMAIL.validate_python(raw), ""
    except ValidationError as exc:
        return None, next(iter(field_errors(exc).values()))


async def _sponsor_for(
    session: AsyncSession, *, challenge_id: int, kind: RoleKind, sponsor_id: int | None
) -> int | None:
    if kind != RoleKind.SPONSOR:
        return None
    message = _("Please choose the sponsor they represent.")
    if sponsor_id is None:
        raise ValidationFailed({"sponsor_id": message})
    try:
        sponsor = await sponsors_queries.get_sponsor(session, sponsor_id, challenge_id=challenge_id)
    except NotFound:
        raise ValidationFailed({"sponsor_id": message}) from None
    return sponsor.id


def _candidates(lines: list[tuple[int, str]]) -> tuple[Report, dict[str, int]]:
    """The addresses of `lines` in their stored form, each with its line, and the report of
    those refused (not addresses, twice); too many, or none, and nothing is invited."""
    if not lines:
        raise ValidationFailed({"emails": _("Please enter at least one e-mail address.")})
    if len(lines) > MAX_ADDRESSES:
        raise ValidationFailed(
            {
                "emails": ngettext(
                    "Please give at most %(n)s address at a time.",
                    "Please give at most %(n)s addresses at a time.",
                    MAX_ADDRESSES,
                )
                % {"n": MAX_ADDRESSES}
            }
        )
    report = Report()
    candidates: dict[str, int] = {}
    for line, raw in lines:
        address, why = _address(raw)
        if address is None:
            report.refused.append(Refusal(line, raw, why))
        elif address in candidates:
            report.refused.append(Refusal(line, raw, _("This address is in the list twice.")))
        else:
            candidates[address] = line
    return report, candidates


async def invite(
    session: AsyncSession,
    *,
    user: User,
    challenge_id: int,
    kind: RoleKind,
    sponsor_id: int | None,
    lines: list[tuple[int, str]],
    days: int = DEFAULT_DAYS,
    locale: str = "it",
) -> Report:
    """Invite each address of `lines` (organisers): the good ones are invited, each bad one
    is refused with its reason; too many, or none, and nothing is."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    assert user.id is not None
    if kind not in INVITABLE_ROLES:
        raise ValidationFailed({"kind": _("Please choose one of the options.")})
    sponsor_id = await _sponsor_for(
        session, challenge_id=challenge_id, kind=kind, sponsor_id=sponsor_id
    )
    report, candidates = _candidates(lines)
    key = open_key(kind, sponsor_id)
    emails = list(candidates)
    holders = await queries.role_holders(
        session, challenge_id=challenge_id, kind=kind, sponsor_id=sponsor_id, emails=emails
    )
    pending = await queries.open_addresses(
        session, challenge_id=challenge_id, key=key, emails=emails
    )
    now = utcnow()
    for address, line in candidates.items():
        if address in holders:
            report.refused.append(Refusal(line, address, _("This person has this role already.")))
        elif address in pending:
            report.refused.append(
                Refusal(
                    line,
                    address,
                    _("This address has an open invitation: send it again from the list."),
                )
            )
        else:
            invitation = Invitation(
                challenge_id=challenge_id,
                email=address,
                kind=kind,
                sponsor_id=sponsor_id,
                invited_by=user.id,
                locale=locale,
                open_key=key,
                sent_at=now,
                expires_at=now + timedelta(days=days),
            )
            session.add(invitation)
            report.invited.append(invitation)
    await _store(session, report, actor_id=user.id)
    return report


async def _store(session: AsyncSession, report: Report, *, actor_id: int) -> None:
    """Write the invitations of a sending and log each as sent; an address invited by
    someone else meanwhile (the unique open key) refuses the whole sending."""
    report.refused.sort(key=lambda refusal: refusal.line)
    try:
        await session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise InvitedMeanwhile(_(InvitedMeanwhile.message)) from None
    for invitation in report.invited:
        _sent(session, invitation, actor_id=actor_id, again=False)


def _sent(session: AsyncSession, invitation: Invitation, *, actor_id: int, again: bool) -> None:
    assert invitation.id is not None
    log_action(
        session,
        actor_id=actor_id,
        action=events.INVITATION_RESENT if again else events.INVITATION_SENT,
        subject_type="invitation",
        subject_id=invitation.id,
        challenge_id=invitation.challenge_id,
        data={
            "email": invitation.email,
            "kind": str(invitation.kind),
            "sponsor_id": invitation.sponsor_id,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    emit(
        session,
        events.InvitationSent(
            challenge_id=invitation.challenge_id,
            invitation_id=invitation.id,
            round=invitation.sent_count,
        ),
    )


async def resend(
    session: AsyncSession,
    *,
    user: User,
    challenge_id: int,
    invitation_id: int,
    days: int = DEFAULT_DAYS,
) -> Invitation:
    """Send a pending (or expired) invitation again with a new link (organisers); the old
    link stops working."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    assert user.id is not None
    await queries.get_invitation(session, invitation_id, challenge_id=challenge_id)
    await _send_again(session, invitation_id=invitation_id, days=days)
    invitation = await queries.get_invitation(session, invitation_id, challenge_id=challenge_id)
    _sent(session, invitation, actor_id=user.id, again=True)
    return invitation


async def _send_again(session: AsyncSession, *, invitation_id: int, days: int) -> None:
    """A new link (the old one stops working) and a new validity, if the invitation is
    still pending (a conditional update: of a resend and an acceptance or revocation at
    once, the resend finds it closed)."""
    now = utcnow()
    changed = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.status) == InvitationStatus.PENDING,
        )
        .values(
            nonce=new_nonce(),
            sent_count=col(Invitation.sent_count) + 1,
            sent_at=now,
            expires_at=now + timedelta(days=days),
        )
        .returning(col(Invitation.id))
    )
    if changed.first() is None:
        raise InvitationClosed(_(InvitationClosed.message))


async def _withdraw(session: AsyncSession, *, invitation_id: int) -> None:
    """Its link stops working, if the invitation is still pending (a conditional update: of
    a revocation and an acceptance at once, one wins)."""
    changed = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.status) == InvitationStatus.PENDING,
        )
        .values(status=InvitationStatus.REVOKED, open_key=None, revoked_at=utcnow())
        .returning(col(Invitation.id))
    )
    if changed.first() is None:
        raise InvitationClosed(_(InvitationClosed.message))


async def revoke(
    session: AsyncSession, *, user: User, challenge_id: int, invitation_id: int
) -> Invitation:
    """Withdraw a pending invitation (organisers): its link stops working."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    await queries.get_invitation(session, invitation_id, challenge_id=challenge_id)
    await _withdraw(session, invitation_id=invitation_id)
    invitation = await queries.get_invitation(session, invitation_id, challenge_id=challenge_id)
    log_action(
        session,
        actor_id=user.id,
        action=events.INVITATION_REVOKED,
        subject_type="invitation",
        subject_id=invitation_id,
        challenge_id=challenge_id,
        data={"email": invitation.email, "kind": str(invitation.kind)},
    )
    return invitation


# --- A company's representatives invite their colleagues ---------------------------------


async def represented_company(
    session: AsyncSession, *, user: User, company_id: int, lock: bool = False
) -> Company:
    """The company, for one of its representatives (checked now: one removed has lost it);
    to anyone else it is not found. `lock` holds its row: the invitations of colleagues to
    one company are made one after the other."""
    company = await company_queries.get_company(session, company_id, lock=lock)
    require(
        user.id is not None
        and await company_queries.represents_company(
            session, user_id=user.id, company_id=company_id
        ),
        visible=False,
    )
    return company


@dataclass(frozen=True)
class Colleagues:
    company: Company
    representatives: list[User]
    invitations: list[Invitation]  # pending (shown expired past their date)


async def colleagues(session: AsyncSession, *, user: User, company_id: int) -> Colleagues:
    """What a representative sees of their company's people: who represents it and whom
    they invited."""
    company = await represented_company(session, user=user, company_id=company_id)
    return Colleagues(
        company,
        await company_queries.company_representatives(session, company_id),
        await queries.company_invitations(session, company_id),
    )


async def _latest_participation(session: AsyncSession, company_id: int) -> Sponsor:
    taking_part = await company_queries.participations(session, [company_id])
    if not taking_part:
        raise CompanyTakesNoPart(_(CompanyTakesNoPart.message))
    return max((sponsor for sponsor, _challenge in taking_part), key=lambda s: s.id or 0)


async def invite_colleagues(
    session: AsyncSession,
    *,
    user: User,
    company_id: int,
    lines: list[tuple[int, str]],
    days: int = DEFAULT_DAYS,
    locale: str = "it",
) -> Report:
    """A representative invites colleagues to represent the company in every challenge it
    joins: the same checks as the organisers' invitations, one open invitation per address
    and company (the company's row is held while they are counted)."""
    await represented_company(session, user=user, company_id=company_id, lock=True)
    assert user.id is not None
    report, candidates = _candidates(lines)
    sponsor = await _latest_participation(session, company_id)
    assert sponsor.id is not None
    emails = list(candidates)
    holders = await queries.company_holders(session, company_id=company_id, emails=emails)
    pending = await queries.company_open_addresses(session, company_id=company_id, emails=emails)
    now = utcnow()
    for address, line in candidates.items():
        if address in holders:
            report.refused.append(
                Refusal(line, address, _("This person represents the company already."))
            )
        elif address in pending:
            report.refused.append(
                Refusal(line, address, _("This address has an open invitation already."))
            )
        else:
            invitation = Invitation(
                challenge_id=sponsor.challenge_id,
                email=address,
                kind=RoleKind.SPONSOR,
                sponsor_id=sponsor.id,
                company_id=company_id,
                invited_by=user.id,
                locale=locale,
                open_key=company_open_key(company_id),
                sent_at=now,
                expires_at=now + timedelta(days=days),
            )
            session.add(invitation)
            report.invited.append(invitation)
    await _store(session, report, actor_id=user.id)
    return report


async def resend_colleague(
    session: AsyncSession,
    *,
    user: User,
    company_id: int,
    invitation_id: int,
    days: int = DEFAULT_DAYS,
) -> Invitation:
    """A representative sends a pending (or expired) invitation to their company again,
    whoever of them made it, with a new link; the old link stops working."""
    await represented_company(session, user=user, company_id=company_id)
    assert user.id is not None
    await queries.get_company_invitation(session, invitation_id, company_id=company_id)
    await _send_again(session, invitation_id=invitation_id, days=days)
    invitation = await queries.get_company_invitation(session, invitation_id, company_id=company_id)
    _sent(session, invitation, actor_id=user.id, again=True)
    return invitation


async def revoke_colleague(
    session: AsyncSession, *, user: User, company_id: int, invitation_id: int
) -> Invitation:
    """A representative withdraws a pending invitation to their company: its link stops
    working (a conditional update: of a revocation and an acceptance at once, one wins)."""
    await represented_company(session, user=user, company_id=company_id)
    await queries.get_company_invitation(session, invitation_id, company_id=company_id)
    await _withdraw(session, invitation_id=invitation_id)
    invitation = await queries.get_company_invitation(session, invitation_id, company_id=company_id)
    log_action(
        session,
        actor_id=user.id,
        action=events.INVITATION_REVOKED,
        subject_type="invitation",
        subject_id=invitation_id,
        challenge_id=invitation.challenge_id,
        data={"email": invitation.email, "kind": str(invitation.kind), "company_id": company_id},
    )
    return invitation


async def for_link(session: AsyncSession, *, claim: InvitationClaim | None) -> Invitation:
    """The invitation a link names, if it can still be accepted; else why not. The link is
    bound to the invitation's challenge and role: a claim naming others is not ours."""
    if claim is None:
        raise InvitationNotValid(_(InvitationNotValid.message))
    invitation = await session.get(Invitation, claim.invitation_id, populate_existing=True)
    if (
        invitation is None
        or invitation.challenge_id != claim.challenge_id
        or str(invitation.kind) != claim.kind
    ):
        raise InvitationNotValid(_(InvitationNotValid.message))
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationUsed(_(InvitationUsed.message))
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationRevoked(_(InvitationRevoked.message))
    if invitation.nonce != claim.nonce:
        raise InvitationReplaced(_(InvitationReplaced.message))
    if invitation.expires_at <= utcnow():
        raise InvitationExpired(_(InvitationExpired.message))
    return invitation


def check_person(invitation: Invitation, user: User) -> None:
    """The invitation is for the address of the account logged in."""
    if user.email != invitation.email:
        raise NotForYou(_(NotForYou.message) % {"email": invitation.email, "you": user.email})


async def accept(session: AsyncSession, *, user: User, claim: InvitationClaim | None) -> Invitation:
    """Accept an invitation as the person logged in with its address: once (a conditional
    update: of two acceptances at once, the second finds it accepted), then the role is
    granted by its domain's service as the inviter, who must still be an organiser."""
    invitation = await for_link(session, claim=claim)
    check_person(invitation, user)
    assert user.id is not None and claim is not None
    person = await signup.confirm_by_link(session, user_id=user.id, email=invitation.email)
    return await _accept(session, invitation=invitation, person=person, nonce=claim.nonce)


async def accept_with_signup(
    session: AsyncSession,
    *,
    claim: InvitationClaim | None,
    name: str,
    password_hash: str,
    locale: str,
) -> tuple[Invitation, User]:
    """Accept an invitation by making an account for its address (the link proves the
    address is the person's, so it is confirmed)."""
    invitation = await for_link(session, claim=claim)
    assert claim is not None
    person = await signup.register_confirmed(
        session, name=name, email=invitation.email, password_hash=password_hash, locale=locale
    )
    accepted = await _accept(session, invitation=invitation, person=person, nonce=claim.nonce)
    return accepted, person


async def _accept(
    session: AsyncSession, *, invitation: Invitation, person: User, nonce: str
) -> Invitation:
    assert invitation.id is not None and person.id is not None
    now = utcnow()
    changed = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation.id,
            col(Invitation.nonce) == nonce,
            col(Invitation.status) == InvitationStatus.PENDING,
            col(Invitation.expires_at) > now,
        )
        .values(
            status=InvitationStatus.ACCEPTED, open_key=None, accepted_at=now, accepted_by=person.id
        )
        .returning(col(Invitation.id))
    )
    if changed.first() is None:
        raise InvitationUsed(_(InvitationUsed.message))
    inviter = await session.get(User, invitation.invited_by)
    assert inviter is not None and inviter.id is not None
    if invitation.company_id is not None:
        # A colleague's invitation: the inviter must still represent the company.
        if not await company_queries.represents_company(
            session, user_id=inviter.id, company_id=invitation.company_id
        ):
            raise InviterNotRepresentative(_(InviterNotRepresentative.message))
        await sponsors_service.add_company_representative(
            session, company_id=invitation.company_id, person_id=person.id, actor_id=inviter.id
        )
    else:
        try:
            await challenge_permissions.organised(
                session, user=inviter, challenge_id=invitation.challenge_id
            )
        except (NotFound, Forbidden):
            raise InviterNotOrganiser(_(InviterNotOrganiser.message)) from None
        await _grant(session, invitation=invitation, inviter=inviter)
    log_action(
        session,
        actor_id=person.id,
        action=events.INVITATION_ACCEPTED,
        subject_type="invitation",
        subject_id=invitation.id,
        challenge_id=invitation.challenge_id,
        data={"kind": str(invitation.kind), "user_id": person.id},
    )
    return await queries.get_invitation(
        session, invitation.id, challenge_id=invitation.challenge_id
    )


async def _grant(session: AsyncSession, *, invitation: Invitation, inviter: User) -> None:
    """The role, through the service an organiser uses to give it to an existing account."""
    challenge_id, email = invitation.challenge_id, invitation.email
    kind = RoleKind(invitation.kind)  # read back from the database as a plain string
    if kind == RoleKind.JUDGE:
        await judging_service.add_judge(
            session, user=inviter, challenge_id=challenge_id, email=email
        )
    elif kind == RoleKind.SPONSOR:
        assert invitation.sponsor_id is not None
        await sponsors_service.add_representative(
            session,
            user=inviter,
            challenge_id=challenge_id,
            sponsor_id=invitation.sponsor_id,
            email=email,
        )
    elif kind == RoleKind.COACH:
        await teams_service.add_coach(session, user=inviter, challenge_id=challenge_id, email=email)
    else:
        await challenges_service.grant_role(
            session, user=inviter, challenge_id=challenge_id, email=email, kind=kind
        )
