"""Where uploaded files live: Django's storage API, on local disk or an S3-compatible bucket (django-storages).

Two storages (settings.STORAGES):

* ``default``: public media (news cover images). Their URL is always ``MEDIA_URL + name`` on the portal's own origin
  (the Content-Security-Policy allows images from 'self' only, and a bucket may not be reachable from the internet);
  `public_media` (apps.core.views) streams them from the storage, and nginx may cache them.
* ``private``: evidence (photos of citizens' reports). No URL at all: shown only to officers through the admin,
  which checks who may see the report before streaming the file.

With ``S3_BUCKET`` set, both are prefixes of that bucket (``media/`` and ``private/``), objects written with a
private ACL; several web nodes then see the same files. Without it, local folders (MEDIA_ROOT, REPORTS_PHOTO_ROOT).
The S3 classes are in `storage_s3` (boto3 is imported only when a bucket is configured).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible


class PrivateFileSystemStorage(FileSystemStorage):
    """Private files on local disk in REPORTS_PHOTO_ROOT (read when used, so tests may move it), with no URL."""

    @property
    def base_location(self):
        return str(settings.REPORTS_PHOTO_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("This file is not accessible via a URL: private files are served by views that check access.")


@deconstructible(path="apps.core.storage.PrivateStorage")
class PrivateStorage(Storage):
    """The ``private`` storage of settings.STORAGES, looked up at each call. A model field's storage is fixed when
    models load; this indirection lets the configuration (and tests) choose the backend afterwards."""

    @property
    def _target(self) -> Storage:
        return storages["private"]

    def _open(self, name, mode="rb"):
        return self._target.open(name, mode)

    def _save(self, name, content):
        return self._target.save(name, content)

    def get_available_name(self, name, max_length=None):
        return self._target.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self._target.generate_filename(filename)

    def delete(self, name):
        return self._target.delete(name)

    def exists(self, name):
        return self._target.exists(name)

    def size(self, name):
        return self._target.size(name)

    def listdir(self, path):
        return self._target.listdir(path)

    def path(self, name):
        return self._target.path(name)

    def url(self, name):
        return self._target.url(name)


def public_media_allowed(name: str) -> bool:
    """Only these prefixes of the default storage are public (other apps may keep non-public files there)."""
    parts = name.split("/")
    if not name or name.startswith("/") or any(part in {"", ".", ".."} for part in parts):
        return False
    return any(name.startswith(prefix) for prefix in settings.PUBLIC_MEDIA_PREFIXES)
