import pytest
from django.core import checks


@pytest.mark.django_db
def test_models_raise_no_system_check_warnings_on_the_configured_database():
    """`runserver` and `migrate` start quietly: no model index the database cannot build (W040)."""
    messages = checks.run_checks(databases=["default"], include_deployment_checks=False)

    assert [f"{message.id}: {message.msg}" for message in messages] == []
