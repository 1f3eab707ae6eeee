"""The facts behind the declaration: official choice lists and request reasons (fees are data: apps.fees).

Loaded into code (not read from files at run time) from the project's reference notes: cccd-facts.md §1–§3 and
province-codes.csv. Lists are tuples of (stored value, label); the stored value is the official Vietnamese name
(or the GSO code for provinces), so the printed CC01 shows exactly what the citizen chose.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The 63 provinces before the 2025 mergers, with the GSO code the 12-digit number starts with (§2). The 2025
# mergers do not change numbers, so this list, not the current 34 provinces, checks the first three digits.
BIRTH_PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh",
    "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

# Dân tộc in the GSO 1979 catalogue order (QĐ 121-TCTK/PPCĐ, codes 01–54). Stored by name (other systems number
# the same groups differently, §1.2).
ETHNICITIES: tuple[str, ...] = (
    "Kinh", "Tày", "Thái", "Hoa", "Khơ-me", "Mường", "Nùng", "HMông", "Dao", "Gia-rai", "Ngái", "Ê-đê", "Ba-na",
    "Xơ-đăng", "Sán Chay", "Cơ-ho", "Chăm", "Sán Dìu", "Hrê", "Mnông", "Ra-glai", "Xtiêng", "Bru-Vân Kiều", "Thổ",
    "Giáy", "Cơ-tu", "Gié-Triêng", "Mạ", "Khơ-mú", "Co", "Tà-ôi", "Chơ-ro", "Kháng", "Xinh-mun", "Hà Nhì",
    "Chu-ru", "Lào", "La Chí", "La Ha", "Phù Lá", "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cơ Lao",
    "Cống", "Bố Y", "Si La", "Pu Péo", "Brâu", "Ơ Đu", "Rơ-măm",
)  # fmt: skip

NO_RELIGION = "Không"
# GSO QĐ 1019/QĐ-TCTK (2008, extended 2014), plus the two religions recognised since (16 in 2025).
RELIGIONS: tuple[str, ...] = (
    NO_RELIGION, "Phật giáo", "Công giáo", "Phật giáo Hòa Hảo", "Hồi giáo", "Cao Đài", "Minh Sư Đạo",
    "Minh Lý Đạo", "Tin Lành", "Tịnh độ Cư sĩ Phật hội Việt Nam", "Tứ Ân Hiếu Nghĩa", "Bửu Sơn Kỳ Hương",
    "Baha'i", "Bà La Môn", "Mặc Môn", "Phật giáo Hiếu Nghĩa Tà Lơn", "Cơ Đốc Phục Lâm",
)  # fmt: skip

EDUCATION_LEVELS: tuple[str, ...] = (
    "Chưa đi học", "Tiểu học", "Trung học cơ sở", "12/12", "Trung cấp", "Cao đẳng", "Đại học", "Thạc sĩ", "Tiến sĩ",
)  # fmt: skip

BLOOD_GROUPS: tuple[str, ...] = ("A", "B", "AB", "O")
NATIONALITY_VN = "Việt Nam"

SEX_CHOICES = (("M", pgettext_lazy("sex", "Male")), ("F", pgettext_lazy("sex", "Female")))
MARITAL_CHOICES = (
    ("single", _("Never married")),
    ("married", _("Married")),
    ("divorced", _("Divorced")),
    ("widowed", _("Widowed")),
)

# Request type (CC01 item 22 / DC02 III.1) and its legal reasons under the 2023 Identity Law (§1.3).
REQUEST_ISSUE = "issue"
REQUEST_EXCHANGE = "exchange"
REQUEST_REISSUE = "reissue"
REQUEST_CHOICES = (
    (REQUEST_ISSUE, _("New card (first time)")),
    (REQUEST_EXCHANGE, _("Exchange a card")),
    (REQUEST_REISSUE, _("Re-issue a lost or damaged card")),
)


@dataclass(frozen=True)
class Reason:
    value: str
    request: str
    label: object
    note: object = ""


REASONS: tuple[Reason, ...] = (
    Reason(
        "first_card",
        REQUEST_ISSUE,
        _("I have never had an identity card (age 14 or over, or a child through a representative)"),
    ),
    Reason("age_milestone", REQUEST_EXCHANGE, _("I reach age 14, 25, 40 or 60")),
    Reason("details_changed", REQUEST_EXCHANGE, _("My name or date of birth changed or was corrected")),
    Reason(
        "features_changed",
        REQUEST_EXCHANGE,
        _("My identifying features changed, or face or fingerprint data are added"),
    ),
    Reason("sex_changed", REQUEST_EXCHANGE, _("My sex was re-determined or changed")),
    Reason("card_error", REQUEST_EXCHANGE, _("There is a printing error on my card")),
    Reason("admin_units", REQUEST_EXCHANGE, _("My address changed because administrative units were rearranged")),
    Reason("number_reset", REQUEST_EXCHANGE, _("My personal ID number was re-established")),
    Reason(
        "cccd_to_card",
        REQUEST_EXCHANGE,
        _("I want to change my citizen-ID card (CCCD) for the new identity card"),
    ),
    Reason("own_request", REQUEST_EXCHANGE, _("At my own request")),
    Reason("lost", REQUEST_REISSUE, _("My card was lost")),
    Reason("damaged", REQUEST_REISSUE, _("My card is damaged and cannot be used")),
    Reason("nationality_regained", REQUEST_REISSUE, _("I regained Vietnamese nationality")),
)
REASONS_BY_VALUE = {r.value: r for r in REASONS}
REASON_CHOICES = tuple((r.value, r.label) for r in REASONS)
# For the radio list: reasons under their request type (new card, exchange, re-issue).
REASON_CHOICES_GROUPED = tuple(
    (label, tuple((r.value, r.label) for r in REASONS if r.request == request)) for request, label in REQUEST_CHOICES
)

WHAT_TO_BRING = {
    REQUEST_ISSUE: (
        _("Your old 9-digit ID card (CMND), if you ever had one."),
        _("For a child under 14: the representative's identity card and proof of representation (birth certificate)."),
    ),
    REQUEST_EXCHANGE: (
        _("Your current identity card (it is taken back when you receive the new one)."),
        _("Papers proving the change, only if the change is not yet in the population database."),
    ),
    REQUEST_REISSUE: (
        _("Your damaged card, if you still have it."),
        _("For a lost card: nothing else, the officer looks you up in the population database."),
    ),
}
WHAT_TO_BRING_ALWAYS = (
    _("This filing code (on your phone or printed)."),
    _("The fee, if any, in cash or by bank transfer at the counter."),
)

# Who counts as a child who needs a representative (Law 2023: cards from birth, compulsory from 14).
REPRESENTATIVE_AGE = 14
