"""gunicorn's logger, without the access log nobody reads.

gunicorn decides that access logging is on whenever a logging configuration is given
(`logconfig_dict`, which gunicorn.conf.py sets so that its own lines are JSON), and then builds
each request's log atoms (a dozen header lookups and a date format) only for the `gunicorn.access`
logger, which has no handler, to drop them: a measurable share of a small request's CPU. The app
logs one line per request itself (ops/middleware.py); here access logging is on only when an
access log is actually asked for (`--access-logfile`).
"""

from gunicorn import glogging


class Logger(glogging.Logger):
    # The public property gunicorn's workers and access() read before building a request's atoms
    # (a property of the `logger_class` gunicorn lets a configuration choose), not the private
    # method behind gunicorn's own.
    @property
    def access_log_enabled(self) -> bool:
        return bool(self.cfg.accesslog) or (
            bool(self.cfg.syslog) and not self.cfg.disable_redirect_access_to_syslog
        )
