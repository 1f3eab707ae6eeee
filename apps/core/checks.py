"""`manage.py check --deploy` warnings for what a production deployment needs beyond Django's own checks."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def redis_required_in_production(app_configs=None, **kwargs):
    if settings.REDIS_URL:
        return []
    return [
        Warning(
            "REDIS_URL is not set: the cache is per process and Celery tasks run inside the web process.",
            hint=(
                "Set REDIS_URL in production. Rate limits, holds' availability, the worker, beat and every "
                "second web node rely on one shared Redis."
            ),
            id="portal.W001",
        )
    ]
