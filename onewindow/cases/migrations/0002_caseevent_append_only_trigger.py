from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION onewindow_caseevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'cases_caseevent is append-only (办件记录只能追加)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER caseevent_no_update_delete BEFORE UPDATE OR DELETE ON cases_caseevent
  FOR EACH ROW EXECUTE FUNCTION onewindow_caseevent_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS caseevent_no_update_delete ON cases_caseevent;
DROP FUNCTION IF EXISTS onewindow_caseevent_append_only();
"""
# On SQLite the model refuses UPDATE/DELETE (CaseEvent.save/delete); a trigger there would also block the
# test-suite's table flush (SQLite flushes with DELETE, PostgreSQL with TRUNCATE, which row triggers ignore).


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
