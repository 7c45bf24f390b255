"""The WSGI application ``onewindow serve`` hands to gunicorn (``--preload``): Django's, warmed up before
gunicorn binds the port and says "Listening at", answering HEAD as GET without the body
(:mod:`onewindow.operations.serving`). Importing this module does the warm-up.
"""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

from onewindow.operations.serving import HeadAsGet, log, warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
application = HeadAsGet(get_wsgi_application())
log.info("Warmed up in %.1f s (URLs, views, templates) before listening", warm_up())
# Everything loaded so far lives as long as the process: moved out of the collector's reach, a full
# collection in a worker no longer walks it, and the forked workers do not write to (and copy) those
# pages when the collector marks them (Python's gc.freeze, for servers that fork after loading).
gc.freeze()
