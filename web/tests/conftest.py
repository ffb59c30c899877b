import pytest
from django.test import Client


@pytest.fixture
def signed_in(db):
    """A browser session signed in as `person` (an ApiUser from the shared cast)."""

    def make(person) -> Client:
        client = Client()
        client.force_login(person.user)
        return client

    return make


@pytest.fixture
def csrf_client():
    """A browser that, like a real one, must send the CSRF token with each form."""
    return Client(enforce_csrf_checks=True)
