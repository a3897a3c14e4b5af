"""Frames of the link to the epyc run (rt/bridge/PROTOCOL.md): a little-endian u32 length,
then the body; values are a tag byte followed by their data."""

import struct

OP_SEND, OP_RECV, OP_SENDRECV, OP_BCAST, OP_REDUCE, OP_SYNC = 1, 2, 3, 4, 5, 6
REPLY_OK, REPLY_ERROR = 0, 1

TAG_NONE, TAG_BOOL, TAG_INT, TAG_FLOAT, TAG_STR, TAG_LIST = 0, 1, 2, 3, 4, 5

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1


def encode(value, out):
    """Appends `value` (None, bool, int, float, str or a list of them) to the bytearray."""
    if value is None:
        out.append(TAG_NONE)
    elif isinstance(value, bool):
        out += bytes((TAG_BOOL, int(value)))
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise OverflowError("%d does not fit in a core's 32-bit int" % value)
        out.append(TAG_INT)
        out += struct.pack("<i", value)
    elif isinstance(value, float):
        out.append(TAG_FLOAT)
        out += struct.pack("<f", value)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        out.append(TAG_STR)
        out += struct.pack("<I", len(data))
        out += data
    elif isinstance(value, (list, tuple)):
        out.append(TAG_LIST)
        out += struct.pack("<I", len(value))
        for v in value:
            encode(v, out)
    else:
        raise TypeError(
            "cannot send a %s to the cores (int, float, bool, None, str or a list of them)"
            % type(value).__name__
        )


def decode(buf, at=0):
    """(value, next offset) of the value at `at`."""
    tag = buf[at]
    at += 1
    if tag == TAG_NONE:
        return None, at
    if tag == TAG_BOOL:
        return buf[at] != 0, at + 1
    if tag == TAG_INT:
        return struct.unpack_from("<i", buf, at)[0], at + 4
    if tag == TAG_FLOAT:
        return struct.unpack_from("<f", buf, at)[0], at + 4
    if tag == TAG_STR:
        (n,) = struct.unpack_from("<I", buf, at)
        at += 4
        return bytes(buf[at:at + n]).decode("utf-8", "replace"), at + n
    if tag == TAG_LIST:
        (n,) = struct.unpack_from("<I", buf, at)
        at += 4
        items = []
        for _ in range(n):
            v, at = decode(buf, at)
            items.append(v)
        return items, at
    raise ValueError("unknown value tag %d from epyc" % tag)


def read_exact(sock, n):
    """n bytes from the socket; None if it closed first."""
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(sock):
    head = read_exact(sock, 4)
    if head is None:
        return None
    (n,) = struct.unpack("<I", head)
    return read_exact(sock, n) if n else b""


def write_frame(sock, body):
    sock.sendall(struct.pack("<I", len(body)) + bytes(body))
