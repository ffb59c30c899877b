from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.backends.signals import connection_created


def _count_connection(sender, connection, **kwargs) -> None:
    from ops import metrics

    metrics.DB_CONNECTIONS_OPENED.inc()


def _forget_request_id(sender, **kwargs) -> None:
    from ops.logging import request_id_var

    request_id_var.set(None)


class OpsConfig(AppConfig):
    """Operability: health endpoints, Prometheus metrics, structured request logs."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        connection_created.connect(_count_connection, dispatch_uid="ops.count_connection")
        request_finished.connect(_forget_request_id, dispatch_uid="ops.forget_request_id")
