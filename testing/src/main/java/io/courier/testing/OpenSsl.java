package io.courier.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keys and certificates made at test time with the {@code openssl} command line, so no private key
 * is ever committed. A machine without openssl fails the tests that need it with a clear message
 * (they are not skipped).
 */
public final class OpenSsl {
  private OpenSsl() {}

  /** A PKCS#8 private key and a self-signed certificate for it, valid for 127.0.0.1 and localhost. */
  public record KeyAndCert(Path key, Path cert) {}

  /**
   * A self-signed certificate in {@code dir}. {@code ec}: an EC P-256 key, else RSA 2048. The key is
   * unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), as OpenSSL 3 writes it.
   */
  public static KeyAndCert selfSigned(Path dir, String name, boolean ec) {
    Path key = dir.resolve(name + "-key.pem");
    Path cert = dir.resolve(name + "-cert.pem");
    List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", ec ? "ec" : "rsa:2048"));
    if (ec) {
      cmd.addAll(List.of("-pkeyopt", "ec_paramgen_curve:P-256"));
    }
    cmd.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"));
    run(dir, cmd);
    return new KeyAndCert(key, cert);
  }

  /** A certificate authority: its key and self-signed certificate. */
  public record Ca(Path key, Path cert) {}

  /** A new CA (EC P-256) in {@code dir}, named {@code name}. */
  public static Ca ca(Path dir, String name) {
    Path key = dir.resolve(name + "-ca-key.pem");
    Path cert = dir.resolve(name + "-ca-cert.pem");
    run(dir, List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name + " CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
    return new Ca(key, cert);
  }

  /**
   * A key and a certificate for {@code name} signed by {@code ca}, usable as TLS server and client
   * (valid for 127.0.0.1 and localhost).
   */
  public static KeyAndCert signed(Path dir, Ca ca, String name) {
    Path key = dir.resolve(name + "-key.pem");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + "-cert.pem");
    Path ext = dir.resolve(name + ".ext");
    try {
      Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
          + "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    run(dir, List.of("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name));
    run(dir, List.of("openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(),
        "-CAkey", ca.key().toString(), "-CAcreateserial", "-out", cert.toString(), "-days", "2",
        "-extfile", ext.toString()));
    return new KeyAndCert(key, cert);
  }

  /** Runs an openssl command in {@code dir}; fails with its output when it does not exit 0 within a minute. */
  public static String run(Path dir, List<String> cmd) {
    try {
      Path log = Files.createTempFile(dir, "openssl", ".log");
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("openssl did not finish within 60 s: " + cmd);
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("openssl failed (" + p.exitValue() + "): " + cmd + "\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run openssl (is it installed? these tests need it): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
