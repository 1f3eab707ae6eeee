"""The citizen reads a closed report as "Đã đóng" (closed), not the slot picker's "Nghỉ" (a day off): the two
English "Closed" are different words in Vietnamese."""

from django.utils import translation

from apps.reports.models import ReportStatus


def test_report_status_words_in_vietnamese():
    with translation.override("vi"):
        assert {s.value: str(s.label) for s in ReportStatus} == {
            "received": "Đã tiếp nhận",
            "assigned": "Đã giao cán bộ xử lý",
            "in_progress": "Đang xử lý",
            "answered": "Đã trả lời",
            "closed": "Đã đóng",
            "forwarded": "Đã chuyển đơn vị khác",
        }
        assert translation.gettext("Closed") == "Nghỉ"  # the slot picker's closed day
