"""The back office's page for citizens' data requests (find, export, erase), under the admin address."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import SubjectRequestForm, subject_correct_form_class
from .services.subject_requests import (
    CORRECTABLE,
    subject_data_correct,
    subject_data_erase,
    subject_data_export,
    subject_data_search,
    subject_record_get,
)

CONFIRM_ERASE = gettext_lazy("Tick the box to confirm the erasure.")


def subject_request_view(request):
    if not request.user.has_perm("privacy.handle_subject_request"):
        raise PermissionDenied
    form = SubjectRequestForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        query, reason = form.cleaned_data["query"], form.cleaned_data["reason"]
        action = request.POST.get("action", "find")
        try:
            if action == "export":
                content = subject_data_export(officer=request.user, query=query, reason=reason)
                response = HttpResponse(content, content_type="application/json; charset=utf-8")
                response["Content-Disposition"] = 'attachment; filename="du-lieu-ca-nhan.json"'
                return response
            if action == "erase":
                if not form.cleaned_data["confirm_erase"]:
                    raise ValidationError({"confirm_erase": ValidationError(CONFIRM_ERASE, code="confirm")})
                subject_data_erase(officer=request.user, query=query, reason=reason)
                messages.success(request, _("Everything held about this person has been erased."))
                return redirect("privacy:subject-requests")
            _request, found = subject_data_search(officer=request.user, query=query, reason=reason)
        except ValidationError as exc:
            for field, errors in exc.update_error_dict({}).items():
                form.add_error(field if field in form.fields else None, errors)
    context = {
        **admin.site.each_context(request),
        "title": _("Citizens' data requests"),
        "form": form,
        "found": None if found is None else [(label, label in CORRECTABLE, rows) for label, rows in found.items()],
    }
    return render(request, "privacy/subject_requests.html", context)


def subject_correct_view(request, label: str, pk: str):
    """Correct one record found for a citizen: its personal data fields, with the reason; audited."""
    if not request.user.has_perm("privacy.handle_subject_request"):
        raise PermissionDenied
    record = subject_record_get(label=label, pk=pk)
    if record is None:
        raise Http404
    form_class = subject_correct_form_class(model=type(record), fields=CORRECTABLE[label])
    form = form_class(request.POST or None, instance=type(record)._default_manager.get(pk=record.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in CORRECTABLE[label]}
        try:
            subject_data_correct(
                officer=request.user, record=record, changes=changes, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for field, errors in exc.update_error_dict({}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The correction has been saved and recorded."))
            return redirect("privacy:subject-requests")
    context = {
        **admin.site.each_context(request),
        "title": _("Correct a citizen's data"),
        "form": form,
        "record": record,
        "label": record._meta.verbose_name,
    }
    return render(request, "privacy/subject_correct.html", context)
