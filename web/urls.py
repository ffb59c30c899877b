from django.urls import path

from web import views

# `id` (api.converters.IdConverter, registered by config.urls): a number past 64 bits names nothing,
# so its route does not match and the page is the usual "not found", as under /api/.

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
    path("latest/", views.latest, name="latest"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/<str:uid>/<str:token>/", views.password_reset_link, name="password-reset-link"),
    path("password-reset/<str:uid>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("compose/", views.compose, name="compose"),
    path("tweets/<id:tweet_id>/", views.thread, name="thread"),
    path("tweets/<id:tweet_id>/edit/", views.edit, name="edit"),
    path("tweets/<id:tweet_id>/history/", views.history, name="history"),
    path("tags/<str:tag>/", views.tag, name="tag"),
    path("tweets/<id:tweet_id>/like/", views.like, name="like"),
    path("tweets/<id:tweet_id>/unlike/", views.unlike, name="unlike"),
    path("tweets/<id:tweet_id>/delete/", views.delete, name="delete"),
    path("tweets/<id:tweet_id>/report/", views.report, name="report"),
    path("search/", views.search_page, name="search"),
    path("people/", views.directory, name="people"),
    path("people/suggest/", views.suggest, name="suggest"),
    path("people/<id:user_id>/", views.profile, name="profile"),
    path("people/<id:user_id>/follow/", views.follow, name="follow"),
    path("people/<id:user_id>/unfollow/", views.unfollow, name="unfollow"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/name/", views.settings_name, name="settings-name"),
    path("settings/profile/", views.settings_profile, name="settings-profile"),
    path("settings/avatar/", views.settings_avatar, name="settings-avatar"),
    path("settings/password/", views.settings_password, name="settings-password"),
    path("settings/locale/", views.settings_locale, name="settings-locale"),
    path("settings/notifications/", views.settings_notifications, name="settings-notifications"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/unread/", views.notifications_unread, name="notifications-unread"),
    path("settings/api-key/", views.settings_api_key, name="settings-api-key"),
]
