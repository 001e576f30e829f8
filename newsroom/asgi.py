"""The ASGI entry point (gunicorn newsroom.asgi). It refuses to start with DEBUG off and no
SECRET_KEY in the environment (``newsroom.checks``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_asgi_application()

from newsroom.checks import refuse_to_serve_without_secret_key  # noqa: E402

refuse_to_serve_without_secret_key()
