"""Operations: running the instance — backup, restore and its verification (``onewindow backup`` /
``onewindow restore``), and the health check (``/healthz``). In the edge row: it reads every app's
tables and records in the audit log, and nothing imports it but the URL table."""
