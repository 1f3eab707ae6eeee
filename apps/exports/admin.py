"""The officer's exports page: their own exports only, with progress, and a download link once ready."""

from django.contrib import admin
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import ExportJob, ExportStatus, exports_storage
from .selectors import export_job_get_for_download, export_job_list_for_user, export_job_rows_done


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "title", "format", "status", "progress", "download")
    list_filter = ("status", "format")
    search_fields = ("title",)
    list_display_links = None
    change_list_template = "exports/admin/exportjob_change_list.html"

    def get_queryset(self, request):
        return export_job_list_for_user(user=request.user)

    # Every officer sees their own exports (the queryset), whatever their other permissions; nobody edits them.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and (obj is None or obj.user_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    @admin.display(description=_("progress"))
    def progress(self, job):
        done = export_job_rows_done(job=job)
        if job.rows_total:
            return f"{done:,} / {job.rows_total:,} ({100 * done // job.rows_total} %)".replace(",", ".")
        return f"{done:,}".replace(",", ".")

    @admin.display(description=_("file"))
    def download(self, job):
        if job.status != ExportStatus.DONE or not job.file_name:
            return job.error or "—"
        url = reverse("admin:exports_exportjob_download", args=[job.pk])
        return format_html('<a href="{}" download>{}</a>', url, _("Download"))

    def changelist_view(self, request, extra_context=None):
        unfinished = self.get_queryset(request).filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
        extra_context = {**(extra_context or {}), "refresh_seconds": 5 if unfinished.exists() else None}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "<uuid:job_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="exports_exportjob_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, job_id):
        job = export_job_get_for_download(user=request.user, job_id=job_id)
        if job is None:  # not ready, purged, or another officer's: the same answer
            raise Http404
        return FileResponse(exports_storage().open(job.file_name, "rb"), as_attachment=True, filename=job.filename)
