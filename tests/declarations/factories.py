"""Valid answers for each step of the identity-card journey, as a browser posts them, and a submitted declaration."""

from apps.declarations import selectors, services
from apps.declarations.idnumbers import id_number_build

ID_NUMBER = id_number_build(province_code="079", birth_year=1990, sex="M", serial=123456)  # 079090123456


def request_data(**overrides) -> dict:
    return {"reason": "first_card", "applicant": "self", **overrides}


def about_data(**overrides) -> dict:
    return {
        "full_name": "Nguyễn Văn An",
        "other_name": "",
        "birth_date": "05/09/1990",
        "sex": "M",
        "id_number": ID_NUMBER,
        "old_id_number": "",
        "ethnicity": "Kinh",
        "religion": "Không",
        "nationality": "Việt Nam",
        "marital_status": "single",
        "blood_group": "",
        "birth_province": "079",
        "birth_place": "Phường 9, Quận 4",
        "hometown": "Xã Tân Hòa, huyện Bình Chánh, Hồ Chí Minh",
        **overrides,
    }


def address_data(**overrides) -> dict:
    return {
        "permanent_province": "79",
        "permanent_ward": "27265",
        "permanent_old_name": "",
        "permanent_street": "12 Đoàn Văn Bơ",
        "current_same": "1",
        "current_province": "79",
        "current_ward": "",
        "current_old_name": "",
        "current_street": "",
        **overrides,
    }


def family_data(**overrides) -> dict:
    return {
        "father_name": "Nguyễn Văn Bình",
        "father_id": "",
        "mother_name": "Trần Thị Cúc",
        "mother_id": "",
        "head_name": "Nguyễn Văn Bình",
        "head_id": "",
        "head_relation": "child",
        **overrides,
    }


def contact_data(**overrides) -> dict:
    return {
        "occupation": "Công nhân",
        "education": "12/12",
        "phone": "0912 345 678",
        "email": "",
        "channel": "sms",
        **overrides,
    }


STEP_DATA = {
    "": request_data,
    "ban-than": about_data,
    "dia-chi": address_data,
    "gia-dinh": family_data,
    "lien-he": contact_data,
}


def complete_draft(**per_step):
    """A draft with every form step answered (valid unless overridden)."""
    draft = services.draft_create()
    for slug, builder in STEP_DATA.items():
        services.draft_save_step(draft=draft, step=slug, data=builder(**per_step.get(slug, {})))
    return draft


def submitted_declaration(**per_step):
    draft = complete_draft(**per_step)
    answers, missing = selectors.draft_answers(draft=draft)
    assert missing is None, missing
    return services.declaration_create(draft=draft, answers=answers, language="vi")
