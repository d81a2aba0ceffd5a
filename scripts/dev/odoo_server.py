"""Odoo's command line as a script file, for the prefork server.

`python -m odoo` serves well with threads, but with --workers Odoo starts its
long-polling process by running its own sys.argv[0] again, which must then be a script.

With ODOO_LISTEN=host:port in the environment, the HTTP socket is opened here, with a
listen queue of ODOO_LISTEN_BACKLOG connections (1024 by default), and handed to Odoo
the way systemd's socket activation hands it (LISTEN_FDS, LISTEN_PID, descriptor 3).
This is what an `odoo.socket` unit does in production (docs/deployment.md). Odoo's own
socket queues only 8 connections per HTTP worker. When a burst overflows that queue, new
connections wait for the kernel's SYN retries (1, 2, 4, 8 s...) instead of their turn.
"""

import os
import socket

SD_LISTEN_FDS_START = 3


def activate_socket(address, backlog):
    host, port = address.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, int(port)))
    sock.listen(backlog)
    # the lowest free descriptor: 3 unless the caller left one open
    if sock.fileno() != SD_LISTEN_FDS_START:
        raise SystemExit(f"descriptor {SD_LISTEN_FDS_START} is taken: cannot hand the socket over")
    sock.detach()  # the descriptor stays open for Odoo
    os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))


if __name__ == "__main__":
    # popped: the long-polling process, started again from this script, must not see them
    listen = os.environ.pop("ODOO_LISTEN", None)
    backlog = int(os.environ.pop("ODOO_LISTEN_BACKLOG", "1024"))
    if listen:
        # before Odoo is imported, so that descriptor 3 is still free
        activate_socket(listen, backlog)

    import odoo.cli

    odoo.cli.main()
