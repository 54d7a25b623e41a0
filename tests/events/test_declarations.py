"""Events and audit actions are declared, never typed as strings: a typo, an event nobody
emits or an action nobody writes fails here (and mypy refuses a plain string)."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import func, select

import app
from app.accounts.models import User
from app.db import Database
from app.events.schemas import ACTIONS, DomainEvent
from app.events.service import handled_event_types, handlers_for, log_action
from tests.audit import every_change_audited
from workers.main import DOMAIN_TASKS  # imports every domain's handlers

APP = Path(app.__file__).parent


def _modules() -> Iterator[tuple[ModuleType, ast.Module]]:
    for path in sorted(APP.rglob("*.py")):
        name = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
        if name == "app.asgi":  # it builds an app from the environment
            continue
        yield importlib.import_module(name), ast.parse(path.read_text(), str(path))


def _calls(tree: ast.Module, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == name:
                yield node


def _branches(node: ast.expr) -> Iterator[ast.expr]:
    """`a if c else b` stands for both a and b."""
    if isinstance(node, ast.IfExp):
        yield from _branches(node.body)
        yield from _branches(node.orelse)
    else:
        yield node


def _value(module: ModuleType, node: ast.expr) -> Any:
    """A name or dotted attribute (events.TEAM_REGISTERED) as the module sees it."""
    if isinstance(node, ast.Name):
        return vars(module)[node.id]
    if isinstance(node, ast.Attribute):
        return getattr(_value(module, node.value), node.attr)
    raise AssertionError(f"{module.__name__}: {ast.unparse(node)} is not a declared name")


def _emitted() -> dict[str, list[str]]:
    """Event class name -> where it is emitted; each must be a declared event's class."""
    found: dict[str, list[str]] = {}
    for module, tree in _modules():
        for call in _calls(tree, "emit"):
            assert len(call.args) == 2, (
                f"{module.__name__}:{call.lineno}: emit(session, Event(...))"
            )
            for branch in _branches(call.args[1]):
                assert isinstance(branch, ast.Call), f"{module.__name__}:{call.lineno}"
                event_class = _value(module, branch.func)
                assert isinstance(event_class, type) and issubclass(event_class, DomainEvent)
                assert DomainEvent.declared[event_class.__name__] is event_class
                found.setdefault(event_class.__name__, []).append(
                    f"{module.__name__}:{call.lineno}"
                )
    return found


def _written_actions() -> set[str]:
    written: set[str] = set()
    for module, tree in _modules():
        for call in _calls(tree, "log_action"):
            (action,) = [k.value for k in call.keywords if k.arg == "action"]
            for branch in _branches(action):
                assert not isinstance(branch, ast.Constant), (
                    f"{module.__name__}:{call.lineno}: a string; declare it in events.py"
                )
                written.add(_value(module, branch))
    return written


def test_every_emitted_event_is_declared_and_every_declared_event_is_emitted() -> None:
    emitted = _emitted()
    ours = {name for name, cls in DomainEvent.declared.items() if cls.__module__.startswith("app.")}

    assert sorted(emitted) == sorted(ours)


def test_every_handler_listens_to_an_event_something_emits() -> None:
    assert DOMAIN_TASKS  # the worker's modules, and so every handler, are imported
    handled = {
        event_type
        for event_type in handled_event_types()
        if any(name.startswith("app.") for name in handlers_for(event_type))
    }

    assert handled, "no handler found: were the tasks modules imported?"
    assert sorted(handled - set(_emitted())) == []


def test_events_are_declared_in_their_domains_events_module() -> None:
    ours = [cls for cls in DomainEvent.declared.values() if cls.__module__.startswith("app.")]

    assert [cls.__name__ for cls in ours if not cls.__module__.endswith(".events")] == []


def test_every_declared_action_is_written_and_only_declared_ones() -> None:
    written = _written_actions()
    ours = {action for action in ACTIONS if not action.startswith("test.")}

    assert sorted(written - ours) == []
    assert sorted(ours - written) == [], "declared but never written: delete or use them"


async def test_an_undeclared_action_is_refused_at_run_time(db: Database) -> None:
    with pytest.raises(ValueError, match="undeclared"):
        async with db.transaction() as session:
            log_action(
                session,
                actor_id=None,
                action="team.registred",  # type: ignore[arg-type]
                subject_type="team",
                subject_id=1,
            )


async def test_a_change_without_an_audit_entry_is_reported(db: Database) -> None:
    # The checker the journey test relies on, shown to fail when it should.
    with every_change_audited() as unaudited:
        async with db.transaction() as session:
            session.add(User(name="Nessuno", email="nessuno@example.org", password_hash="x"))

    assert unaudited == ["User: no audit entry"]
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 1
