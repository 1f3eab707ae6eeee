"""Asking for an export through an admin list and downloading it, as an officer does."""

from django.urls import reverse

from apps.exports.models import ExportJob


def export_through_admin(client, capture_on_commit, url: str, data: dict) -> tuple[ExportJob, bytes]:
    """POST the admin action (the job runs at commit, in-process as on the embedded default), then download the
    file from the officer's exports page. Returns the job and the file's bytes."""
    with capture_on_commit(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("admin:exports_exportjob_changelist")
    job = ExportJob.objects.latest("created_at")
    assert job.status == "done", job.error
    download = client.get(reverse("admin:exports_exportjob_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    return job, b"".join(download.streaming_content)
