"""Demo reports for the officers' queue: one fresh, one assigned, one overdue, one anonymous, one from Zalo.

Idempotent: demo reports are recognised by their fixed descriptions. Who handles them is the back office's roles.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.units.models import PoliceUnit

from .models import Report, ReportCategory
from .services import report_file_from_zalo, report_submit

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
        _report, new = report_file_from_zalo(
            msg_id="demo-zalo-0001",
            sender_id="2468000000000001",
            text="Có người lạ lảng vảng trước nhà tôi mấy hôm nay.",
        )
        created += int(new)
    stdout.write(f"Reports: {Report.objects.count()} ({created} new)")
