"""Message texts: `{name}` placeholders filled from the notification's plain JSON data.

Officers edit the texts in admin, so the syntax is deliberately tiny (no attribute access, no logic): a
placeholder a kind does not know is refused when the template is saved, and one with no value renders empty.
"""

import re
import string
from collections.abc import Mapping

from .models import Kind

# One name per code, in every message (issue 11.6): `{reference}` is the citizen's code – "mã hồ sơ" / "filing
# code" for a filing, "mã tra cứu" / "tracking code" for a report – and `{code}` is only ever the one-time
# confirmation code ("mã xác nhận" / "confirmation code"). Each message carries one of them.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    Kind.OTP: ("code", "minutes"),
    Kind.FILING_CONFIRMED: ("name", "reference", "unit", "address", "date", "time", "url"),
    Kind.PROCEDURE_BOOKED: ("name", "procedure", "reference", "unit", "address", "date", "time", "url"),
    Kind.APPOINTMENT_REMINDER: ("name", "reference", "unit", "address", "date", "time"),
    Kind.APPOINTMENT_MOVED: ("name", "reference", "unit", "address", "date", "time", "reason"),
    Kind.APPOINTMENT_CANCELLED: ("name", "reference", "unit", "date", "time", "reason"),
    Kind.FILING_STATUS_CHANGED: ("name", "reference", "status", "note", "url"),
    Kind.REPORT_RECEIVED: ("reference", "url"),
    Kind.REPORT_ANSWERED: ("reference", "url"),
    Kind.REPORT_REPLY: ("reference", "text"),
    Kind.CONTACT_REQUEST: ("reference",),
}

# Values a secret placeholder never shows outside the message itself (admin, logs, the stored copy).
SECRET_PLACEHOLDERS = {"code"}
SECRET_KINDS = {Kind.OTP}
MASK = "••••••"

SAMPLE_CONTEXT: dict[str, str] = {
    "name": "Nguyễn Văn An",
    "code": "482913",
    "minutes": "5",
    "reference": "K7MX-3PQ9-R",
    "procedure": "Cấp hộ chiếu phổ thông",
    "unit": "Công an Phường Xóm Chiếu",
    "address": "4 Xóm Chiếu",
    "date": "02/12/2026",
    "time": "08:30",
    "url": "https://example.vn/tra-cuu/",
    "status": "Đã tiếp nhận",
    "note": "",
    "reason": "",
    "text": "Chúng tôi đã cử cán bộ đến kiểm tra. Cảm ơn bạn đã báo tin.",
}

# Default texts, loaded by the data migration; officers edit them in admin afterwards. A text changed here is
# updated by a migration only where officers left the previous default (see 0010_moved_with_reason).
DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    (Kind.OTP, "vi"): (
        "Mã xác nhận",
        "Mã xác nhận của bạn là {code}, có hiệu lực trong {minutes} phút. Không cung cấp mã này cho bất kỳ ai.",
    ),
    (Kind.OTP, "en"): (
        "Confirmation code",
        "Your confirmation code is {code}. It is valid for {minutes} minutes. Do not give it to anyone.",
    ),
    (Kind.FILING_CONFIRMED, "vi"): (
        "Xác nhận tờ khai căn cước",
        "Công an đã nhận tờ khai căn cước của {name}, mã hồ sơ {reference}. "
        "Mời bạn đến {unit}, {address} lúc {time} ngày {date}. Xem hồ sơ: {url}",
    ),
    (Kind.FILING_CONFIRMED, "en"): (
        "Identity card declaration received",
        "The police received the identity card declaration of {name}, filing code {reference}. "
        "Please come to {unit}, {address} at {time} on {date}. Your filing: {url}",
    ),
    (Kind.PROCEDURE_BOOKED, "vi"): (
        "Xác nhận đặt lịch",
        "Đã đặt lịch thủ tục {procedure} cho {name}, mã hồ sơ {reference}. "
        "Mời bạn đến {unit}, {address} lúc {time} ngày {date}. Xem lịch hẹn: {url}",
    ),
    (Kind.PROCEDURE_BOOKED, "en"): (
        "Booking confirmed",
        "{procedure}: {name} is booked, filing code {reference}. "
        "Please come to {unit}, {address} at {time} on {date}. Your booking: {url}",
    ),
    (Kind.APPOINTMENT_REMINDER, "vi"): (
        "Nhắc lịch hẹn",
        "Nhắc lịch: ngày mai {date} lúc {time}, {name} có lịch hẹn tại {unit}, {address} (mã hồ sơ {reference}). "
        "Vui lòng mang theo giấy tờ cần thiết.",
    ),
    (Kind.APPOINTMENT_REMINDER, "en"): (
        "Appointment reminder",
        "Reminder: tomorrow {date} at {time}, {name} has an appointment at {unit}, {address} "
        "(filing code {reference}). Please bring the required documents.",
    ),
    (Kind.APPOINTMENT_MOVED, "vi"): (
        "Lịch hẹn đã thay đổi",
        "Lịch hẹn của {name}, mã hồ sơ {reference}, đã được chuyển sang {time} ngày {date} tại {unit}, {address}. "
        "{reason}",
    ),
    (Kind.APPOINTMENT_MOVED, "en"): (
        "Appointment moved",
        "The appointment of {name}, filing code {reference}, has been moved to {time} on {date} at {unit}, {address}. "
        "{reason}",
    ),
    (Kind.APPOINTMENT_CANCELLED, "vi"): (
        "Lịch hẹn đã bị hủy",
        "Lịch hẹn của {name}, mã hồ sơ {reference}, lúc {time} ngày {date} tại {unit} đã bị hủy. {reason} "
        "Bạn có thể đặt lịch mới trên cổng dịch vụ.",
    ),
    (Kind.APPOINTMENT_CANCELLED, "en"): (
        "Appointment cancelled",
        "The appointment of {name}, filing code {reference}, at {time} on {date} at {unit} has been cancelled. "
        "{reason} "
        "You can book a new one on the portal.",
    ),
    (Kind.FILING_STATUS_CHANGED, "vi"): (
        "Hồ sơ có cập nhật",
        "Hồ sơ của {name}, mã hồ sơ {reference}, đã chuyển sang trạng thái: {status}. {note} Xem chi tiết: {url}",
    ),
    (Kind.FILING_STATUS_CHANGED, "en"): (
        "Your filing was updated",
        "The filing of {name}, filing code {reference}, is now: {status}. {note} Details: {url}",
    ),
    (Kind.REPORT_RECEIVED, "vi"): (
        "Đã nhận phản ánh",
        "Công an đã nhận phản ánh của bạn, mã tra cứu {reference}. Theo dõi kết quả tại {url}",
    ),
    (Kind.REPORT_RECEIVED, "en"): (
        "Report received",
        "The police received your report, tracking code {reference}. Follow it at {url}",
    ),
    (Kind.REPORT_ANSWERED, "vi"): (
        "Phản ánh đã được trả lời",
        "Phản ánh của bạn, mã tra cứu {reference}, đã được trả lời. Xem câu trả lời tại {url}",
    ),
    (Kind.REPORT_ANSWERED, "en"): (
        "Your report was answered",
        "Your report, tracking code {reference}, has been answered. Read the answer at {url}",
    ),
    (Kind.REPORT_REPLY, "vi"): (
        "Công an trả lời phản ánh",
        "Công an trả lời phản ánh của bạn, mã tra cứu {reference}: {text}",
    ),
    (Kind.REPORT_REPLY, "en"): (
        "The police answer your report",
        "The police answer your report, tracking code {reference}: {text}",
    ),
    (Kind.CONTACT_REQUEST, "vi"): (
        "Chia sẻ thông tin liên hệ",
        "Để cán bộ liên hệ lại về phản ánh của bạn, mã tra cứu {reference}, bạn vui lòng bấm vào đây và chia sẻ "
        "tên, số điện thoại.",
    ),
    (Kind.CONTACT_REQUEST, "en"): (
        "Share your contact details",
        "So that an officer can call you back about your report, tracking code {reference}, please tap here to "
        "share your name and phone.",
    ),
}


class _Formatter(string.Formatter):
    def get_value(self, key, args, kwargs):
        return kwargs.get(key, "")

    def get_field(self, field_name, args, kwargs):
        # "{name}" only: no attribute or index access into the data.
        return self.get_value(field_name, args, kwargs), field_name


_FORMATTER = _Formatter()
_SPACES = re.compile(r"[ \t]{2,}")


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in `text`; raises ValueError on malformed braces."""
    return [field for _, field, _, _ in _FORMATTER.parse(text) if field is not None]


def render_text(text: str, context: Mapping[str, object]) -> str:
    values = {key: "" if value is None else str(value) for key, value in context.items()}
    try:
        rendered = _FORMATTER.vformat(text, (), values)
    except (ValueError, IndexError, KeyError):
        # A template saved before validation existed: send it as written rather than nothing.
        rendered = text
    # An empty optional value ("{note} ") must not leave double spaces behind.
    return _SPACES.sub(" ", rendered).strip()
