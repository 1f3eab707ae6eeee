from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.core.codes import code_generate
from apps.reports.models import Report, ReportCategory
from tests.units.factories import PoliceUnitFactory, WardUnitFactory


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    code = factory.LazyFunction(code_generate)
    category = ReportCategory.CRIME
    description = "Bị giật điện thoại trước cửa nhà."
    unit = factory.SubFactory(WardUnitFactory)
    contact_phone = "+84912345678"
    confirmed_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    first_name = "An"
    last_name = "Nguyễn"
    is_staff = True

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """Back-office roles by name (apps/backoffice/roles.py)."""
        if create and extracted:
            from django.contrib.auth.models import Group

            from apps.backoffice.services import roles_setup

            roles_setup()
            self.groups.set(Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        """Extra permissions, "app_label.codename"."""
        if create and extracted:
            from django.contrib.auth.models import Permission

            for name in extracted:
                app_label, codename = name.split(".")
                self.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


__all__ = ["OfficerFactory", "PoliceUnitFactory", "ReportFactory", "WardUnitFactory"]
