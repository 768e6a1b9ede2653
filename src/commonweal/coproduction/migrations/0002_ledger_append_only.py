"""On PostgreSQL, refuse UPDATE and DELETE on ledger rows in the database itself.

The models already refuse both, but a raw query, a bulk update or a console session must not be
able to rewrite history either: time banks' worst bugs came from edits behind the ledger's back.
TRUNCATE (used only to empty a test database) is not affected.
"""

from django.db import migrations

TABLES = ["coproduction_transaction", "coproduction_posting"]

CREATE = """
CREATE OR REPLACE FUNCTION coproduction_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The time-credit ledger is append-only: post a reversing transaction instead';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION coproduction_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS coproduction_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("coproduction", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
