"""GET /api/auth/methods: how people sign in to this Chirp, for clients that draw a sign-in screen."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from sso import provider


class OidcMethodSerializer(serializers.Serializer):
    button = serializers.CharField(help_text='The button\'s text: "Sign in with <OIDC_PROVIDER_NAME>".')
    start_url = serializers.CharField(
        help_text="Open in a browser (optionally with `?next=<path>`): the provider's sign-in, then the "
        "web client signed in."
    )


class SignInMethodsSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    password = serializers.BooleanField(
        help_text="Whether everyone may use POST /api/auth/token with a password; false when "
        "LOCAL_LOGIN is off (superusers only) and no LDAP directory checks passwords."
    )
    ldap = serializers.BooleanField(help_text="Whether directory (LDAP) usernames and passwords work there.")
    oidc = OidcMethodSerializer(allow_null=True, help_text="Single sign-on through OpenID Connect, or null.")


class SignInMethodsView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="How people sign in here: passwords, the company directory, single sign-on",
        responses={200: SignInMethodsSerializer, **error_responses()},
        examples=[
            OpenApiExample(
                "Single sign-on only",
                value={
                    "result": True,
                    "password": False,
                    "ldap": False,
                    "oidc": {"button": "Sign in with Okta", "start_url": "/sso/oidc/start/"},
                },
                response_only=True,
            )
        ],
        auth=[],
    )
    def get(self, request):
        ldap = bool(settings.LDAP_SERVER_URI)
        oidc = None
        if provider.enabled():
            oidc = {"button": provider.button_label(), "start_url": reverse("sso:oidc-start")}
        return Response(
            {"result": True, "password": settings.LOCAL_LOGIN or ldap, "ldap": ldap, "oidc": oidc}
        )
