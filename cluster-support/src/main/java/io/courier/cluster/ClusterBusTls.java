package io.courier.cluster;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.Setting;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.List;

/**
 * TLS with mutual authentication on the clustered event bus, from {@code COURIER_CLUSTER_TLS_CERT_FILE},
 * {@code _KEY_FILE} and {@code _CA_FILE} (PEM). With all three set, a node listens for bus
 * connections with TLS, asks every peer for a certificate and accepts only one signed by the CA; when
 * it connects to a peer it presents its own and accepts only a peer certificate signed by the same CA.
 * Peers are not matched by host name: membership is "holds a certificate of this CA", so the CA
 * must sign bus certificates for this cluster and nothing else.
 *
 * <p>All three or none: half a configuration (or a file that cannot be read or holds no PEM of the
 * expected kind) stops the node before it joins, with the setting's name in the message.
 */
public final class ClusterBusTls {
  private static final List<Setting> ALL = List.of(ConfigKeys.CLUSTER_TLS_CERT_FILE, ConfigKeys.CLUSTER_TLS_KEY_FILE,
      ConfigKeys.CLUSTER_TLS_CA_FILE);

  private ClusterBusTls() {}

  /** True when bus TLS is configured; throws naming the setting when it is partial, unreadable or not PEM. */
  public static boolean check(CourierConfig cfg) {
    List<Setting> set = ALL.stream().filter(cfg::isSet).toList();
    if (set.isEmpty()) {
      return false;
    }
    if (set.size() < ALL.size()) {
      List<String> missing = ALL.stream().filter(s -> !cfg.isSet(s)).map(Setting::env).toList();
      throw new IllegalArgumentException("event-bus TLS needs " + ALL.stream().map(Setting::env).toList()
          + " together; " + String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " not set");
    }
    certificates(cfg, ConfigKeys.CLUSTER_TLS_CERT_FILE);
    certificates(cfg, ConfigKeys.CLUSTER_TLS_CA_FILE);
    String key = read(cfg, ConfigKeys.CLUSTER_TLS_KEY_FILE);
    if (!key.contains("PRIVATE KEY-----")) {
      throw new IllegalArgumentException(ConfigKeys.CLUSTER_TLS_KEY_FILE.env() + ": no PEM private key in "
          + cfg.getPath(ConfigKeys.CLUSTER_TLS_KEY_FILE));
    }
    return true;
  }

  /** Turns mutual TLS on in {@code bus} when it is configured. */
  static void configure(EventBusOptions bus, CourierConfig cfg) {
    if (!check(cfg)) {
      return;
    }
    bus.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(cfg.getPath(ConfigKeys.CLUSTER_TLS_CERT_FILE).toString())
            .setKeyPath(cfg.getPath(ConfigKeys.CLUSTER_TLS_KEY_FILE).toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(cfg.getPath(ConfigKeys.CLUSTER_TLS_CA_FILE).toString()))
        .setClientAuth(ClientAuth.REQUIRED);
  }

  private static void certificates(CourierConfig cfg, Setting s) {
    read(cfg, s);
    Path p = cfg.getPath(s);
    try (InputStream in = Files.newInputStream(p)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new IllegalArgumentException(s.env() + ": no PEM certificate in " + p);
      }
    } catch (CertificateException | IOException e) {
      throw new IllegalArgumentException(s.env() + ": no PEM certificate in " + p + " (" + e.getMessage() + ")", e);
    }
  }

  private static String read(CourierConfig cfg, Setting s) {
    Path p = cfg.getPath(s);
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new IllegalArgumentException(s.env() + ": no readable file at " + p);
    }
    try {
      return Files.readString(p, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException(s.env() + ": cannot read " + p + " (" + e.getMessage() + ")", e);
    }
  }
}
