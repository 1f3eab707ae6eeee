"""Where a filing may go from where it stands, and who may move it: the one table `filing_transition` obeys.

    submitted ──→ received ──→ in_progress ──→ ready ──→ collected
      │  ↑  │        │  │            │          └────→ posted
      │  │  │        │  └────────────┼──→ ready (done on the spot)
      │  │  └→ no_show ─→ received   │
      ├──┴──→ returned ←─────────────┘ (reason: what to correct)
      │          └→ submitted (the citizen corrected it) / received (brought it to the counter)
      └──→ cancelled (from submitted, returned, no_show; an officer gives the reason)

Actors: "officer" (the back office), "counter" (follows from a check-in or a missed appointment), "citizen"
(the lookup page). Moves marked `notify` message the citizen.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import FilingState as S

OFFICER, COUNTER, CITIZEN = "officer", "counter", "citizen"


@dataclass(frozen=True)
class Move:
    source: tuple[str, ...]
    target: str
    label: str | Promise
    actors: tuple[str, ...] = (OFFICER,)
    reason_required: bool = False
    notify: bool = True


TRANSITIONS: tuple[Move, ...] = (
    Move(
        (S.SUBMITTED, S.NO_SHOW, S.RETURNED), S.RECEIVED, _("Receive at the counter"), (OFFICER, COUNTER), False, False
    ),
    Move((S.SUBMITTED,), S.NO_SHOW, _("Did not come"), (OFFICER, COUNTER)),
    # The counter undoes an arrival recorded by mistake.
    Move((S.RECEIVED,), S.SUBMITTED, _("Undo the arrival"), (COUNTER,), notify=False),
    Move(
        (S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS),
        S.RETURNED,
        _("Return for correction"),
        reason_required=True,
    ),
    Move((S.RETURNED,), S.SUBMITTED, _("Send the corrected filing"), (CITIZEN,), notify=False),
    Move((S.RECEIVED,), S.IN_PROGRESS, _("Start processing")),
    Move((S.RECEIVED, S.IN_PROGRESS), S.READY, _("Result ready")),
    Move((S.READY,), S.COLLECTED, _("Handed over at the counter"), notify=False),
    Move((S.READY,), S.POSTED, _("Sent by post")),
    Move((S.SUBMITTED, S.RETURNED, S.NO_SHOW), S.CANCELLED, _("Cancel the filing"), reason_required=True),
    Move((S.SUBMITTED, S.RETURNED), S.CANCELLED, _("Cancel my filing"), (CITIZEN,), notify=False),
)


def move_find(*, source: str, target: str, actor: str) -> Move | None:
    return next((m for m in TRANSITIONS if source in m.source and m.target == target and actor in m.actors), None)


def moves_from(*, state: str, actor: str = OFFICER) -> list[Move]:
    """The moves `actor` may make from `state`, in the table's order."""
    return [m for m in TRANSITIONS if state in m.source and actor in m.actors]


# States in which the citizen can still move or cancel the visit online.
CHANGEABLE = (S.SUBMITTED, S.RETURNED)
# States that end the filing.
FINAL = (S.COLLECTED, S.POSTED, S.CANCELLED)
