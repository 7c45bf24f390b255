"""Fill the blind index of each existing case's applicant phone (once, from its encrypted snapshot)."""

from django.db import migrations

from onewindow.privacy.crypto import phone_blind_index

BATCH = 1000


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    batch = []
    for case in Case.objects.only("pk", "applicant_phone").order_by("pk").iterator(chunk_size=BATCH):
        case.applicant_phone_index = phone_blind_index(case.applicant_phone or "")
        if case.applicant_phone_index:
            batch.append(case)
        if len(batch) >= BATCH:
            Case.objects.bulk_update(batch, ["applicant_phone_index"])
            batch = []
    if batch:
        Case.objects.bulk_update(batch, ["applicant_phone_index"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_case_applicant_phone_index")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
