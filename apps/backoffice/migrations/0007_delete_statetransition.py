"""One state machine: a filing's moves are recorded as its timeline (filings.FilingEvent, copied there by filings
0006), so the back office's duplicate history of state changes goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0006_delete_filingreview"),
        ("filings", "0006_events_from_state_transitions"),
    ]

    operations = [migrations.DeleteModel(name="StateTransition")]
