"""The slot's start and the searched name on the appointment itself, and the index that holds both in the officers'
list's order (docs/scale.md, "A name search for every unit").

* `slot_starts_at`: a copy of the slot's start, filled here in batches of 50,000 appointments (each its own
  transaction on PostgreSQL: the migration is not atomic, a batch locks only its own rows), then kept by
  `Appointment.save()` and `services._insert`.
* `name_key`: a generated column (`portal_unaccent(holder_name)`, the database computes it on every write), added
  after the fill: adding it rewrites the table once (PostgreSQL holds an ACCESS EXCLUSIVE lock for the rewrite),
  which also drops the old row versions the fill's UPDATEs left (the table does not double in size).
* The trigram index of the name moves from the expression `portal_unaccent(holder_name)` to the column `name_key`
  (the search now compares the column).
"""

from django.db import migrations, models

import apps.backoffice.search

BATCH = 50_000


def fill_slot_starts_at(apps, schema_editor):
    Appointment = apps.get_model("appointments", "Appointment")
    Slot = apps.get_model("appointments", "Slot")
    qn = schema_editor.quote_name
    appointments, slots = qn(Appointment._meta.db_table), qn(Slot._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {appointments}")  # noqa: S608
        first, last = cursor.fetchone()
    if first is None:
        return
    for start in range(first, last + 1, BATCH):
        schema_editor.execute(
            f"UPDATE {appointments} SET slot_starts_at = (SELECT s.starts_at FROM {slots} AS s "  # noqa: S608
            f"WHERE s.id = {appointments}.slot_id) WHERE id >= %s AND id < %s",
            [start, start + BATCH],
        )


def name_key_index(apps, schema_editor):
    from apps.backoffice.search import (
        NAME_EXPRESSION_INDEX_TARGETS,
        NAME_KEY_INDEX_TARGETS,
        postgres_search_indexes,
    )

    postgres_search_indexes(apps, schema_editor, targets=NAME_KEY_INDEX_TARGETS[:1])
    postgres_search_indexes(apps, schema_editor, targets=NAME_EXPRESSION_INDEX_TARGETS[:1], drop=True)


def name_expression_index(apps, schema_editor):
    from apps.backoffice.search import (
        NAME_EXPRESSION_INDEX_TARGETS,
        NAME_KEY_INDEX_TARGETS,
        postgres_search_indexes,
    )

    postgres_search_indexes(apps, schema_editor, targets=NAME_EXPRESSION_INDEX_TARGETS[:1])
    postgres_search_indexes(apps, schema_editor, targets=NAME_KEY_INDEX_TARGETS[:1], drop=True)


class Migration(migrations.Migration):
    atomic = False  # the batches of fill_slot_starts_at commit one by one on PostgreSQL

    dependencies = [
        ("appointments", "0005_unit_scope_indexes"),
        ("backoffice", "0004_search_indexes"),  # the function portal_unaccent
        ("procedures", "0006_fee_from_schedule"),
        ("units", "0003_unit_english_area_and_phone_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="slot_starts_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="time"),
        ),
        migrations.RunPython(fill_slot_starts_at, migrations.RunPython.noop),
        # After the UPDATEs: the rewrite that adding a stored generated column makes also leaves out the row
        # versions they left behind (the table keeps its size instead of doubling).
        migrations.AddField(
            model_name="appointment",
            name="name_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=apps.backoffice.search.SearchText("holder_name"),
                output_field=models.CharField(max_length=200),
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                fields=["slot_starts_at", "id"],
                include=("name_key", "unit", "reference"),
                name="appointments_start_name",
            ),
        ),
        migrations.RunPython(name_key_index, name_expression_index),
    ]
