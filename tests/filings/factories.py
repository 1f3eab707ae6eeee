from apps.filings.models import Filing
from apps.filings.services import filing_create
from tests.procedures.factories import ProcedureFactory


def filing_make(*, slug: str = "ho-chieu", appointment=None, **fields) -> Filing:
    """A submitted filing through the service (code, first event), without a journey."""
    values = {
        "holder_name": "NGUYỄN VĂN AN",
        "phone": "+84901234567",
        "language": "vi",
        "answers": {"id_number": "079203001234"},
        "birth_date": None,
        "id_number": "079203001234",
    }
    values.update(fields)
    filing = filing_create(procedure=ProcedureFactory(slug=slug), **values)
    if appointment is not None:
        filing.appointment = appointment
        filing.save(update_fields=["appointment"])
    return filing
