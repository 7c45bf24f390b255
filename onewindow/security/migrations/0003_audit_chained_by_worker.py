from django.db import migrations, models

# PostgreSQL: the append-only trigger now lets the worker's chaining step (security.audit.chain) give an
# unchained entry its place in the chain once: only seq, prev_hash and hash may change, and only while
# seq is NULL. Every other UPDATE is still refused; DELETE only in the retention purge.
PG_UP = """
CREATE OR REPLACE FUNCTION onewindow_auditentry_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('onewindow.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'security_auditentry is append-only (审计记录只能追加)';
END;
$$ LANGUAGE plpgsql;
"""
PG_DOWN = """
CREATE OR REPLACE FUNCTION onewindow_auditentry_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('onewindow.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'security_auditentry is append-only (审计记录只能追加)';
END;
$$ LANGUAGE plpgsql;
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):

    dependencies = [
        ('security', '0002_auditentry_append_only_trigger'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["-id"], "verbose_name": "审计记录", "verbose_name_plural": "审计记录"},
        ),
        migrations.AddField(
            model_name='auditentry',
            name='content_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='seq',
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name='序号'),
        ),
        migrations.RunPython(up, down),
    ]
