#!/usr/bin/env python3
"""A Courier client written from docs/protocol.md alone: Python standard library only, no
WebSocket package, no Courier code. It plays a short conversation between two users and checks
every answer, so it doubles as a conformance check of the wire contract.

    python3 courier_raw.py --port 8080 --alice "$(bin/courier token alice)" --bob "$(bin/courier token bob)"

The tokens' subjects name the two users. Exit status 0 when every step behaved as documented.
"""
import argparse
import base64
import json
import os
import socket
import struct
import sys


class Connection:
    """One WebSocket connection: RFC 6455 client framing (masked text frames), JSON per frame."""

    def __init__(self, host, port, token, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Authorization: Bearer {token}\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("closed during handshake")
            head += chunk
        self.status = int(head.split(b"\r\n", 1)[0].split()[1])
        self.stream = self.sock.makefile("rb")

    def send(self, frame):
        data = json.dumps(frame).encode()
        mask = os.urandom(4)
        if len(data) < 126:
            header = bytes([0x81, 0x80 | len(data)])
        elif len(data) < 65536:
            header = bytes([0x81, 0x80 | 126]) + struct.pack(">H", len(data))
        else:
            header = bytes([0x81, 0x80 | 127]) + struct.pack(">Q", len(data))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        data = self.stream.read(n)
        if len(data) < n:
            raise ConnectionError("connection closed")
        return data

    def recv(self):
        """The next JSON frame; answers server pings; raises on close."""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x9:  # ping -> pong with the same payload
                mask = os.urandom(4)
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask
                                  + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
            elif opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                raise ConnectionError(f"server closed with {code}")

    def expect(self, frame_type):
        """The next frame of frame_type, skipping pushes of other types."""
        while True:
            f = self.recv()
            if f.get("type") == frame_type:
                return f

    def close(self):
        self.sock.close()


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--alice", required=True, help="token of the sender")
    ap.add_argument("--bob", required=True, help="token of the recipient")
    args = ap.parse_args()
    run_id = base64.urlsafe_b64encode(os.urandom(6)).decode()

    bob = Connection(args.host, args.port, args.bob)
    check(bob.status == 101, "bob's handshake is accepted")
    welcome = bob.expect("welcome")
    bob_id, epoch, last_seq = welcome["userId"], welcome["epoch"], welcome["lastSeq"]
    check(isinstance(last_seq, int) and isinstance(epoch, str), "welcome carries lastSeq and epoch")

    alice = Connection(args.host, args.port, args.alice)
    alice_id = alice.expect("welcome")["userId"]

    ids = [f"{run_id}-{i}" for i in range(3)]
    for i, mid in enumerate(ids):
        alice.send({"type": "send", "id": mid, "to": bob_id, "body": {"n": i}})
    sent = [alice.expect("sent") for _ in ids]
    check([s["id"] for s in sent] == ids, "alice gets sent for each id, in order")

    pushed = [bob.expect("msg") for _ in ids]
    seqs = [m["seq"] for m in pushed]
    check(seqs == list(range(last_seq + 1, last_seq + 4)), f"bob gets seqs {seqs} in order, no gaps")
    check([m["body"]["n"] for m in pushed] == [0, 1, 2], "bodies arrive intact, in send order")
    check(all(m["from"] == alice_id and m["epoch"] == epoch for m in pushed), "from and epoch are right")
    bob.send({"type": "ack", "seq": seqs[-1]})

    alice.send({"type": "send", "id": ids[0], "to": bob_id, "body": {"n": 0}})
    dup = alice.expect("sent")
    check(dup.get("dup") is True and dup["ts"] == sent[0]["ts"], "a resend is answered dup with the first ts")

    bob.send({"type": "sync", "after": last_seq, "epoch": epoch, "ref": "s1"})
    replay = []
    while True:
        f = bob.recv()
        if f["type"] == "synced":
            break
        if f["type"] == "msg":
            replay.append(f["seq"])
    check(replay == seqs and f["upTo"] == seqs[-1] and f["ref"] == "s1", "sync replays exactly the new seqs")

    alice.send({"type": "teleport", "ref": "x"})
    err = alice.expect("error")
    check(err["code"] == "bad_frame" and err["ref"] == "x", "an unknown type gets error bad_frame")
    alice.send({"type": "ping", "ref": "p"})
    check(alice.expect("pong")["ref"] == "p", "ping gets pong")

    alice.close()
    bob.close()
    print("all steps behaved as documented")


if __name__ == "__main__":
    main()
