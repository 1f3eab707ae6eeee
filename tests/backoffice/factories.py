import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "officer-password-2026"


class OfficerFactory(factory.django.DjangoModelFactory):
    """A staff user; `units=[...]` and `roles=[group names]` after creation (roles need `roles_setup()` first)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    first_name = "An"
    last_name = "Nguyễn Văn"
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()
