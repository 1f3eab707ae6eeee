"""On PostgreSQL the database itself keeps `Appointment.slot_starts_at` true on every insert and every change of
the slot, whatever writes the row.

The code keeps the copy (`Appointment.save()`, `services._insert`), but during an upgrade the previous release
keeps serving while `migrate` runs and until its processes are reloaded (README, "Upgrades"): its inserts and
moves do not know the column, and after 0006's fill they would leave rows without the time (listed last, out of
order, forever). A BEFORE INSERT OR UPDATE OF slot_id trigger closes that gap and any other writer's (raw SQL,
COPY, a shell); then the rows written while 0006 ran are filled. SQLite (the embedded default, one process, no
rolling upgrade) keeps relying on the code.
"""

from django.db import migrations

FUNCTION = "appointments_slot_start_copy"
TRIGGER = "appointments_slot_start_copy"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.slot_starts_at := (SELECT starts_at FROM appointments_slot WHERE id = NEW.slot_id);
            RETURN NEW;
        END
        $$
        """
    )
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON appointments_appointment")
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF slot_id ON appointments_appointment "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )
    # Rows the previous release wrote while 0006 ran (its fill had passed them).
    schema_editor.execute(
        "UPDATE appointments_appointment AS a SET slot_starts_at = s.starts_at FROM appointments_slot AS s "
        "WHERE s.id = a.slot_id AND a.slot_starts_at IS DISTINCT FROM s.starts_at"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON appointments_appointment")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("appointments", "0006_slot_start_name_key")]

    operations = [migrations.RunPython(create, drop)]
