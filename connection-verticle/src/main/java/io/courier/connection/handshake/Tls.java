package io.courier.connection.handshake;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS of the gateway's server from {@code COURIER_TLS_CERT_FILE} and {@code COURIER_TLS_KEY_FILE}
 * (PEM). With both set the port serves TLS only: wss:// for the WebSocket, https:// for everything
 * else on it. The files are read once, when the server starts.
 */
public final class Tls {
  private Tls() {}

  /** True when TLS is configured; throws with the setting's name when it is half configured or unreadable. */
  public static boolean check(CourierConfig cfg) {
    boolean cert = cfg.isSet(ConfigKeys.TLS_CERT_FILE);
    boolean key = cfg.isSet(ConfigKeys.TLS_KEY_FILE);
    if (cert != key) {
      throw new IllegalArgumentException("TLS needs both " + ConfigKeys.TLS_CERT_FILE.env() + " and "
          + ConfigKeys.TLS_KEY_FILE.env() + " (only " + (cert ? ConfigKeys.TLS_CERT_FILE : ConfigKeys.TLS_KEY_FILE).env()
          + " is set)");
    }
    if (!cert) {
      return false;
    }
    for (io.courier.protocol.Setting s : new io.courier.protocol.Setting[] {ConfigKeys.TLS_CERT_FILE, ConfigKeys.TLS_KEY_FILE}) {
      Path p = cfg.getPath(s);
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new IllegalArgumentException(s.env() + ": no readable file at " + p);
      }
    }
    return true;
  }

  /** Turns TLS on in {@code options} when it is configured. */
  public static void configure(HttpServerOptions options, CourierConfig cfg) {
    if (check(cfg)) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(cfg.getPath(ConfigKeys.TLS_CERT_FILE).toString())
          .setKeyPath(cfg.getPath(ConfigKeys.TLS_KEY_FILE).toString()));
    }
  }
}
