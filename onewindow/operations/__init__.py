"""Operations: running the instance — backup, restore and its verification (``onewindow backup`` /
``onewindow restore``), the health check (``/healthz``), and serving (``onewindow serve``: the port
check ``ports``, the warm-up and HEAD handling ``serving``/``warm``, the embedded background worker
``embedded_worker`` and its gunicorn hooks). In the edge row: it reads every app's tables and records in
the audit log; only the URL table and the ``onewindow`` command import it."""
