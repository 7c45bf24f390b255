"""Is the port free? Asked by ``onewindow serve`` and by ``make run`` before it migrates.

Standard library only, so ``make run`` can ask with the system Python before the virtual environment
exists: ``python3 -m onewindow.operations.ports HOST PORT`` exits 0 when the port is free and 2 (with
the message below, in Chinese and English) when something already listens there.
"""

from __future__ import annotations

import errno
import socket
import sys


def port_free(host: str, port: int) -> bool:
    """True when a server could bind ``host:port`` now (as gunicorn will, with SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def busy_message(host: str, port: int) -> str:
    return (
        f"端口 {port} 已被占用（{host}:{port} 上已有程序在监听），一窗通办无法启动。\n"
        f"  换一个端口：PORT=8001 make run   或   onewindow serve --port 8001\n"
        f"Port {port} is already in use (something listens on {host}:{port}); OneWindow cannot start there.\n"
        f"  Choose another port: PORT=8001 make run   or   onewindow serve --port 8001\n"
        f"  (or stop the other server: it may be an earlier `make run` still running)"
    )


def main(argv: list[str]) -> int:
    host, port = (argv[0], int(argv[1])) if len(argv) == 2 else ("127.0.0.1", 8000)
    if port_free(host, port):
        return 0
    print(busy_message(host, port), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
