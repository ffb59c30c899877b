from django.urls import path, re_path

from scim import views

app_name = "scim"

urlpatterns = [
    path("v2/Users", views.UsersView.as_view(), name="users"),
    path("v2/Users/<str:user_id>", views.UserView.as_view(), name="user"),
    path(
        "v2/ServiceProviderConfig", views.ServiceProviderConfigView.as_view(), name="service-provider-config"
    ),
    path("v2/Schemas", views.SchemasView.as_view(), name="schemas"),
    path("v2/ResourceTypes", views.ResourceTypesView.as_view(), name="resource-types"),
    re_path(r"^.*$", views.NotFoundView.as_view()),
]
