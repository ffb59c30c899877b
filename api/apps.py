from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Shared API plumbing (envelope, authentication, schema); it owns no tables."""

    name = "api"

    def ready(self) -> None:
        from api import schema  # noqa: F401  (registers the OpenAPI auth extension)
