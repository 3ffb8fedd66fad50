package io.courier.node;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client that does the handshake by hand and then stays silent: it never answers
 * pings. It models a client that vanished without closing, which only the server's idle timeout
 * can detect.
 */
final class RawWebSocket implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;

  RawWebSocket(int port, String token) throws IOException {
    socket = new Socket("127.0.0.1", port);
    OutputStream out = socket.getOutputStream();
    String req = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Authorization: Bearer " + token + "\r\n\r\n";
    out.write(req.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    in = new DataInputStream(socket.getInputStream());
    String status = readLine();
    if (!status.contains(" 101 ")) {
      throw new IOException("handshake refused: " + status);
    }
    while (!readLine().isEmpty()) {
      // skip headers
    }
  }

  /** Sends a (masked, as clients must) WebSocket ping frame. */
  void sendPing() throws IOException {
    byte[] mask = {1, 2, 3, 4};
    byte[] payload = "hi".getBytes(StandardCharsets.US_ASCII);
    OutputStream out = socket.getOutputStream();
    out.write(0x89);
    out.write(0x80 | payload.length);
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    out.flush();
  }

  /** True if the server has not closed the connection (reads what is waiting, briefly). */
  boolean openAfter(Duration window) throws IOException {
    try {
      awaitCloseCode(window);
      return false;
    } catch (AssertionError stillOpen) {
      return true;
    }
  }

  private String readLine() throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  /** Reads server frames (ignoring them) until a close frame; returns its code, failing after {@code timeout}. */
  int awaitCloseCode(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      socket.setSoTimeout(left);
      try {
        int b0 = in.readUnsignedByte();
        int len = in.readUnsignedByte() & 0x7f;
        if (len == 126) {
          len = in.readUnsignedShort();
        } else if (len == 127) {
          len = (int) in.readLong();
        }
        byte[] payload = new byte[len];
        in.readFully(payload);
        if ((b0 & 0x0f) == 0x8) {
          return len >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no close frame within " + timeout);
      } catch (EOFException e) {
        return 1006;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
