from rest_framework import serializers

from api.fields import StrictBooleanField, StrictCharField
from api.pagination import PageNumberPagination, page_envelope_serializer
from api.serializers import StrictSerializer


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    followers = UserRefSerializer(many=True)
    following = UserRefSerializer(many=True)
    username = serializers.CharField(help_text="The login name.")
    avatar = serializers.CharField(
        help_text=(
            "URL of the person's avatar for <img src>: their photo (96 px square), or a generated "
            "image of their initials."
        )
    )
    bio = serializers.CharField(help_text="A short text about the person; may be empty.")
    title = serializers.CharField(help_text="Job title; may be empty. A directory (SCIM) may set it.")
    department = serializers.CharField(help_text="Department; may be empty. A directory (SCIM) may set it.")


class ProfileEnvelopeSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    user = ProfileSerializer()


class MyProfileSerializer(ProfileSerializer):
    language = serializers.CharField(
        help_text="The web pages' language chosen in Settings (`en`, `ru`); empty: the browser's."
    )
    time_zone = serializers.CharField(
        help_text="The time zone the web pages show times in (IANA name); empty: the browser's."
    )


class MyProfileEnvelopeSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    user = MyProfileSerializer()


# --- Login and tokens -----------------------------------------------------------------
class LoginSerializer(StrictSerializer):
    username = StrictCharField(required=False, help_text="Your username; or send `email` instead.")
    email = StrictCharField(required=False, help_text="Your email address; or send `username` instead.")
    password = StrictCharField(trim_whitespace=False, write_only=True)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if ("username" in attrs) == ("email" in attrs):
            raise serializers.ValidationError("Send either `username` or `email`, with `password`.")
        return attrs


class RefreshSerializer(StrictSerializer):
    refresh = StrictCharField(help_text="A refresh token from login or a previous refresh.")


class TokenPairSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`; short-lived.")
    refresh = serializers.CharField(help_text="Spend at POST /api/auth/token/refresh (once) for a new pair.")


class PasswordResetSerializer(StrictSerializer):
    email = StrictCharField(max_length=254, help_text="The email address of your Chirp account.")


class PasswordResetConfirmSerializer(StrictSerializer):
    uid = StrictCharField(max_length=64, help_text="The `uid` part of the link in the email.")
    token = StrictCharField(max_length=64, help_text="The `token` part of the link in the email.")
    password = StrictCharField(trim_whitespace=False, write_only=True, help_text="The new password.")


# --- Self-service ---------------------------------------------------------------------
class MeUpdateSerializer(StrictSerializer):
    name = StrictCharField(required=False, max_length=150)
    bio = StrictCharField(required=False, allow_blank=True, max_length=500)
    title = StrictCharField(required=False, allow_blank=True, max_length=150)
    department = StrictCharField(required=False, allow_blank=True, max_length=150)
    language = StrictCharField(
        required=False, allow_blank=True, max_length=10, help_text="`en`, `ru`, or empty: the browser's."
    )
    time_zone = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="An IANA time zone name such as `Europe/Berlin`, or empty: the browser's.",
    )
    password = StrictCharField(
        required=False, trim_whitespace=False, write_only=True, help_text="A new password."
    )
    current_password = StrictCharField(
        required=False, trim_whitespace=False, write_only=True, help_text="Required with `password`."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "password" in attrs and "current_password" not in attrs:
            raise serializers.ValidationError({"current_password": ["Required to change the password."]})
        return attrs


class ApiKeySerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    api_key = serializers.CharField(help_text="Shown only this once; the previous key no longer works.")


# --- Directory and administration ---------------------------------------------------
class DirectoryUserSerializer(serializers.Serializer):
    """A directory row; the account fields are only present for staff."""

    STAFF_FIELDS = ("username", "email", "is_active", "is_staff", "suspended_until")

    id = serializers.IntegerField()
    name = serializers.CharField()
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    followed_by_me = serializers.BooleanField()
    username = serializers.CharField(required=False, help_text="Staff only.")
    email = serializers.CharField(required=False, help_text="Staff only.")
    is_active = serializers.BooleanField(required=False, help_text="Staff only.")
    is_staff = serializers.BooleanField(required=False, help_text="Staff only.")
    suspended_until = serializers.DateTimeField(required=False, allow_null=True, help_text="Staff only.")

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            for field in self.STAFF_FIELDS:
                self.fields.pop(field)


DirectoryPageSerializer = page_envelope_serializer(
    "DirectoryPageSerializer", "users", DirectoryUserSerializer(many=True)
)


class DirectoryQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Part of the name or username."
    )
    include_inactive = serializers.BooleanField(
        required=False, default=False, help_text="Staff only: list deactivated users too."
    )
    page = serializers.IntegerField(required=False, min_value=1, help_text="1-based page number.")
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=PageNumberPagination.max_page_size
    )


class AccountSerializer(serializers.Serializer):
    """A user as administrators see it. Never the password hash or key digests."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    is_active = serializers.BooleanField()
    is_staff = serializers.BooleanField()
    suspended_until = serializers.DateTimeField(allow_null=True)
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


class AccountEnvelopeSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    user = AccountSerializer()


class AccountCreatedSerializer(AccountEnvelopeSerializer):
    api_key = serializers.CharField(help_text="The new user's api key, shown only this once.")


class UserCreateSerializer(StrictSerializer):
    name = StrictCharField(max_length=150)
    email = serializers.EmailField()
    username = StrictCharField(
        required=False,
        max_length=150,
        help_text="Default: from name.",
    )
    password = StrictCharField(
        required=False, trim_whitespace=False, write_only=True, help_text="Default: none (api key only)."
    )
    # The account rules (username or email taken, password strength) are accounts.services'
    # user_create_check, which user_create runs for every door.


class UserAdminUpdateSerializer(StrictSerializer):
    name = StrictCharField(required=False, max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_active = StrictBooleanField(required=False, help_text="false deactivates, true reactivates.")
    is_staff = StrictBooleanField(required=False)
    password = StrictCharField(
        required=False, trim_whitespace=False, write_only=True, help_text="Set a new password."
    )
