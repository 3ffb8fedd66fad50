package io.courier.node;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain TCP socket to a node over loopback, for clients that misbehave below HTTP: say nothing,
 * send a request a byte at a time, never authenticate. Test thread only (except {@link #write}).
 */
final class RawSocket implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final StringBuilder received = new StringBuilder();
  /** When the socket was connected (System.nanoTime). */
  final long openedAt;

  private RawSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.openedAt = System.nanoTime();
  }

  static RawSocket open(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new RawSocket(s);
  }

  /** Writes {@code text} (ISO-8859-1); false when the server has closed the socket. */
  boolean write(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads (keeping what arrives) until the server closes the socket (end of stream or reset) and
   * returns the milliseconds since {@link #openedAt}; -1 when it is still open after {@code waitMs}.
   */
  long awaitClosed(long waitMs) throws IOException {
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    byte[] buf = new byte[4096];
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return -1;
      }
      socket.setSoTimeout((int) Math.max(1, left));
      try {
        int n = in.read(buf);
        if (n < 0) {
          return sinceOpened();
        }
        received.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      } catch (SocketTimeoutException e) {
        return -1;
      } catch (SocketException e) {
        // A reset: the server dropped the connection.
        return sinceOpened();
      }
    }
  }

  /** Reads until what arrived contains {@code marker}; fails after {@code waitMs} or at end of stream. */
  String readUntil(String marker, long waitMs) throws IOException {
    return readUntil(marker, 1, waitMs);
  }

  /** Reads until what arrived contains {@code marker} {@code times} times (or more). */
  String readUntil(String marker, int times, long waitMs) throws IOException {
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    byte[] buf = new byte[4096];
    while (received.toString().split(java.util.regex.Pattern.quote(marker), -1).length - 1 < times) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new AssertionError("no '" + marker + "' within " + waitMs + " ms; got: " + received);
      }
      socket.setSoTimeout((int) Math.max(1, left));
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        continue;
      }
      if (n < 0) {
        throw new AssertionError("closed before '" + marker + "'; got: " + received);
      }
      received.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
    }
    return received.toString();
  }

  String received() {
    return received.toString();
  }

  long sinceOpened() {
    return (System.nanoTime() - openedAt) / 1_000_000;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
