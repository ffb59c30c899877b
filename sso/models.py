from django.conf import settings
from django.db import models


class OidcIdentity(models.Model):
    """A person's account at an OpenID provider (issuer and subject), linked to their Chirp account.

    The subject, not the email, identifies them on later sign-ins: a provider may change an
    email, never a subject.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "OpenID identity"
        verbose_name_plural = "OpenID identities"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_once")]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class LdapIdentity(models.Model):
    """A person's directory account (their LDAP username, lower-cased), linked to their Chirp account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ldap_identities"
    )
    username = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "LDAP identity"
        verbose_name_plural = "LDAP identities"

    def __str__(self) -> str:
        return self.username
