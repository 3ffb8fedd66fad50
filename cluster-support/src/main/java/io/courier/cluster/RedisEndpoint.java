package io.courier.cluster;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How a node reaches Redis ({@code COURIER_REDIS_URL}), shared by every client a node opens to it
 * (the message store's and the revocations'): {@code redis://[user:password@]host:port/db}, or
 * {@code rediss://} for TLS, trusting the CA in {@code COURIER_REDIS_TLS_CA_FILE} (the JVM's trust
 * store when empty) and checking the server's name against its certificate.
 *
 * <p>The password never leaves this class in clear: {@link #redacted} is the form to print, and
 * {@link #scrub} removes the password from any text (an error message) before it is logged or
 * answered. Refused credentials and a failed TLS handshake are configuration errors, not outages:
 * {@link #startFailure} turns them into a message naming the setting, and the node stops.
 */
public final class RedisEndpoint {
  private RedisEndpoint() {}

  /** True for a {@code rediss://} URL. */
  public static boolean tls(String url) {
    return url != null && url.regionMatches(true, 0, "rediss://", 0, 9);
  }

  /**
   * Applies TLS to {@code net} for a {@code rediss://} URL (the Redis client itself does not turn it
   * on from the scheme). Throws, naming the setting, when the CA file cannot be read.
   */
  public static NetClientOptions configure(NetClientOptions net, CourierConfig cfg) {
    String url = cfg.get(ConfigKeys.REDIS_URL);
    if (!tls(url)) {
      return net;
    }
    net.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
    if (cfg.isSet(ConfigKeys.REDIS_TLS_CA_FILE)) {
      Path ca = cfg.getPath(ConfigKeys.REDIS_TLS_CA_FILE);
      if (!Files.isRegularFile(ca) || !Files.isReadable(ca)) {
        throw new IllegalArgumentException(ConfigKeys.REDIS_TLS_CA_FILE.env() + ": no readable file at " + ca);
      }
      net.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()));
    }
    return net;
  }

  /** The password in the URL's user info, or null when it has none. */
  static String password(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return null;
    }
    String userInfo = url.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String pw = colon < 0 ? userInfo : userInfo.substring(colon + 1);
    // redis://secret@host is read by the client as a password too.
    return pw.isEmpty() ? null : pw;
  }

  /** The URL with its password replaced by {@code ***}: the only form that is ever printed. */
  public static String redacted(String url) {
    String pw = password(url);
    if (pw == null) {
      return url;
    }
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    String userInfo = url.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? "" : userInfo.substring(0, colon);
    return url.substring(0, scheme + 3) + user + ":***" + url.substring(at);
  }

  /** {@code text} with the URL's password (also URL-decoded) replaced by {@code ***}. */
  public static String scrub(String text, String url) {
    String pw = password(url);
    if (text == null || pw == null) {
      return text;
    }
    String out = text.replace(pw, "***");
    String decoded = decode(pw);
    return decoded.equals(pw) || decoded.isEmpty() ? out : out.replace(decoded, "***");
  }

  private static String decode(String s) {
    try {
      return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** Redis refused the credentials (wrong or missing password, unknown or disabled ACL user). */
  public static boolean refusedCredentials(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toUpperCase(Locale.ROOT);
      if (m.contains("WRONGPASS") || m.contains("NOAUTH") || m.contains("INVALID PASSWORD")
          || m.contains("INVALID USERNAME-PASSWORD")) {
        return true;
      }
    }
    return false;
  }

  /** The TLS handshake with Redis failed (untrusted certificate, name mismatch, not a TLS port). */
  public static boolean tlsFailed(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A configuration error in how the node reaches Redis, as the message a node stops with (the
   * setting named, the password redacted), or null when {@code err} is an outage to wait out.
   */
  public static String startFailure(Throwable err, CourierConfig cfg) {
    String url = cfg.get(ConfigKeys.REDIS_URL);
    String cause = scrub(rootMessage(err), url).replaceAll("[.\\s]+$", "");
    if (refusedCredentials(err)) {
      return "Redis refused the credentials in " + ConfigKeys.REDIS_URL.env() + " (" + redacted(url) + "): " + cause
          + "; give the password as redis://:PASSWORD@host:port/db, or redis://USER:PASSWORD@host:port/db for an ACL user";
    }
    if (tls(url) && tlsFailed(err)) {
      return "TLS with Redis failed for " + ConfigKeys.REDIS_URL.env() + " (" + redacted(url) + "): " + cause
          + "; name the CA that signed the server's certificate in " + ConfigKeys.REDIS_TLS_CA_FILE.env()
          + " and use a host name or address the certificate is for";
    }
    return null;
  }

  private static String rootMessage(Throwable err) {
    Throwable t = err;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() != null ? t.getMessage() : t.toString();
    String top = err.getMessage();
    return t == err || top == null || top.contains(m) ? String.valueOf(top != null ? top : m) : top + " (" + m + ")";
  }
}
