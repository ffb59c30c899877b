from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import (
    ApiKeyView,
    FollowView,
    LoginView,
    LogoutView,
    TokenRefreshView,
    UserMeView,
    UsersView,
)
from api.exceptions import api_not_found
from feed.views import TweetsView
from media.views import MediaUploadView, serve_media
from moderation.views import ReportView, UserDetailView
from tweets.views import LikeView, TweetDetailView

# Contract paths have no trailing slash; one is tolerated for hand-written clients.
api_patterns = [
    re_path(r"^tweets/?$", TweetsView.as_view(), name="tweets"),
    re_path(r"^tweets/(?P<tweet_id>[0-9]+)/?$", TweetDetailView.as_view(), name="tweet-detail"),
    re_path(r"^tweets/(?P<tweet_id>[0-9]+)/likes/?$", LikeView.as_view(), name="tweet-likes"),
    re_path(r"^tweets/(?P<tweet_id>[0-9]+)/report/?$", ReportView.as_view(), name="tweet-report"),
    re_path(r"^auth/token/?$", LoginView.as_view(), name="auth-token"),
    re_path(r"^auth/token/refresh/?$", TokenRefreshView.as_view(), name="auth-token-refresh"),
    re_path(r"^auth/logout/?$", LogoutView.as_view(), name="auth-logout"),
    re_path(r"^users/?$", UsersView.as_view(), name="users"),
    re_path(r"^users/me/?$", UserMeView.as_view(), name="users-me"),
    re_path(r"^users/me/api-key/?$", ApiKeyView.as_view(), name="users-me-api-key"),
    re_path(r"^users/(?P<user_id>[0-9]+)/?$", UserDetailView.as_view(), name="user-detail"),
    re_path(r"^users/(?P<user_id>[0-9]+)/follow/?$", FollowView.as_view(), name="user-follow"),
    re_path(r"^medias/?$", MediaUploadView.as_view(), name="medias"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Anything else under /api/ is an enveloped 404, also with DEBUG on.
    re_path(r"^.*$", api_not_found),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    # The employees' web client; after the API and the admin, which keep their own 404s.
    path("", include("web.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(r"^media/(?P<path>.+)$", serve_media, name="media-file"))

handler400 = "api.exceptions.handler400"
handler403 = "api.exceptions.handler403"
handler404 = "api.exceptions.handler404"
handler500 = "api.exceptions.handler500"
