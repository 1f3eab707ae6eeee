"""What the citizen takes away: QR codes (PNG, SVG), the calendar file (.ics) and the slip as an image."""

import functools
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

# Noto Sans (SIL Open Font License, apps/core/fonts/OFL.txt) ships with the project, so the slip shows Vietnamese
# letters on any machine, not only where Debian's font packages happen to be installed.
FONT_DIR = Path(__file__).resolve().parent.parent / "core" / "fonts"


def _qr(data: str, *, box: int = 6, border: int = 2):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=border)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_png(data: str, *, box: int = 6) -> bytes:
    """A small black-and-white PNG (1 bit per pixel)."""
    image = _qr(data, box=box).make_image().get_image().convert("1")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    image = _qr(data, box=10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + space)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


ICS_TZID = "Asia/Ho_Chi_Minh"


def ics_build(
    *, uid: str, starts_at: datetime, ends_at: datetime, summary: str, location: str, description: str, url: str
) -> bytes:
    def utc(value: datetime) -> str:
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def local(value: datetime) -> str:
        # Vietnam time, named: a calendar set to another zone still shows the visit at the unit's own hour.
        return f"TZID={ICS_TZID}:" + timezone.localtime(value, ZoneInfo(ICS_TZID)).strftime("%Y%m%dT%H%M%S")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cong dich vu cong dan//CCCD//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        # Vietnam has kept UTC+7 without daylight saving since 1975.
        "BEGIN:VTIMEZONE",
        f"TZID:{ICS_TZID}",
        "BEGIN:STANDARD",
        "DTSTART:19750613T000000",
        "TZOFFSETFROM:+0700",
        "TZOFFSETTO:+0700",
        "TZNAME:ICT",
        "END:STANDARD",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{utc(timezone.now())}",
        f"DTSTART;{local(starts_at)}",
        f"DTEND;{local(ends_at)}",
        f"SUMMARY:{_ics_escape(summary)}",
        f"LOCATION:{_ics_escape(location)}",
        f"DESCRIPTION:{_ics_escape(description)}",
        f"URL:{url}",
        "BEGIN:VALARM",
        "TRIGGER:-PT2H",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_ics_escape(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_ics_fold(line) for line in lines) + "\r\n").encode()


@functools.cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / ("NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf")), size)


def slip_png(*, title: str, code: str, lines: list[tuple[str, str]], qr_data: str, footer: str) -> bytes:
    """The appointment slip as one image a citizen can long-press to save (in-app browsers often cannot download)."""
    width, margin = 720, 32
    qr_image = _qr(qr_data, box=6).make_image().get_image().convert("RGB")
    body, label_font, code_font = _font(24), _font(20), _font(44, bold=True)
    wrapped: list[tuple[str, list[str]]] = []
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    for label, value in lines:
        words, rows, current = value.split(), [], ""
        for word in words:
            trial = f"{current} {word}".strip()
            if probe.textlength(trial, font=body) > width - 2 * margin and current:
                rows.append(current)
                current = word
            else:
                current = trial
        rows.append(current)
        wrapped.append((label, rows))
    height = margin + 40 + 70 + qr_image.height + 20 + sum(28 + 32 * len(r) + 10 for _, r in wrapped) + 60 + margin
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y = margin
    draw.text((margin, y), title, font=_font(26, bold=True), fill="#0b3d91")
    y += 40
    draw.text((margin, y), code, font=code_font, fill="black")
    y += 70
    image.paste(qr_image, ((width - qr_image.width) // 2, y))
    y += qr_image.height + 20
    for label, rows in wrapped:
        draw.text((margin, y), label, font=label_font, fill="#555555")
        y += 28
        for row in rows:
            draw.text((margin, y), row, font=body, fill="black")
            y += 32
        y += 10
    draw.text((margin, y + 10), footer, font=label_font, fill="#555555")
    buffer = io.BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
