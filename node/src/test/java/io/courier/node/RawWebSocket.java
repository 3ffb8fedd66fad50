package io.courier.node;

import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client that does the handshake by hand over a plain socket and then does only what
 * the test says: it never answers pings by itself, it can stop reading, and it can send any frame
 * (bad opcodes, unmasked, invalid UTF-8, fragments). It models clients that vanish, stall or
 * misbehave. Blocking; for the test thread only.
 */
final class RawWebSocket implements AutoCloseable {
  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** One server frame. */
  record Frame(int opcode, boolean fin, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};

  RawWebSocket(int port, String token) throws IOException {
    this(port, "/ws", token, 0);
  }

  /** {@code receiveBuffer} > 0 sets SO_RCVBUF before connecting (a small window for a client that stops reading). */
  RawWebSocket(int port, String path, String token, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
    out.write(req.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    in = new DataInputStream(socket.getInputStream());
    // Generous: on a machine shared with other builds a handshake can take seconds.
    socket.setSoTimeout(30_000);
    String status = readLine();
    if (!status.contains(" 101 ")) {
      throw new IOException("handshake refused: " + status);
    }
    while (!readLine().isEmpty()) {
      // skip headers
    }
  }

  /** Reads frames until the welcome and returns it. */
  JsonObject welcome() throws IOException {
    return nextJson("welcome", Duration.ofSeconds(10));
  }

  /** Sends a (masked, as clients must) WebSocket ping frame. */
  void sendPing() throws IOException {
    sendFrame(PING, true, "hi".getBytes(StandardCharsets.US_ASCII));
  }

  void sendText(String text) throws IOException {
    sendFrame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
    sendFrame(opcode, fin, 0, true, payload);
    flush();
  }

  /** Writes one frame without flushing: any opcode, RSV bits, masked or not. */
  void sendFrame(int opcode, boolean fin, int rsv, boolean masked, byte[] payload) throws IOException {
    out.write((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0f));
    int m = masked ? 0x80 : 0;
    if (payload.length < 126) {
      out.write(m | payload.length);
    } else if (payload.length < 65536) {
      out.write(m | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xff);
    } else {
      out.write(m | 127);
      long len = payload.length;
      for (int i = 7; i >= 0; i--) {
        out.write((int) (len >>> (8 * i)) & 0xff);
      }
    }
    if (masked) {
      out.write(mask);
      byte[] masked2 = new byte[payload.length];
      for (int i = 0; i < payload.length; i++) {
        masked2[i] = (byte) (payload[i] ^ mask[i % 4]);
      }
      out.write(masked2);
    } else {
      out.write(payload);
    }
  }

  void flush() throws IOException {
    out.flush();
  }

  /** The next frame, or null at end of stream; fails after {@code timeout}. */
  Frame readFrame(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    int b0;
    try {
      b0 = in.read();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no frame within " + timeout);
    } catch (SocketException e) {
      return null; // reset by the server
    }
    if (b0 < 0) {
      return null;
    }
    try {
      int b1 = in.readUnsignedByte();
      long len = b1 & 0x7f;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
    } catch (EOFException | SocketException e) {
      return null;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("frame cut short within " + timeout);
    }
  }

  /** The next JSON text frame of {@code type}, skipping every other frame; fails at a close or after {@code timeout}. */
  JsonObject nextJson(String type, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + type + " frame within " + timeout);
      }
      Frame f = readFrame(Duration.ofMillis(left));
      if (f == null) {
        throw new AssertionError("connection ended before a " + type + " frame");
      }
      if (f.opcode() == CLOSE) {
        throw new AssertionError("closed with " + f.closeCode() + " before a " + type + " frame");
      }
      if (f.opcode() == TEXT) {
        JsonObject j = new JsonObject(f.text());
        if (type.equals(j.getString("type"))) {
          return j;
        }
      }
    }
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

  /**
   * Reads server frames (ignoring them, pings unanswered) until a close frame; returns its code,
   * 1006 when the connection ended without one, failing after {@code timeout}.
   */
  int awaitCloseCode(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new AssertionError("no close frame within " + timeout);
      }
      Frame f = readFrame(Duration.ofMillis(left));
      if (f == null) {
        return 1006;
      }
      if (f.opcode() == CLOSE) {
        return f.closeCode();
      }
    }
  }

  /** Reads and drops everything until the server ends the connection; fails after {@code timeout}. */
  void awaitEnd(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new AssertionError("connection not ended within " + timeout);
      }
      if (readFrame(Duration.ofMillis(left)) == null) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
