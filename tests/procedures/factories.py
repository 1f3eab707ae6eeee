import factory

from apps.procedures.models import Procedure


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"thu-tuc-{n}")
    name = factory.Sequence(lambda n: f"Thủ tục {n}")
    name_en = factory.Sequence(lambda n: f"Procedure {n}")
    summary = "Công dân có nhu cầu."
    summary_en = "Citizens who need it."
    documents = "Thẻ căn cước\nTờ khai"
    documents_en = "Identity card\nApplication form"
    fee = "Không thu phí."
    fee_en = "Free of charge."
    processing_time = "3 ngày làm việc"
    processing_time_en = "3 working days"
    legal_basis = "Luật số 1/2020/QH14"
    legal_basis_en = "Law 1/2020/QH14"
