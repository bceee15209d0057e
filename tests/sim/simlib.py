"""simlib: what every simulator in tests/sim/ shares with the tests."""
import os
import signal


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
