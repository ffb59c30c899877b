"""PostgreSQL backend: Django's, with a health check that costs no round trip when it can.

With CONN_HEALTH_CHECKS, Django runs `SELECT 1` before the first query of every request on a
reused connection. That is a full round trip and a server wake-up on every request, a large share
of the cheapest requests' time under load.

An idle connection that is still good has nothing waiting on its socket. A server that goes away
(restart, failover, `pg_terminate_backend`, an idle timeout) sends its FATAL message and closes
the socket, which makes it readable. So: nothing readable, the connection is used as it is;
anything readable, Django's real `SELECT 1` decides, which also consumes a harmless message
(a notice) and keeps the connection.
"""

import select

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
