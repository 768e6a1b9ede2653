"""Ship Commonweal's illustrative social-value measures, so a new installation can publish a tender."""

from django.db import migrations


def add_measures(apps, schema_editor):
    from commonweal.procurement.measures import ILLUSTRATIVE_MEASURES

    Measure = apps.get_model("procurement", "SocialValueMeasure")
    for code, name, unit, proxy in ILLUSTRATIVE_MEASURES:
        Measure.objects.update_or_create(
            code=code, defaults={"name": name, "unit": unit, "proxy_value": proxy, "illustrative": True}
        )


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]
    operations = [migrations.RunPython(add_measures, migrations.RunPython.noop)]
