import pytest


@pytest.fixture(autouse=True)
def _forget_zalo_token():
    """Each test's fake Zalo server issues its own tokens."""
    from apps.notifications.services import _access_token_memo

    _access_token_memo.clear()
    yield
    _access_token_memo.clear()


@pytest.fixture(autouse=True)
def _embedded_channels(settings):
    """No real channel configured unless a test configures one: messages go to the outbox."""
    settings.ZALO_APP_ID = ""
    settings.ZALO_APP_SECRET = ""
    settings.ESMS_API_KEY = ""
    settings.ESMS_SECRET_KEY = ""
    settings.EMAIL_HOST = ""
    settings.SITE_URL = "https://cccd.example.vn"


@pytest.fixture
def send_confirmation():
    from apps.notifications.services import notification_send

    def send(**overrides):
        arguments = {
            "kind": "filing_confirmed",
            "language": "vi",
            "context": {
                "name": "Nguyễn Văn An",
                "reference": "K7MX-3PQ9-R",
                "unit": "Công an Phường Xóm Chiếu",
                "address": "4 Xóm Chiếu",
                "date": "02/12/2026",
                "time": "08:30",
                "url": "https://cccd.example.vn/tra-cuu/",
            },
            "phone": "0912 345 678",
            **overrides,
        }
        return notification_send(**arguments)

    return send


@pytest.fixture
def fake_zalo():
    from .fakes import FakeZalo

    fake = FakeZalo().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_esms():
    from .fakes import FakeEsms

    fake = FakeEsms().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def _smtp_server():
    from .fakes import FakeSmtp

    fake = FakeSmtp().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_smtp(_smtp_server):
    _smtp_server.messages.clear()
    return _smtp_server


def provider_environment(*, zalo=None, esms=None, smtp=None) -> dict[str, str]:
    """The environment that points the channels at the fakes (for settings and for a worker process)."""
    env = {}
    if zalo is not None:
        env.update(
            ZALO_APP_ID=zalo.app_id,
            ZALO_APP_SECRET=zalo.app_secret,
            ZALO_REFRESH_TOKEN=zalo.refresh_token,
            ZALO_OAUTH_TOKEN_URL=zalo.oauth_url,
            ZALO_ZNS_URL=zalo.zns_url,
            ZALO_OA_API_URL=zalo.oa_api_url,
        )
    if esms is not None:
        env.update(
            ESMS_API_KEY=esms.api_key,
            ESMS_SECRET_KEY=esms.secret_key,
            ESMS_API_URL=esms.url,
            ESMS_BRANDNAME="CONGAN-Q4",
        )
    if smtp is not None:
        env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), EMAIL_USE_TLS="false")
    return env


@pytest.fixture
def templates_with_zns_ids(db):
    """The shipped message templates, each with a ZNS template id. (Created here rather than relied on from the
    data migration: transactional tests empty the tables, and --reuse-db keeps them empty.)"""
    from apps.notifications.models import MessageTemplate
    from apps.notifications.templating import DEFAULTS

    for number, ((kind, language), (subject, body)) in enumerate(sorted(DEFAULTS.items()), start=1):
        defaults = {"subject": subject, "body": body, "zns_template_id": str(300000 + number)}
        MessageTemplate.objects.update_or_create(kind=kind, language=language, defaults=defaults)


@pytest.fixture
def providers(settings, templates_with_zns_ids, fake_zalo, fake_esms, fake_smtp):
    """ZNS, SMS and e-mail configured against the fakes; ZNS template ids set for every kind."""
    for name, value in provider_environment(zalo=fake_zalo, esms=fake_esms, smtp=fake_smtp).items():
        setattr(settings, name, int(value) if name == "EMAIL_PORT" else value)
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    return {"zalo": fake_zalo, "esms": fake_esms, "smtp": fake_smtp}


# --- Real workers (tests marked postgres + redis) -------------------------------------------------------------
@pytest.fixture(scope="module")
def worker_fakes():
    from .fakes import FakeEsms, FakeSmtp, FakeZalo

    fakes = {"zalo": FakeZalo().start(), "esms": FakeEsms().start(), "smtp": FakeSmtp().start()}
    yield fakes
    for fake in fakes.values():
        fake.stop()


@pytest.fixture
def real_broker(worker_fakes, templates_with_zns_ids):
    """This process publishes to the real Redis instead of running tasks in-process; the fakes start clean."""
    from config.celery import app as celery_app

    worker_fakes["zalo"].reset()
    worker_fakes["esms"].reset()
    worker_fakes["smtp"].messages.clear()
    celery_app.conf.task_always_eager = False
    yield worker_fakes
    celery_app.conf.task_always_eager = True


@pytest.fixture(scope="module")
def shared_worker(django_db_setup, worker_fakes, tmp_path_factory):
    """One worker process (prefork, 2 children) for a module's tests: quick retries (1 s), reminders at any hour."""
    from django.conf import settings

    from .realworker import environment_for
    from .workers import WorkerProcess

    env = environment_for(
        worker_fakes,
        redis_url=settings.REDIS_URL,
        NOTIFICATIONS_RETRY_BASE_SECONDS="1",
        NOTIFICATIONS_REMINDER_FROM_HOUR="0",
        NOTIFICATIONS_REMINDER_UNTIL_HOUR="24",
    )
    log_path = tmp_path_factory.mktemp("worker") / "shared-worker.log"
    worker = WorkerProcess(env=env, log_path=log_path, pool="prefork", concurrency=2).start()
    yield worker
    worker.stop()


@pytest.fixture
def worker(real_broker, shared_worker):
    return shared_worker


@pytest.fixture
def start_worker(real_broker, tmp_path, settings):
    """Start worker processes of the test's own (stopped at the end)."""
    from .realworker import environment_for
    from .workers import WorkerProcess

    started = []

    def start(**extra_env):
        env = environment_for(real_broker, redis_url=settings.REDIS_URL, **extra_env)
        process = WorkerProcess(env=env, log_path=tmp_path / f"worker-{len(started)}.log").start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
