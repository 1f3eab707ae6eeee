"""The officers' side of `transitions.TRANSITIONS`, as the back office's admin machinery reads it: the buttons
(`WorkflowAdminMixin`) offer the officer's moves, and `state_transition_apply` hands each to `filing_transition`
after checking the officer's units and permission (and writes the audit log)."""

from apps.backoffice.workflow import Transition, Workflow

from .services import filing_transition
from .transitions import OFFICER, TRANSITIONS


def _apply(*, obj, target, user, reason):
    return filing_transition(filing=obj, target=target, actor=OFFICER, user=user, reason=reason)


REVIEW = Workflow(
    state_field="state",
    unit_field="appointment__unit",
    transitions=tuple(
        Transition(source=m.source, target=m.target, label=m.label, reason_required=m.reason_required, notify=m.notify)
        for m in TRANSITIONS
        if OFFICER in m.actors
    ),
    apply=_apply,
)
