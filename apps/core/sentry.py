"""Optional error reporting with the Sentry SDK (or a compatible server such as GlitchTip) when SENTRY_DSN is set.
Nothing personal is sent: no cookies, form data, query strings or headers, no user, and numbers that look like
phones or identity numbers are masked in messages and exception texts."""

from .logging import mask_personal

_KEEP_HEADERS = {"user-agent", "x-request-id"}


def before_send(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("cookies", "data", "query_string", "env"):
            request.pop(field, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in _KEEP_HEADERS}
        if isinstance(request.get("url"), str):
            request["url"] = mask_personal(request["url"])
    event.pop("user", None)
    if isinstance(event.get("logentry"), dict):
        for key in ("message", "formatted"):
            if isinstance(event["logentry"].get(key), str):
                event["logentry"][key] = mask_personal(event["logentry"][key])
        event["logentry"].pop("params", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = mask_personal(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)  # local variables may hold a citizen's data
    event.pop("breadcrumbs", None)
    return event


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_breadcrumbs=0,
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
    )
