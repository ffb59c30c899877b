"""What a worker does as it starts (config/wsgi.py), so that its first request does not."""

import os
import subprocess
import sys

from django.conf import settings


def test_the_app_module_imports_the_urlconf_and_every_view_at_start():
    """Importing the application (as each gunicorn worker does at boot) has already imported the
    URLconf and the views behind it, which the first request would otherwise wait for."""
    probe = (
        "import sys; import config.wsgi; "
        "print(all(name in sys.modules for name in ('config.urls', 'web.views', 'tweets.views')))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key.startswith(("PATH", "HOME", "LANG", "DATABASE_URL", "TMPDIR"))
    }
    env.update(DJANGO_SETTINGS_MODULE="config.test_settings", DEBUG="1", SECRET_KEY="x" * 50)
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
