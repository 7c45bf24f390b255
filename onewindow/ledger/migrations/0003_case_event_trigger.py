from django.db import migrations

# PostgreSQL only (on SQLite the receiver appends the row): ledger.casetrigger.
from onewindow.ledger.casetrigger import DROP_SQL, FUNCTION_SQL


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION_SQL)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_event_log_and_month_facts"),
        ("cases", "0014_lean_indexes"),
    ]

    operations = [migrations.RunPython(up, down)]
