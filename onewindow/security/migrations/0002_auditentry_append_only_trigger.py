from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION onewindow_auditentry_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('onewindow.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'security_auditentry is append-only (审计记录只能追加)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER auditentry_no_update_delete BEFORE UPDATE OR DELETE ON security_auditentry
  FOR EACH ROW EXECUTE FUNCTION onewindow_auditentry_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS auditentry_no_update_delete ON security_auditentry;
DROP FUNCTION IF EXISTS onewindow_auditentry_append_only();
"""
# On SQLite the model refuses UPDATE/DELETE (AuditEntry.save/delete and its queryset); a trigger there would
# also block the test-suite's table flush. Only the retention purge (security.audit.purge) may delete, and
# on PostgreSQL only after `SET LOCAL onewindow.audit_purge = 'on'`.


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
