from accounts.backends import SessionUserBackend


class OidcSessionBackend(SessionUserBackend):
    """Loads the user of a session that the OpenID sign-in opened (sso.views); checks no password.

    Django keeps the backend that signed a session in; loading the user later goes through it,
    which refuses deactivated accounts like the password backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None
