"""simlib: what every simulator in tests/sim/ shares with the tests."""
import os
import signal
from http.server import ThreadingHTTPServer

# A real API takes a party's connections at once: socketserver's listen
# backlog of 5 drops the SYNs beyond it, and each dropped client waits the
# kernel's 1 s, 3 s, 7 s ... retransmits (100 servers created at once took
# 65 s on the simulator).
ThreadingHTTPServer.request_queue_size = 1024


def announce(port_file, port):
    """Write the port once listening, atomically: a test that sees the file
    non-empty can connect at once."""
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, port_file)


def _stop(signum, frame):
    raise KeyboardInterrupt


def serve(srv):
    """Serve until killed; INT, TERM and HUP alike are a normal end."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
