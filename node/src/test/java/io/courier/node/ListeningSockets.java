package io.courier.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets a process listens on, read from outside it as the kernel reports them: its open
 * file descriptors ({@code /proc/<pid>/fd}, links to {@code socket:[inode]}) matched with the LISTEN
 * entries of {@code /proc/net/tcp} and {@code /proc/net/tcp6}. No tool ({@code ss}, {@code netstat})
 * is needed, and nothing the process says about itself is believed.
 */
final class ListeningSockets {
  /** One listening socket: the address it is bound to (0.0.0.0 or :: for every interface) and its port. */
  record Listener(InetAddress address, int port) {
    boolean anyInterface() {
      return address.isAnyLocalAddress();
    }

    @Override
    public String toString() {
      return address.getHostAddress() + ":" + port;
    }
  }

  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  static List<Listener> of(long pid) {
    Set<String> inodes = socketInodes(pid);
    List<Listener> out = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(table));
      } catch (IOException e) {
        continue; // no IPv6 on this kernel
      }
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
        if (f.length > 9 && LISTEN.equals(f[3]) && inodes.contains(f[9])) {
          String[] hostPort = f[1].split(":");
          out.add(new Listener(address(hostPort[0]), Integer.parseInt(hostPort[1], 16)));
        }
      }
    }
    return out;
  }

  private static Set<String> socketInodes(long pid) {
    Set<String> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor was closed while we listed them
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list the descriptors of process " + pid + ": " + e, e);
    }
    return inodes;
  }

  /**
   * The kernel prints an address as 32-bit words in host byte order, each in hex: "0100007F" is
   * 127.0.0.1 on a little-endian machine. An IPv4 address on a dual-stack socket appears in tcp6 as
   * ::ffff:a.b.c.d, which {@link InetAddress} turns back into the IPv4 address.
   */
  static InetAddress address(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int from = word * 4 + (little ? 3 - i : i);
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(from * 2, from * 2 + 2), 16);
      }
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + hex, e);
    }
  }
}
