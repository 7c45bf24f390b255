"""Fill each existing case's applicant snapshot from its resident record as it is now (the best that
is known: earlier overwrites of the record by later intakes cannot be undone)."""

from django.db import migrations

BATCH = 1000


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Resident = apps.get_model("org", "Resident")
    fields = [
        "applicant_kind",
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_address",
    ]
    residents: dict = {}
    batch = []
    for case in Case.objects.only("pk", "applicant_id").order_by("pk").iterator(chunk_size=BATCH):
        r = residents.get(case.applicant_id)
        if r is None:
            r = Resident.objects.get(pk=case.applicant_id)
            residents = {case.applicant_id: r} if len(residents) > 10_000 else residents
            residents[case.applicant_id] = r
        case.applicant_kind = r.kind
        case.applicant_name = r.name or ""
        case.applicant_id_number = r.id_number or ""
        case.applicant_phone = r.phone or ""
        case.applicant_address = r.address or ""
        batch.append(case)
        if len(batch) >= BATCH:
            Case.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Case.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_case_applicant_snapshot"),
        ("org", "0003_resident_phone_verified"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
