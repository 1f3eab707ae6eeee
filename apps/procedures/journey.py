"""Which draft request a browser is working on, per procedure (kept in the session, never in the URL)."""

from .models import ProcedureRequest, RequestStatus

SESSION_KEY = "procedures:journey"


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
    state.pop(slug, None)
    request.session[SESSION_KEY] = state
