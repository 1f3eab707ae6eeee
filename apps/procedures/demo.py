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
        # The amounts and the reduction come from the fee schedule (apps.fees) for the day the page is shown.
        "fee": "Miễn phí khi cấp lần đầu và khi đổi ở tuổi 14, 25, 40, 60. Cấp đổi {own_request}, cấp lại {lost}. "
        "{reduction}",
        "fee_en": "Free for a first card and for the exchange at ages 14, 25, 40 and 60. Exchange {own_request}, "
        "re-issue {lost}. {reduction}",
        "processing_time": "Không quá 7 ngày làm việc",
        "processing_time_en": "At most 7 working days",
        "legal_basis": "Luật Căn cước số 26/2023/QH15; Nghị định 70/2024/NĐ-CP; Thông tư 17/2024/TT-BCA; "
        "Thông tư 73/2024/TT-BTC, Thông tư 64/2025/TT-BTC",
        "legal_basis_en": "Identity Law 26/2023/QH15; Decree 70/2024/ND-CP; Circular 17/2024/TT-BCA; "
        "Circulars 73/2024/TT-BTC and 64/2025/TT-BTC",
        "order": 1,
        "units": "id_card",
    },
    {
        "slug": "ho-chieu",
        "name": "Cấp hộ chiếu phổ thông",
        "name_en": "Ordinary passport",
        "summary": "Công dân Việt Nam có nhu cầu ra nước ngoài đề nghị cấp hộ chiếu phổ thông lần đầu, hoặc cấp lại "
        "khi hộ chiếu hết hạn, sắp hết hạn, bị hỏng, bị mất hoặc khi thay đổi thông tin nhân thân. Người dưới 14 "
        "tuổi làm thủ tục thông qua cha, mẹ hoặc người giám hộ.",
        "summary_en": "Vietnamese citizens who need to travel abroad apply for a first ordinary passport, or for a "
        "new one when theirs has expired or expires soon, is damaged or lost, or when their personal details have "
        "changed. Children under 14 apply through a parent or guardian.",
        "documents": "Tờ khai đề nghị cấp hộ chiếu phổ thông (mẫu TK01)\n"
        "02 ảnh chân dung cỡ 4x6 cm, nền trắng, chụp không quá 6 tháng\n"
        "Thẻ căn cước hoặc thẻ căn cước công dân còn giá trị\n"
        "Hộ chiếu đang sử dụng (nếu có)\n"
        "Bản sao giấy khai sinh và giấy tờ của người đại diện (với người dưới 14 tuổi)",
        "documents_en": "Passport application form (form TK01)\n"
        "Two 4x6 cm portrait photos on a white background, taken within the last 6 months\n"
        "Your valid identity card\n"
        "Your current passport (if any)\n"
        "A copy of the birth certificate and the representative's papers (for a child under 14)",
        "fee": "Cấp mới: 200.000 đồng; cấp lại do bị hỏng hoặc bị mất: 400.000 đồng (Thông tư 25/2021/TT-BTC). "
        "Mức thu theo quy định hiện hành tại thời điểm nộp hồ sơ.",
        "fee_en": "New passport: VND 200,000; replacement of a damaged or lost passport: VND 400,000 "
        "(Circular 25/2021/TT-BTC). The rate in force on the day you apply applies.",
        "processing_time": "Không quá 8 ngày làm việc kể từ ngày nhận đủ hồ sơ",
        "processing_time_en": "At most 8 working days from a complete application",
        "legal_basis": "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam số 49/2019/QH14 (được sửa đổi, bổ sung); "
        "Thông tư 25/2021/TT-BTC",
        "legal_basis_en": "Law 49/2019/QH14 on exit and entry of Vietnamese citizens (as amended); "
        "Circular 25/2021/TT-BTC",
        "order": 2,
        "units": "city_and_district",
    },
    {
        "slug": "dang-ky-xe",
        "name": "Đăng ký xe",
        "name_en": "Vehicle registration",
        "summary": "Chủ xe ô tô, rơ moóc, xe mô tô, xe gắn máy (kể cả xe máy điện) đăng ký xe lần đầu, đăng ký "
        "sang tên "
        "khi mua bán, cho, tặng, thừa kế, cấp đổi hoặc cấp lại chứng nhận đăng ký xe, biển số xe, hoặc thu hồi "
        "đăng ký khi xe không còn sử dụng.",
        "summary_en": "Owners of cars, trailers, motorbikes and mopeds (electric ones included) register a vehicle "
        "for the first time, register a change of owner after a sale, gift or inheritance, get a new or "
        "replacement registration certificate or plate, or deregister a vehicle no longer used.",
        "documents": "Giấy khai đăng ký xe (khai trên Cổng dịch vụ công hoặc ứng dụng VNeID)\n"
        "Thẻ căn cước của chủ xe\n"
        "Giấy tờ nguồn gốc xe (phiếu kiểm tra chất lượng xuất xưởng hoặc tờ khai hải quan) với xe đăng ký lần đầu\n"
        "Chứng từ chuyển quyền sở hữu xe (hóa đơn, hợp đồng mua bán, cho, tặng…) khi sang tên\n"
        "Chứng từ nộp lệ phí trước bạ theo quy định\n"
        "Chứng nhận đăng ký xe và biển số cũ (khi cấp đổi, thu hồi)",
        "documents_en": "Vehicle registration declaration (filed on the Public Service Portal or in the VNeID app)\n"
        "The owner's identity card\n"
        "Proof of the vehicle's origin (factory quality certificate or customs declaration) for a first "
        "registration\n"
        "Proof of transfer of ownership (invoice, sale or gift contract…) for a change of owner\n"
        "Proof that the registration tax was paid, where due\n"
        "The current registration certificate and plates (for a replacement or deregistration)",
        "fee": "Lệ phí đăng ký, cấp biển số theo Thông tư 60/2023/TT-BTC, tùy loại xe, giá trị xe và khu vực; "
        "mức thu theo quy định hiện hành.",
        "fee_en": "Registration and plate fees under Circular 60/2023/TT-BTC, depending on the type and value of "
        "the vehicle and the area; the rates in force apply.",
        "processing_time": "Biển số cấp ngay khi hồ sơ hợp lệ; chứng nhận đăng ký xe không quá 2 ngày làm việc",
        "processing_time_en": "Plates on the spot for a complete file; registration certificate within 2 working days",
        "legal_basis": "Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15; Thông tư 79/2024/TT-BCA; "
        "Thông tư 60/2023/TT-BTC",
        "legal_basis_en": "Road Traffic Order and Safety Law 36/2024/QH15; Circular 79/2024/TT-BCA; "
        "Circular 60/2023/TT-BTC",
        "order": 3,
        "units": "district",
    },
    {
        "slug": "dang-ky-cu-tru",
        "name": "Đăng ký thường trú, tạm trú",
        "name_en": "Residence registration (permanent and temporary)",
        "summary": "Công dân Việt Nam đăng ký thường trú tại chỗ ở hợp pháp, đăng ký tạm trú khi sinh sống từ 30 "
        "ngày trở lên ngoài nơi thường trú, hoặc gia hạn tạm trú. Đăng ký tại Công an cấp xã nơi cư trú.",
        "summary_en": "Vietnamese citizens register their permanent residence at a lawful home, register a temporary "
        "residence when living for 30 days or more away from their permanent residence, or extend a temporary "
        "residence. Registration is made at the commune-level police of the place of residence.",
        "documents": "Tờ khai thay đổi thông tin cư trú (mẫu CT01)\n"
        "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp (giấy chứng nhận quyền sở hữu, hợp đồng thuê, mượn, ở nhờ…)\n"
        "Ý kiến đồng ý của chủ hộ, chủ sở hữu chỗ ở (khi ở nhờ, thuê, mượn hoặc nhập vào hộ gia đình)\n"
        "Giấy tờ chứng minh quan hệ nhân thân (khi đăng ký thường trú theo người thân)",
        "documents_en": "Residence information change form (form CT01)\n"
        "Proof of lawful accommodation (ownership certificate, rental, loan or lodging agreement…)\n"
        "Consent of the household head or of the owner of the home (when renting, borrowing, lodging or joining a "
        "household)\n"
        "Proof of family relationship (when registering with a relative)",
        "fee": "Lệ phí đăng ký cư trú theo Thông tư 75/2022/TT-BTC (nộp trực tuyến được thu mức thấp hơn); "
        "một số đối tượng được miễn theo quy định hiện hành.",
        "fee_en": "Residence registration fee under Circular 75/2022/TT-BTC (lower when filed online); some people "
        "are exempt under the rules in force.",
        "processing_time": "Thường trú: không quá 7 ngày làm việc; tạm trú, gia hạn tạm trú: không quá 3 ngày làm việc",
        "processing_time_en": "Permanent residence: at most 7 working days; temporary residence or extension: at "
        "most 3 working days",
        "legal_basis": "Luật Cư trú số 68/2020/QH14; Nghị định 154/2024/NĐ-CP và các văn bản hướng dẫn của Bộ Công an",
        "legal_basis_en": "Residence Law 68/2020/QH14; Decree 154/2024/ND-CP and the Ministry of Public Security's "
        "implementing circulars",
        "order": 4,
        "units": "wards",
    },
    {
        "slug": "tam-tru-nguoi-nuoc-ngoai",
        "name": "Khai báo tạm trú cho người nước ngoài",
        "name_en": "Temporary residence declaration for foreigners",
        "summary": "Cơ sở lưu trú (khách sạn, nhà nghỉ, nhà ở có cho thuê…) và hộ gia đình, cá nhân có người nước "
        "ngoài tạm trú phải khai báo tạm trú với Công an cấp xã nơi có cơ sở lưu trú trong thời hạn 12 giờ (24 "
        "giờ với vùng sâu, vùng xa) kể từ khi người nước ngoài đến. Có thể khai báo trực tuyến hoặc đặt lịch "
        "khai báo trực tiếp.",
        "summary_en": "Accommodation establishments (hotels, guest houses, homes for rent…) and households or "
        "individuals hosting a foreigner must declare the foreigner's temporary residence to the commune-level "
        "police of the place within 12 hours (24 hours in remote areas) of the foreigner's arrival. The "
        "declaration can be made online or in person by appointment.",
        "documents": "Phiếu khai báo tạm trú cho người nước ngoài (mẫu NA17)\n"
        "Hộ chiếu hoặc giấy tờ có giá trị đi lại quốc tế của người nước ngoài\n"
        "Thị thực, thẻ tạm trú hoặc giấy tờ chứng minh được miễn thị thực\n"
        "Thẻ căn cước hoặc giấy tờ tùy thân của người khai báo",
        "documents_en": "Temporary residence declaration form for foreigners (form NA17)\n"
        "The foreigner's passport or international travel document\n"
        "Visa, temporary residence card or proof of visa exemption\n"
        "The identity card or papers of the person declaring",
        "fee": "Không thu phí.",
        "fee_en": "Free of charge.",
        "processing_time": "Tiếp nhận ngay trong buổi làm việc",
        "processing_time_en": "Received during the visit",
        "legal_basis": "Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam số "
        "47/2014/QH13, được sửa đổi, bổ sung bởi Luật số 51/2019/QH14 và Luật số 23/2023/QH15",
        "legal_basis_en": "Law 47/2014/QH13 on entry, exit, transit and residence of foreigners in Vietnam, as "
        "amended by Laws 51/2019/QH14 and 23/2023/QH15",
        "order": 5,
        "units": "wards",
    },
]


def _units(which: str) -> list[PoliceUnit]:
    units = PoliceUnit.objects.filter(is_active=True)
    match which:
        case "id_card":
            return list(units.filter(receives_id_applications=True))
        case "city_and_district":
            return list(units.filter(kind__in=(UnitKind.CITY, UnitKind.DISTRICT)))
        case "district":
            return list(units.filter(kind=UnitKind.DISTRICT))
        case "wards":
            return list(units.filter(kind=UnitKind.WARD))
    raise ValueError(which)


def load(*, stdout) -> None:
    for data in PROCEDURES:
        data = dict(data)
        slug = data.pop("slug")
        units = data.pop("units")
        procedure, _ = Procedure.objects.update_or_create(slug=slug, defaults=data)
        procedure.units.set(_units(units))
    stdout.write(f"Procedures: {Procedure.objects.count()}")
