import factory

from apps.notifications.models import Kind, Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    kind = Kind.DECLARATION_CONFIRMED
    language = "vi"
    phone = "+84912345678"
    context = factory.LazyFunction(lambda: {"name": "Nguyễn Văn An", "code": "K7MX3PQ9R", "unit": "Công an Phường 1"})
    idempotency_key = factory.Sequence(lambda n: f"key-{n:08d}")
    verification_code = factory.Sequence(lambda n: f"V{n:07d}")
