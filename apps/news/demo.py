"""District 4 news: reception schedule, places and hours, who must get or exchange a card, a pinned notice.

Idempotent: posts are keyed by slug. Who may edit them is the back office's roles (apps/backoffice/roles.py).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.units.models import PoliceUnit

from .models import BodyFormat, Category, Post
from .services import post_save

POSTS = [
    {
        "slug": "lich-tiep-dan-cap-can-cuoc-thang-nay",
        "unit": "cong-an-quan-4",
        "category": Category.SCHEDULE,
        "is_pinned": True,
        "days_ago": 1,
        "title": "Lịch tiếp dân làm thủ tục cấp căn cước tại Công an Quận 4",
        "summary": "Công an Quận 4 tiếp nhận hồ sơ cấp, đổi căn cước từ thứ Hai đến thứ Sáu và sáng thứ Bảy. "
        "Người dân khai tờ khai trực tuyến và đặt lịch trước để không phải chờ.",
        "body": "<p>Công an Quận 4 thông báo lịch tiếp nhận hồ sơ cấp, đổi, cấp lại thẻ căn cước:</p>"
        "<ul><li>Thứ Hai đến thứ Sáu: sáng 07:30–11:30, chiều 13:30–17:00.</li>"
        "<li>Sáng thứ Bảy: 07:30–11:30 (chỉ tiếp nhận hồ sơ đã đặt lịch).</li></ul>"
        "<p>Địa điểm: trụ sở Công an Quận 4, 14 Đoàn Như Hài. Khi đến, người dân mang theo mã tờ khai "
        "hoặc mã QR nhận được sau khi khai trực tuyến.</p>",
        "title_en": "Reception hours for identity cards at District 4 Police",
        "summary_en": "District 4 Police receives identity card applications Monday to Friday and on Saturday "
        "mornings. Fill in the declaration online and book a time to avoid waiting.",
        "body_en": "<p>District 4 Police receives applications for new, replacement and renewed identity cards:</p>"
        "<ul><li>Monday to Friday: 07:30–11:30 and 13:30–17:00.</li>"
        "<li>Saturday morning: 07:30–11:30 (booked visits only).</li></ul>"
        "<p>Place: District 4 Police headquarters, 14 Đoàn Như Hài. Bring your declaration code or QR code.</p>",
    },
    {
        "slug": "dia-diem-va-gio-tiep-nhan-ho-so-can-cuoc",
        "unit": "cong-an-quan-4",
        "category": Category.PLACES,
        "days_ago": 3,
        "title": "Địa điểm và giờ tiếp nhận hồ sơ căn cước trên địa bàn",
        "summary": "Ngoài trụ sở Công an Quận 4, người dân có thể nộp hồ sơ tại Công an các phường "
        "Phường 1, 3, 8, 9, 13 và 16 (cũ) trong giờ hành chính.",
        "body": "<p>Các điểm tiếp nhận hồ sơ căn cước:</p>"
        "<table><thead><tr><th>Nơi tiếp nhận</th><th>Giờ làm việc</th></tr></thead><tbody>"
        "<tr><td>Công an Quận 4, 14 Đoàn Như Hài</td><td>Thứ Hai – sáng thứ Bảy</td></tr>"
        "<tr><td>Công an Phường 1, 8, 13 (cũ)</td><td>Thứ Hai – sáng thứ Bảy</td></tr>"
        "<tr><td>Công an Phường 3, 9, 16 (cũ)</td><td>Thứ Hai – thứ Sáu</td></tr>"
        "</tbody></table>"
        "<p>Danh bạ đầy đủ, số điện thoại và bản đồ xem tại trang Danh bạ công an.</p>",
    },
    {
        "slug": "ai-phai-lam-hoac-doi-the-can-cuoc",
        "unit": "cong-an-quan-4",
        "category": Category.ELIGIBILITY,
        "days_ago": 7,
        "title": "Những ai phải làm hoặc đổi thẻ căn cước?",
        "summary": "Công dân từ đủ 14 tuổi phải làm thẻ căn cước; thẻ phải đổi khi công dân đủ 14, 25, 40 và 60 tuổi.",
        "body": "<p>Theo Luật Căn cước 2023:</p>"
        "<ul><li>Công dân Việt Nam từ đủ 14 tuổi trở lên <strong>bắt buộc</strong> làm thủ tục cấp thẻ căn cước; "
        "trẻ dưới 14 tuổi được cấp theo nhu cầu.</li>"
        "<li>Thẻ phải đổi khi công dân đủ <strong>14, 25, 40 và 60 tuổi</strong>. Thẻ cấp, đổi trong thời hạn 2 năm "
        "trước các mốc tuổi này vẫn có giá trị đến mốc tuổi tiếp theo.</li>"
        "<li>Cũng phải đổi thẻ khi thay đổi họ tên, đặc điểm nhận dạng, xác định lại giới tính, quê quán, "
        "hoặc khi thẻ bị hư hỏng, có sai sót.</li></ul>",
        "title_en": "Who must get or exchange an identity card?",
        "summary_en": "Citizens aged 14 and over must have an identity card; the card is exchanged at ages 14, 25, "
        "40 and 60.",
        "body_en": "<p>Under the 2023 Law on Identification:</p>"
        "<ul><li>Vietnamese citizens aged 14 and over <strong>must</strong> apply for an identity card; children "
        "under 14 may get one on request.</li>"
        "<li>The card is exchanged at ages <strong>14, 25, 40 and 60</strong>. A card issued within the two years "
        "before one of these ages stays valid until the next one.</li>"
        "<li>It must also be exchanged after a change of name, features, gender or place of origin, or when it is "
        "damaged or wrong.</li></ul>",
    },
    {
        "slug": "canh-bao-gia-danh-cong-an-goi-dien-lua-dao",
        "unit": "cong-an-quan-4",
        "category": Category.ANNOUNCEMENT,
        "is_pinned": True,
        "days_ago": 0,
        "title": "Cảnh giác với đối tượng giả danh công an gọi điện yêu cầu cập nhật căn cước",
        "summary": "Công an không gọi điện, nhắn tin yêu cầu người dân cung cấp mã OTP, mật khẩu, chuyển tiền "
        "hay cài ứng dụng lạ để “cập nhật thông tin căn cước”.",
        "body": "<p>Thời gian gần đây xuất hiện nhiều trường hợp đối tượng giả danh cán bộ công an gọi điện, "
        "yêu cầu người dân cài đặt ứng dụng, cung cấp mã OTP hoặc chuyển tiền để “đồng bộ dữ liệu căn cước”, "
        "“tích hợp VNeID”.</p>"
        "<p><strong>Công an không bao giờ làm việc qua điện thoại theo cách này.</strong> Khi nhận được cuộc gọi "
        "đáng ngờ, người dân không làm theo, ghi lại số điện thoại và báo ngay cho Công an phường nơi cư trú "
        "hoặc gọi số 113.</p>",
        "title_en": "Beware of callers posing as police officers about identity cards",
        "summary_en": "The police never call or message you to ask for an OTP code, a password, a money transfer or "
        "to install an app in order to “update your identity card”.",
        "body_en": "<p>Fraudsters pretending to be police officers ask people to install apps, give OTP codes or "
        "transfer money to “synchronise identity data”.</p>"
        "<p><strong>The police never work this way by phone.</strong> Do not follow such instructions; note the "
        "number and tell your ward police station, or call 113.</p>",
    },
    {
        "slug": "cong-an-phuong-8-tiep-dan-sang-thu-bay",
        "unit": "cong-an-phuong-8-quan-4",
        "category": Category.ANNOUNCEMENT,
        "days_ago": 2,
        "title": "Công an Phường 8 (cũ) tiếp nhận hồ sơ căn cước vào sáng thứ Bảy",
        "summary": "Để phục vụ người dân đi làm trong tuần, Công an Phường 8 (cũ) tiếp nhận hồ sơ căn cước "
        "vào sáng thứ Bảy, từ 07:30 đến 11:30.",
        # Written as officers now write: Markdown, no HTML.
        "body_format": BodyFormat.MARKDOWN,
        "body": "Người dân **đặt lịch trực tuyến** trước khi đến.\n\n- Địa chỉ: 188 Khánh Hội\n"
        "- Giờ tiếp nhận: thứ Bảy, 07:30 – 11:30\n\nKhi cần hỗ trợ, gọi số trực ban của Công an phường.",
    },
]


@transaction.atomic
def load(*, stdout) -> None:
    now = timezone.now()
    units = {u.slug: u for u in PoliceUnit.objects.filter(slug__in={p["unit"] for p in POSTS})}
    created = 0
    for data in POSTS:
        data = dict(data)
        slug = data.pop("slug")
        unit = units.get(data.pop("unit"))
        days_ago = data.pop("days_ago")
        data.setdefault("body_format", BodyFormat.HTML)
        if unit is None or Post.objects.filter(slug=slug).exists():
            continue
        post = Post(slug=slug, unit=unit, publish_at=now - timedelta(days=days_ago), **data)
        post_save(post=post)
        created += 1
    stdout.write(f"News posts: {Post.objects.count()} ({created} new)")
