"""PostgreSQL backend: Django's, with a health check that costs no round trip when it can.

With CONN_HEALTH_CHECKS, Django runs `SELECT 1` before the first query of every request on a
reused connection. That is a full round trip and a server wake-up on every request, a large share
of the cheapest requests' time under load.

An idle connection that is still good has nothing waiting on its socket. A server that goes away
(restart, failover, `pg_terminate_backend`, an idle timeout) sends its FATAL message and closes
the socket, which makes it readable. So: nothing readable, the connection is used as it is;
anything readable, Django's real `SELECT 1` decides, which also consumes a harmless message
(a notice) and keeps the connection.

It also refuses prepared statements through a connection pooler (see `get_new_connection`).
"""

import select

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status == pq.TransactionStatus.IDLE:
            # poll(), not select(): a busy gthread worker's descriptors can exceed FD_SETSIZE.
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN)
            if not poller.poll(0):
                return True
        return super().is_usable()

    def get_new_connection(self, conn_params):
        """Django's, refusing DB_SERVER_SIDE_BINDING=1 through a connection pooler.

        A pooler in transaction mode hands each transaction any server connection, where the
        statements psycopg prepared on another one do not exist: most requests would fail with
        errors that look like an outage. A pooler answers the start-up with a process id of its
        own, while the server reports the one actually serving the session: they differ only when
        something pools in between. One round trip per new connection (CONN_MAX_AGE keeps them).
        """
        connection = super().get_new_connection(conn_params)
        if connection.prepare_threshold is None:
            return connection
        serving = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        connection.rollback()
        if serving != connection.info.backend_pid:
            connection.close()
            raise ImproperlyConfigured(
                f"Database {self.alias!r} is reached through a connection pooler (PgBouncer?), and "
                "DB_SERVER_SIDE_BINDING=1 (the default) prepares statements that a pooler in transaction "
                "mode loses between transactions. Set DB_SERVER_SIDE_BINDING=0 behind a pooler."
            )
        return connection
