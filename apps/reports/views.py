import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .forms import ReportForm, StatusForm
from .ratelimit import client_key, rate_limit_hit
from .selectors import report_lookup
from .services import report_file_from_zalo, report_submit
from .zalo import signature_is_valid

logger = logging.getLogger(__name__)

SESSION_CODE = "reports:last_code"
TOO_MANY_REPORTS = _("You have sent many reports in a short time. Please try again later, or call 113 in an emergency.")
TOO_MANY_LOOKUPS = _("Too many attempts. Please wait a few minutes and try again.")
TOO_BIG = _("Your photos are too large in total. Please send fewer or smaller photos.")


class ReportCreateView(View):
    template_name = "reports/form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ReportForm()})

    def post(self, request):
        if int(request.headers.get("content-length") or 0) > settings.REPORTS_MAX_REQUEST_BYTES:
            form = ReportForm(request.POST)
            form.is_valid()
            form.add_error("photos", ValidationError(TOO_BIG, code="too_big"))
            return render(request, self.template_name, {"form": form}, status=400)
        form = ReportForm(request.POST, request.FILES)
        if not form.is_valid():
            context = {"form": form, "photos_dropped": bool(request.FILES)}
            return render(request, self.template_name, context, status=400)
        limit, period = settings.REPORTS_RATE_LIMIT
        if rate_limit_hit(scope="submit", client=client_key(request), limit=limit, period=period):
            form.add_error(None, ValidationError(TOO_MANY_REPORTS, code="rate_limited"))
            return render(request, self.template_name, {"form": form}, status=429)
        data = form.cleaned_data
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
                language=translation.get_language() or "vi",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return render(request, self.template_name, {"form": form, "photos_dropped": True}, status=400)
        request.session[SESSION_CODE] = report.code
        return HttpResponseRedirect(reverse("reports:done"))


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
            if rate_limit_hit(scope="lookup", client=client_key(request), limit=limit, period=period):
                form.add_error(None, ValidationError(TOO_MANY_LOOKUPS, code="rate_limited"))
                return render(request, self.template_name, context, status=429)
            try:
                context["result"] = report_lookup(code=form.cleaned_data["code"], phone=form.cleaned_data["phone"])
            except ValidationError as exc:
                form.add_error(None, exc)
        return render(request, self.template_name, context, status=200 if form.is_valid() else 400)


# --- Zalo Official Account webhook ---------------------------------------------------------------------------
@csrf_exempt
@require_http_methods(["GET", "POST"])
def zalo_webhook(request: HttpRequest) -> HttpResponse:
    """Zalo's OA events. Answers 200 fast; files "user_send_text" as a report in the district's queue.

    See /work/shared/reference/zalo-api.md §3: GET and the unsigned `{}` probe are answered without side effects,
    the X-ZEvent-Signature is checked over the exact raw body, and events are deduplicated on message.msg_id.
    """
    if request.method == "GET" or request.body.strip() in {b"", b"{}"}:
        return JsonResponse({"status": "ok"})
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
    if event.get("event_name") != "user_send_text":
        return JsonResponse({"status": "ignored"})
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    msg_id = str(message.get("msg_id", "")).strip()
    if not msg_id:
        return JsonResponse({"error": "missing msg_id"}, status=400)
    try:
        report, created = report_file_from_zalo(
            msg_id=msg_id[:64], sender_id=str(sender.get("id", "")), text=str(message.get("text", ""))
        )
    except ValidationError:
        logger.exception("Zalo webhook: could not file message %s", msg_id)
        return JsonResponse({"status": "not filed"})
    return JsonResponse({"status": "filed" if created else "duplicate", "code": report.code})
