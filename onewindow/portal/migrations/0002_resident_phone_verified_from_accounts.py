"""A bound resident's record phone that equals the account's log-in phone was proved by SMS: mark it
verified (``org.Resident.phone_verified_at``), so those residents keep their standing."""

from django.db import migrations


def mark(apps, schema_editor):
    Account = apps.get_model("portal", "ResidentAccount")
    Resident = apps.get_model("org", "Resident")
    for account in Account.objects.filter(resident__isnull=False).iterator():
        r = Resident.objects.get(pk=account.resident_id)
        if r.phone and r.phone == account.phone and r.phone_verified_at is None:
            Resident.objects.filter(pk=r.pk).update(
                phone_verified_at=account.verified_at or account.created_at
            )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_resident_accounts"),
        ("org", "0003_resident_phone_verified"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
