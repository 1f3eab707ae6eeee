"""The procedures the district offers online. Idempotent: keyed by slug."""

from apps.units.models import PoliceUnit, UnitKind

from .models import Procedure

PROCEDURES = [
    {
        "slug": Procedure.IDENTITY_CARD,
        "name": "Cấp, cấp đổi, cấp lại thẻ căn cước",
        "name_en": "Identity card: new card, exchange, re-issue",
        "summary": "Công dân Việt Nam từ đủ 14 tuổi phải làm thẻ căn cước; dưới 14 tuổi làm theo nhu cầu, "
        "qua người đại diện. Đổi thẻ khi đủ 14, 25, 40, 60 tuổi, khi thay đổi thông tin; cấp lại khi mất "
        "hoặc hỏng thẻ.",
        "summary_en": "Vietnamese citizens must have an identity card from age 14; under 14 it is optional, "
        "through a representative. Exchange at ages 14, 25, 40 and 60 or when details change; re-issue when the "
        "card is lost or damaged.",
        "documents": "Thẻ căn cước công dân hoặc chứng minh nhân dân cũ (nếu có)\n"
        "Giấy tờ chứng minh là người đại diện (với người dưới 14 tuổi)",
        "documents_en": "Your current citizen identity card or old ID card (if any)\n"
        "Proof of representation (for a child under 14)",
        "fee": "Miễn phí khi cấp lần đầu và khi đổi ở tuổi 14, 25, 40, 60. Cấp đổi 25.000 đồng, cấp lại 35.000 "
        "đồng (mức 50% đến 31/12/2026).",
        "fee_en": "Free for a first card and for the exchange at ages 14, 25, 40 and 60. Exchange VND 25,000, "
        "re-issue VND 35,000 (50% rate until 31/12/2026).",
        "processing_time": "Không quá 7 ngày làm việc",
        "processing_time_en": "At most 7 working days",
        "legal_basis": "Luật Căn cước số 26/2023/QH15; Nghị định 70/2024/NĐ-CP; Thông tư 17/2024/TT-BCA; "
        "Thông tư 73/2024/TT-BTC, Thông tư 64/2025/TT-BTC",
        "legal_basis_en": "Identity Law 26/2023/QH15; Decree 70/2024/ND-CP; Circular 17/2024/TT-BCA; "
        "Circulars 73/2024/TT-BTC and 64/2025/TT-BTC",
        "order": 1,
        "id_card_units": True,
    },
    {
        "slug": "ho-chieu",
        "name": "Cấp hộ chiếu phổ thông",
        "name_en": "Ordinary passport",
        "order": 2,
    },
    {
        "slug": "dang-ky-xe",
        "name": "Đăng ký xe",
        "name_en": "Vehicle registration",
        "order": 3,
    },
    {
        "slug": "dang-ky-cu-tru",
        "name": "Đăng ký thường trú, tạm trú",
        "name_en": "Residence registration (permanent and temporary)",
        "order": 4,
    },
    {
        "slug": "tam-tru-nguoi-nuoc-ngoai",
        "name": "Khai báo tạm trú cho người nước ngoài",
        "name_en": "Temporary residence of foreigners",
        "order": 5,
    },
]


def load(*, stdout) -> None:
    district = PoliceUnit.objects.filter(kind=UnitKind.DISTRICT).first()
    for data in PROCEDURES:
        data = dict(data)
        slug = data.pop("slug")
        id_card_units = data.pop("id_card_units", False)
        procedure, _ = Procedure.objects.update_or_create(slug=slug, defaults=data)
        if id_card_units:
            procedure.units.set(PoliceUnit.objects.filter(receives_id_applications=True))
        elif district:
            procedure.units.set([district])
    stdout.write(f"Procedures: {Procedure.objects.count()}")
