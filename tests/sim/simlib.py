"""simlib: what every simulator in tests/sim/ shares with the tests."""
import os


def announce(port_file, port):
    """Write the port once listening, atomically: a test that sees the file
    non-empty can connect at once."""
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, port_file)


def serve(srv):
    """Serve until killed; an interrupt is a normal end."""
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
