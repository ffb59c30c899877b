from django.urls import path

from sso import views

app_name = "sso"

urlpatterns = [
    path("oidc/start/", views.oidc_start, name="oidc-start"),
    path("oidc/callback/", views.oidc_callback, name="oidc-callback"),
]
