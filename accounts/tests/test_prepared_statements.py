import pytest
from django.db import connection

from accounts.selectors import user_for_api_key
from accounts.services import api_key_set
from api.testing import other_connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's (psycopg's auto-prepare)"
)


def run_elsewhere(sql: str) -> None:
    """Run DDL from another connection, as `manage.py migrate` in a release job would."""
    with other_connection() as other:
        other.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_the_prepared_key_lookup_survives_a_migration_that_adds_a_column(make_user):
    """A release migrates while running workers keep their connections: their prepared lookup still works."""
    user = make_user("alice").user
    key = api_key_set(user=user)
    for _ in range(6):  # past psycopg's prepare threshold: the lookup is now a prepared statement
        assert user_for_api_key(key) == user
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%accounts_apikey%%'"
        )
        assert cursor.fetchone() == (1,)

    run_elsewhere("ALTER TABLE accounts_user ADD COLUMN added_by_a_later_release integer")
    try:
        assert user_for_api_key(key) == user
    finally:
        run_elsewhere("ALTER TABLE accounts_user DROP COLUMN added_by_a_later_release")
