from django.db import migrations


def install(apps, schema_editor):
    from guidance.content import install_missing

    install_missing(apps.get_model("guidance", "GuidancePage"), apps.get_model("guidance", "GuidanceVersion"))


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
