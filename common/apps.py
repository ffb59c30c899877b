from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Neutral helpers every layer may use (domain errors, query and admin helpers); no tables."""

    name = "common"
