import json
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.core.ratelimit import client_address, client_fingerprint, rate_limit_hit
from apps.notifications.models import OtpChallenge
from apps.notifications.services import otp_issue, otp_verify
from apps.privacy.services.notices import privacy_notice_version

from .conversations import zalo_event_handle
from .forms import ConfirmForm, ReportForm, StatusForm
from .models import Report
from .services import report_confirm, report_status_lookup, report_submit
from .zalo import signature_is_valid

logger = logging.getLogger(__name__)


def _client(request) -> str:
    return client_fingerprint(client_address(request))


SESSION_CODE = "reports:last_code"
SESSION_PENDING = "reports:pending"
OTP_PURPOSE = "report"
CODE_SENT_AGAIN = _("A new code has been sent.")
TOO_MANY_REPORTS = _("You have sent many reports in a short time. Please try again later, or call 113 in an emergency.")
TOO_MANY_LOOKUPS = _("Too many attempts. Please wait a few minutes and try again.")
TOO_BIG = _("Your photos are too large in total. Please send fewer or smaller photos.")


class ReportCreateView(View):
    template_name = "reports/form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ReportForm()})

    def _invalid(self, request, form, *, status=400):
        return render(request, self.template_name, {"form": form, "photos_dropped": bool(request.FILES)}, status=status)

    def post(self, request):
        if int(request.headers.get("content-length") or 0) > settings.REPORTS_MAX_REQUEST_BYTES:
            form = ReportForm(request.POST)
            form.is_valid()
            form.add_error("photos", ValidationError(TOO_BIG, code="too_big"))
            return render(request, self.template_name, {"form": form}, status=400)
        form = ReportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._invalid(request, form)
        limit, period = settings.REPORTS_RATE_LIMIT
        if not rate_limit_hit(key=f"reports-submit:{_client(request)}", limit=limit, window=period):
            form.add_error(None, ValidationError(TOO_MANY_REPORTS, code="rate_limited"))
            return self._invalid(request, form, status=429)
        data = form.cleaned_data
        language = translation.get_language() or "vi"
        challenge = None
        if not data["is_anonymous"]:
            # A confirmation code proves the phone number before the report reaches a queue.
            try:
                challenge = otp_issue(
                    phone=str(data["contact_phone"]),
                    purpose=OTP_PURPOSE,
                    language=language,
                    client=client_address(request),
                )
            except ValidationError as exc:
                form.add_error("contact_phone", exc)
                return self._invalid(request, form, status=429 if exc.code == "rate_limited" else 400)
        try:
            report = report_submit(
                category=data["category"],
                description=data["description"],
                unit=data["unit"],
                address=data["address"],
                occurred_at=data["occurred_at"],
                is_anonymous=data["is_anonymous"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                photos=data["photos"],
                language=language,
                confirmed=challenge is None,
                notice_version=privacy_notice_version(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._invalid(request, form)
        if challenge is not None:
            request.session[SESSION_PENDING] = {"report": report.pk, "challenge": str(challenge.pk)}
            return HttpResponseRedirect(reverse("reports:confirm"))
        request.session[SESSION_CODE] = report.code
        return HttpResponseRedirect(reverse("reports:done"))


class ReportConfirmView(View):
    """Step two of a report with a phone number: the code sent to that phone."""

    template_name = "reports/confirm.html"

    def _pending(self, request):
        pending = request.session.get(SESSION_PENDING) or {}
        report = Report.objects.filter(pk=pending.get("report"), confirmed_at__isnull=True).first()
        challenge = OtpChallenge.objects.filter(pk=pending.get("challenge")).first()
        return (report, challenge) if report and challenge else (None, None)

    def _render(self, request, form, report, *, status=200):
        context = {"form": form, "phone": _masked(str(report.contact_phone))}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        report, _challenge = self._pending(request)
        if report is None:
            return HttpResponseRedirect(reverse("reports:create"))
        return self._render(request, ConfirmForm(), report)

    def post(self, request):
        report, challenge = self._pending(request)
        if report is None:
            return HttpResponseRedirect(reverse("reports:create"))
        form = ConfirmForm(request.POST)
        form.is_valid()
        if "resend" in request.POST:
            try:
                challenge = otp_issue(
                    phone=str(report.contact_phone),
                    purpose=OTP_PURPOSE,
                    language=report.language,
                    client=client_address(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                return self._render(request, form, report, status=429)
            request.session[SESSION_PENDING] = {"report": report.pk, "challenge": str(challenge.pk)}
            messages.info(request, CODE_SENT_AGAIN)
            return HttpResponseRedirect(reverse("reports:confirm"))
        try:
            otp_verify(challenge=challenge, code=form.cleaned_data.get("code", ""))
        except ValidationError as exc:
            form.add_error("code", exc)
            return self._render(request, form, report, status=400)
        report = report_confirm(report=report)
        del request.session[SESSION_PENDING]
        request.session[SESSION_CODE] = report.code
        return HttpResponseRedirect(reverse("reports:done"))


def _masked(phone: str) -> str:
    """'+84912345678' -> '0912 *** 678': enough for the reporter to recognise it on a shared screen."""
    national = "0" + phone[3:] if phone.startswith("+84") else phone
    return f"{national[:4]} *** {national[-3:]}" if len(national) >= 8 else national


class ReportDoneView(View):
    def get(self, request):
        code = request.session.get(SESSION_CODE)
        if not code:
            return HttpResponseRedirect(reverse("reports:create"))
        return render(request, "reports/done.html", {"code": code})


class ReportStatusView(View):
    template_name = "reports/status.html"

    def get(self, request):
        initial = {"code": request.session.get(SESSION_CODE, "")}
        return render(request, self.template_name, {"form": StatusForm(initial=initial)})

    def post(self, request):
        form = StatusForm(request.POST)
        context = {"form": form}
        if form.is_valid():
            limit, period = settings.REPORTS_LOOKUP_RATE_LIMIT
            if not rate_limit_hit(key=f"reports-lookup:{_client(request)}", limit=limit, window=period):
                form.add_error(None, ValidationError(TOO_MANY_LOOKUPS, code="rate_limited"))
                return render(request, self.template_name, context, status=429)
            try:
                context["result"] = report_status_lookup(
                    code=form.cleaned_data["code"], phone=form.cleaned_data["phone"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                if getattr(exc, "code", None) == "locked":
                    return render(request, self.template_name, context, status=429)
        return render(request, self.template_name, context, status=200 if form.is_valid() else 400)


# --- Zalo Official Account webhook ---------------------------------------------------------------------------
def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:
        return 0


def _fresh(timestamp) -> bool:
    """The event's timestamp (epoch milliseconds, a string) is within ZALO_WEBHOOK_MAX_AGE_SECONDS of now."""
    try:
        sent = int(str(timestamp)) / 1000
    except ValueError:
        return False
    return abs(time.time() - sent) <= settings.ZALO_WEBHOOK_MAX_AGE_SECONDS


@csrf_exempt
@require_http_methods(["GET", "POST"])
def zalo_webhook(request: HttpRequest) -> HttpResponse:
    """Zalo's OA events. Answers 200 fast; chat messages join the follower's conversation (a report in the
    district's queue), follow/unfollow and shared contact details are recorded, delivery receipts mark messages
    delivered (apps.reports.conversations).

    See /work/shared/reference/zalo-api.md §3: GET and the unsigned `{}` probe are answered without side effects,
    the X-ZEvent-Signature is checked over the exact raw body, and events are deduplicated on message.msg_id.
    """
    if request.method == "POST" and _declared_length(request) > settings.ZALO_WEBHOOK_MAX_BYTES:
        # Refused before the body is read or parsed: events are small (a chat message, a receipt).
        return JsonResponse({"error": "too large"}, status=413)
    if request.method == "GET" or request.body.strip() in {b"", b"{}"}:
        return JsonResponse({"status": "ok"})
    if len(request.body) > settings.ZALO_WEBHOOK_MAX_BYTES:  # a body without a (true) Content-Length
        return JsonResponse({"error": "too large"}, status=413)
    try:
        event = json.loads(request.body)
    except ValueError:
        logger.warning("Zalo webhook: body is not JSON")
        return JsonResponse({"error": "invalid json"}, status=400)
    if not isinstance(event, dict):
        return JsonResponse({"error": "invalid event"}, status=400)
    if not signature_is_valid(
        raw_body=request.body,
        timestamp=str(event.get("timestamp", "")),
        header=request.headers.get("X-ZEvent-Signature", ""),
    ):
        logger.warning(
            "Zalo webhook: invalid signature refused (event %r from %s)",
            str(event.get("event_name", ""))[:40],
            request.META.get("REMOTE_ADDR", "?"),
        )
        return JsonResponse({"error": "invalid signature"}, status=401)
    if not _fresh(event.get("timestamp")):
        # A captured, correctly signed event replayed later (the timestamp is part of the signed data).
        logger.warning("Zalo webhook: event outside the time window refused (%r)", str(event.get("timestamp"))[:20])
        return JsonResponse({"error": "stale event"}, status=401)
    try:
        result = zalo_event_handle(event=event)
    except ValidationError:
        logger.exception("Zalo webhook: could not file event %r", str(event.get("event_name", ""))[:40])
        return JsonResponse({"status": "not filed"})
    answer = {"status": result.status}
    if result.report is not None:
        answer["code"] = result.report.code
    return JsonResponse(answer)
