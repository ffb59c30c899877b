import pytest

from sso.tests.oidc_provider import OidcProvider

CLIENT_ID = "chirp-tests"
CLIENT_SECRET = "chirp-tests-client-secret"
MODERATORS = "chirp-moderators"


@pytest.fixture(scope="session")
def oidc_provider():
    """One real OpenID provider process for the whole run."""
    provider = OidcProvider().start()
    yield provider
    provider.close()


@pytest.fixture
def oidc(oidc_provider, settings, db):
    """Chirp configured for the provider, as an operator would (settings from the environment)."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_MODERATOR_GROUPS = [MODERATORS]
    return oidc_provider
