"""Demo reports for the officers' queue: one fresh, one assigned, one overdue, one anonymous, one from Zalo.

Idempotent: demo reports are recognised by their fixed descriptions. Who handles them is the back office's roles.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.units.models import PoliceUnit

from .conversations import zalo_event_handle
from .models import Report, ReportCategory
from .services import report_submit

ZALO_TEXTS = (
    "Có người lạ lảng vảng trước nhà tôi mấy hôm nay.",
    "Tối qua họ đứng ở đầu hẻm đến 11 giờ, tôi gửi vị trí bên dưới.",
)

REPORTS = [
    # (unit slug, category, description, address, anonymous, phone, hours ago)
    ("cong-an-phuong-1-quan-4", ReportCategory.CRIME,
     "Tối qua khoảng 21 giờ, một thanh niên đi xe máy giật điện thoại của tôi trước cửa hàng tiện lợi.",
     "Đoàn Văn Bơ, gần ngã tư Hoàng Diệu", False, "+84912345678", 2),
    ("cong-an-phuong-8-quan-4", ReportCategory.SECURITY,
     "Nhóm người tụ tập hát karaoke ồn ào sau 23 giờ nhiều đêm liền, ảnh hưởng cả khu dân cư.",
     "Hẻm 188 Khánh Hội", True, "", 30),
    ("cong-an-phuong-8-quan-4", ReportCategory.SECURITY,
     "Xe ô tô đậu chắn lối thoát hiểm của chung cư suốt cả ngày, bảo vệ nhắc nhưng không di chuyển.",
     "Chung cư trên đường Khánh Hội", False, "+84987654321", 60),
    ("cong-an-quan-4", ReportCategory.FEEDBACK,
     "Cán bộ tiếp dân hướng dẫn làm căn cước rất tận tình, tôi xin cảm ơn.",
     "", False, "+84903123456", 5),
]  # fmt: skip


@transaction.atomic
def load(*, stdout) -> None:
    units = {u.slug: u for u in PoliceUnit.objects.filter(slug__in={r[0] for r in REPORTS})}
    created = 0
    for slug, category, description, address, anonymous, phone, hours_ago in REPORTS:
        if slug not in units or Report.objects.filter(description=description).exists():
            continue
        report = report_submit(
            category=category,
            description=description,
            unit=units[slug],
            address=address,
            is_anonymous=anonymous,
            contact_phone=phone,
        )
        # Backdate so the queue shows an overdue report, as a real one would look after some days.
        created_at = timezone.now() - timedelta(hours=hours_ago)
        due_at = report.due_at - timedelta(hours=hours_ago)
        Report.objects.filter(pk=report.pk).update(created_at=created_at, confirmed_at=created_at, due_at=due_at)
        report.events.update(created_at=created_at)
        created += 1
    if PoliceUnit.objects.filter(kind="district").exists():
        # A conversation in the OA chat: two texts and a location, one report (idempotent on the msg ids).
        sender = {"id": "2468000000000001"}
        events = [
            {"event_name": "user_send_text", "message": {"msg_id": "demo-zalo-0001", "text": ZALO_TEXTS[0]}},
            {"event_name": "user_send_text", "message": {"msg_id": "demo-zalo-0002", "text": ZALO_TEXTS[1]}},
            {
                "event_name": "user_send_location",
                "message": {
                    "msg_id": "demo-zalo-0003",
                    "attachments": [
                        {
                            "type": "location",
                            "payload": {"coordinates": {"latitude": "10.7595", "longitude": "106.7041"}},
                        }
                    ],
                },
            },
        ]
        for event in events:
            created += int(zalo_event_handle(event={**event, "sender": sender}).status == "filed")
    stdout.write(f"Reports: {Report.objects.count()} ({created} new)")
