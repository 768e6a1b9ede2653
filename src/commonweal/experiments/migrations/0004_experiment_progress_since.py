from django.db import migrations, models


class Migration(migrations.Migration):
    """The start time becomes the time of the latest progress, so a queue no worker takes up shows too."""

    dependencies = [
        ("experiments", "0003_experiment_evaluation_started_at"),
    ]

    operations = [
        migrations.RenameField(
            model_name="experiment", old_name="evaluation_started_at", new_name="progress_since"
        ),
        migrations.AlterField(
            model_name="experiment",
            name="progress_since",
            field=models.DateTimeField(
                blank=True, help_text="When the evaluation was last queued, or started by the worker.", null=True
            ),
        ),
    ]
