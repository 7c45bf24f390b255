"""The league-scale benchmark (``bench/scale_bench.py``), in parts: databases and COPY (``db``), the
league (``league``), residents (``people``), cases and their timelines (``timeline``, ``cases``), the
measurements (``measure``) and the Markdown report (``report``)."""
