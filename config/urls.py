from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.avatars import initials_svg
from accounts.views import (
    ApiKeyView,
    FollowView,
    LoginView,
    LogoutView,
    PasswordResetConfirmView,
    PasswordResetView,
    TokenRefreshView,
    UserMeView,
    UsersView,
)
from api.converters import IdConverter
from api.exceptions import api_not_found
from feed.views import TweetsView
from media.views import AvatarView, MediaUploadView, serve_media
from moderation.views import ReportView, UserDetailView
from notifications.views import NotificationsView, ReadView, UnreadView
from sso.api import SignInMethodsView
from tweets.views import (
    HistoryView,
    LikeView,
    MentionSuggestionsView,
    RepliesView,
    SearchView,
    TagTweetsView,
    TweetDetailView,
)

register_converter(IdConverter, "id")


def api_path(route: str, view, name: str) -> list:
    """The contract's path, which has no trailing slash, and the same with one for hand-written clients.

    Both carry the name (metrics label requests by it); reversing it gives the contract's path, listed
    last, and the schema documents only that one (api.schema.contract_paths).
    """
    return [path(f"{route}/", view, name=name), path(route, view, name=name)]


api_patterns = [
    *api_path("tweets", TweetsView.as_view(), "tweets"),
    *api_path("tweets/<id:tweet_id>", TweetDetailView.as_view(), "tweet-detail"),
    *api_path("tweets/<id:tweet_id>/likes", LikeView.as_view(), "tweet-likes"),
    *api_path("tweets/<id:tweet_id>/report", ReportView.as_view(), "tweet-report"),
    *api_path("tweets/<id:tweet_id>/replies", RepliesView.as_view(), "tweet-replies"),
    *api_path("tweets/<id:tweet_id>/history", HistoryView.as_view(), "tweet-history"),
    *api_path("tags/<str:tag>/tweets", TagTweetsView.as_view(), "tag-tweets"),
    *api_path("search", SearchView.as_view(), "search"),
    *api_path("auth/token", LoginView.as_view(), "auth-token"),
    *api_path("auth/methods", SignInMethodsView.as_view(), "auth-methods"),
    *api_path("auth/token/refresh", TokenRefreshView.as_view(), "auth-token-refresh"),
    *api_path("auth/logout", LogoutView.as_view(), "auth-logout"),
    *api_path("auth/password-reset", PasswordResetView.as_view(), "auth-password-reset"),
    *api_path(
        "auth/password-reset/confirm", PasswordResetConfirmView.as_view(), "auth-password-reset-confirm"
    ),
    *api_path("users", UsersView.as_view(), "users"),
    *api_path("users/me", UserMeView.as_view(), "users-me"),
    *api_path("users/suggest", MentionSuggestionsView.as_view(), "users-suggest"),
    *api_path("users/me/api-key", ApiKeyView.as_view(), "users-me-api-key"),
    *api_path("users/me/avatar", AvatarView.as_view(), "users-me-avatar"),
    *api_path("users/<id:user_id>", UserDetailView.as_view(), "user-detail"),
    *api_path("users/<id:user_id>/follow", FollowView.as_view(), "user-follow"),
    *api_path("medias", MediaUploadView.as_view(), "medias"),
    *api_path("notifications", NotificationsView.as_view(), "notifications"),
    *api_path("notifications/unread", UnreadView.as_view(), "notifications-unread"),
    *api_path("notifications/read", ReadView.as_view(), "notifications-read"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Anything else under /api/ is an enveloped 404 for every method, also with DEBUG on.
    re_path(r"^.*$", api_not_found),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("avatars/initials/<str:text>-<int:colour>.svg", initials_svg, name="avatar-initials"),
    # Provisioning from a company directory (SCIM 2.0); every path answers 404 without SCIM_TOKEN.
    path("scim/", include("scim.urls")),
    # Single sign-on: the OpenID provider sends people back to /sso/oidc/callback/.
    path("sso/", include("sso.urls")),
    # The employees' web client; after the API and the admin, which keep their own 404s.
    path("", include("web.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(r"^media/(?P<path>.+)$", serve_media, name="media-file"))

handler400 = "api.exceptions.handler400"
handler403 = "api.exceptions.handler403"
handler404 = "web.views.page_not_found"
handler500 = "api.exceptions.handler500"
