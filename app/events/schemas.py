"""How domains declare their events and audit actions (each in its own `events.py`).

An event is a class with the payload it carries; an audit action is a name made by
`action()`. Services pass these, never free strings, so a typo is a type error or an import
error, and tests/events/test_declarations.py checks that every handler listens to an event
something emits.
"""

from __future__ import annotations

from typing import Any, ClassVar, NewType

from pydantic import BaseModel, ConfigDict, Field

AuditAction = NewType("AuditAction", str)

ACTIONS: set[str] = set()


def action(name: str) -> AuditAction:
    """Declare an audit action, named `subject.verb` ("team.registered")."""
    subject, dot, verb = name.partition(".")
    if not (subject and dot and verb) or name in ACTIONS:
        raise ValueError(f"audit action {name!r} is malformed or declared twice")
    ACTIONS.add(name)
    return AuditAction(name)


class DomainEvent(BaseModel):
    """Something that happened which others react to; stored in the outbox, then dispatched.

    The class name is the event's type; the fields are its payload (ids, not objects).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    declared: ClassVar[dict[str, type[DomainEvent]]] = {}

    challenge_id: int | None = None
    # The outbox row's id, set when the event is dispatched (not part of the payload): what a
    # handler keys its own once-only work on, such as one e-mail per event and recipient.
    event_id: str = Field(default="", exclude=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.__name__.endswith("Event"):
            return  # a base that events of one kind share, never emitted itself
        if cls.__name__ in DomainEvent.declared:
            raise ValueError(f"event {cls.__name__} is declared twice")
        DomainEvent.declared[cls.__name__] = cls

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__
