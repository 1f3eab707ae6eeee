"""Which draft request a browser is working on, per procedure (kept in the session, never in the URL)."""

from .models import ProcedureRequest, RequestStatus

SESSION_KEY = "procedures:journey"
DONE_KEY = "procedures:journey-done"


def journey_remember(request, *, procedure_request: ProcedureRequest) -> None:
    state = dict(request.session.get(SESSION_KEY, {}))
    state[procedure_request.procedure.slug] = procedure_request.pk
    request.session[SESSION_KEY] = state


def journey_current(request, *, slug: str, statuses=(RequestStatus.DRAFT,)) -> ProcedureRequest | None:
    pk = request.session.get(SESSION_KEY, {}).get(slug)
    if pk is None:
        return None
    return (
        ProcedureRequest.objects.select_related("procedure")
        .filter(pk=pk, procedure__slug=slug, status__in=statuses)
        .first()
    )


def journey_forget(request, *, slug: str) -> None:
    state = dict(request.session.get(SESSION_KEY, {}))
    done = dict(request.session.get(DONE_KEY, {}))
    if slug in state:
        done[slug] = state.pop(slug)
    request.session[SESSION_KEY] = state
    request.session[DONE_KEY] = done


def journey_just_submitted(request, *, slug: str) -> ProcedureRequest | None:
    """The request this browser submitted last for `slug` (a double tap on "confirm" lands there, issue 12.11)."""
    pk = request.session.get(DONE_KEY, {}).get(slug)
    if pk is None:
        return None
    return (
        ProcedureRequest.objects.select_related("procedure")
        .filter(pk=pk, procedure__slug=slug)
        .exclude(status=RequestStatus.DRAFT)
        .first()
    )
