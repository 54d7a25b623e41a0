"""A challenge's adoption rules: one godmother per project or several, how many projects one
sponsor may adopt, whether an organiser confirms a team's acceptance."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.db import insert_or_get, utcnow
from app.errors import Conflict
from app.events.service import log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.sponsors import events, queries
from app.sponsors.models import Adoption, AdoptionRules
from app.sponsors.schemas import AdoptionRulesRead, AdoptionRulesUpdate


class ProjectAlreadyAdopted(Conflict):
    code = "project_already_adopted"
    message = lazy(
        "This project already has a godmother company, and this challenge allows only one."
    )


class SponsorQuotaReached(Conflict):
    code = "sponsor_quota_reached"
    message = lazy("This company has adopted as many projects as this challenge allows.")


def read(rules: AdoptionRules) -> AdoptionRulesRead:
    return AdoptionRulesRead(
        challenge_id=rules.challenge_id,
        godmothers="single" if rules.single_godmother else "several",
        max_projects_per_sponsor=rules.max_projects_per_sponsor,
        organiser_confirms=rules.organiser_confirms,
        overdue_weeks=rules.overdue_weeks,
    )


async def rules_of(session: AsyncSession, challenge_id: int) -> AdoptionRules:
    """The challenge's rules; the defaults (not stored) when the organisers set none."""
    found = await session.get(AdoptionRules, challenge_id)
    return found if found is not None else AdoptionRules(challenge_id=challenge_id)


async def update_rules(
    session: AsyncSession, *, user: User, challenge_id: int, data: AdoptionRulesUpdate
) -> AdoptionRules:
    """An organiser sets the rules; they apply to what is accepted from now on."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)

    async def existing() -> AdoptionRules | None:
        return await session.get(AdoptionRules, challenge_id, with_for_update=True)

    rules, _created = await insert_or_get(
        session, AdoptionRules(challenge_id=challenge_id), find=existing
    )
    rules.single_godmother = data.godmothers == "single"
    rules.max_projects_per_sponsor = data.max_projects_per_sponsor
    rules.organiser_confirms = data.organiser_confirms
    rules.overdue_weeks = data.overdue_weeks
    rules.updated_by = user.id
    rules.updated_at = utcnow()
    session.add(rules)
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_RULES_CHANGED,
        subject_type="challenge",
        subject_id=challenge_id,
        challenge_id=challenge_id,
        data=data.model_dump(),
    )
    return rules


async def ensure_room(session: AsyncSession, rules: AdoptionRules, adoption: Adoption) -> None:
    """Refuse to let `adoption` hold its project or count in its sponsor's quota when the
    rules leave no room. The caller holds the project's and the sponsor's row locks, so
    what it counts cannot change before it commits."""
    held = await queries.holding_adoptions(
        session, project_id=adoption.project_id, sponsor_id=adoption.sponsor_id
    )
    others = [a for a in held if a.id != adoption.id]
    if rules.single_godmother and any(a.project_id == adoption.project_id for a in others):
        raise ProjectAlreadyAdopted(_(ProjectAlreadyAdopted.message))
    quota = rules.max_projects_per_sponsor
    if quota is not None:
        adopted = {a.project_id for a in others if a.sponsor_id == adoption.sponsor_id}
        if len(adopted) >= quota:
            raise SponsorQuotaReached(_(SponsorQuotaReached.message))
