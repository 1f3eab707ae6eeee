"""Explicit state machines for records officers move through a process (a declaration under review).

A model plugs in by declaring one `Workflow` next to it, e.g. in apps/declarations/workflow.py::

    REVIEW = Workflow(
        state_field="status",
        unit_field="unit",
        transitions=[
            Transition(source=("submitted",), target="checked", label=_("Mark as checked")),
            Transition(source=("submitted", "checked"), target="rejected", label=_("Reject"), reason_required=True),
            ...
        ],
        notify=declaration_notify_status,   # called with (obj=, transition=, reason=) after the change
    )

and its ModelAdmin uses `admin_mixins.WorkflowAdminMixin` with `workflow = REVIEW`. Every change then goes
through `services.state_transition_apply`, which refuses any move the workflow does not list.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class Transition:
    source: tuple[str, ...]
    target: str
    label: str | Promise
    reason_required: bool = False
    # An extra permission ("app_label.codename") the officer needs for this move, on top of changing the record.
    permission: str = ""
    # Whether the citizen hears about this change.
    notify: bool = True


@dataclass(frozen=True)
class Workflow:
    state_field: str
    unit_field: str
    transitions: tuple[Transition, ...] | list[Transition]
    # notify(obj=, transition=, reason=) tells the citizen; runs inside the transaction of the change (the
    # notifications service queues delivery after commit).
    notify: Callable | None = None
    # on_apply(obj=, transition=, user=) sets fields that go with a state (e.g. checked_at); returns the names of
    # the fields it changed.
    on_apply: Callable | None = None
    # apply(obj=, target=, user=, reason=) when the record's own service makes the change (it checks its own table,
    # locks, records its history and tells the citizen): the back office then checks the officer's units and
    # permission, and writes the audit log. Returns the record of the change (with `.source`).
    apply: Callable | None = None
    extra: dict = field(default_factory=dict)

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.source]

    def find(self, *, source: str, target: str) -> Transition | None:
        return next((t for t in self.transitions_from(source) if t.target == target), None)

    def available(self, obj, *, user) -> list[Transition]:
        """The moves this officer may make from the record's current state."""
        return [t for t in self.transitions_from(self.state_of(obj)) if not t.permission or user.has_perm(t.permission)]
