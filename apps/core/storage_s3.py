"""The S3-compatible backends of apps.core.storage (django-storages), imported only when S3_BUCKET is set."""

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PublicMediaS3Storage(S3Storage):
    """Public media in a bucket, addressed through the portal (`/media/…`), never by the bucket's own URL."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(name)


class PrivateS3Storage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("This file is not accessible via a URL: private files are served by views that check access.")
