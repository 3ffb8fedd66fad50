package io.courier.tokens;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Where the JWT secret comes from: COURIER_JWT_SECRET if set, else the file named by
 * COURIER_JWT_SECRET_FILE, created with a fresh random secret (owner-only) when absent. The file
 * lets `courier token` on the same machine sign tokens the node accepts, with nothing configured.
 * A secret shorter than {@link #MIN_HS256_SECRET_BYTES} bytes is refused here, with the name
 * of the setting or file it came from, so neither a node nor `courier token` ever signs or verifies
 * with it.
 */
public final class Secrets {
  /** The secret and whether it was generated just now (the caller warns loudly). */
  public record Resolved(String secret, Path file, boolean generated) {}

  /**
   * Below this, an HS256 secret is refused: RFC 7518 §3.2 asks for a key of at least the hash's
   * size (256 bits). Every holder of a token can try secrets offline against it, and admin tokens are
   * signed with the same secret, so a short one is a cluster-wide risk.
   */
  public static final int MIN_HS256_SECRET_BYTES = 32;

  private Secrets() {}

  /**
   * Refuses an HS256 secret of fewer than {@link #MIN_HS256_SECRET_BYTES} bytes (its UTF-8 bytes are
   * the HMAC key), naming {@code where} it came from. Never prints the secret.
   */
  public static void checkSecret(String secret, String where) {
    int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
    if (bytes < MIN_HS256_SECRET_BYTES) {
      throw new IllegalArgumentException(where + " is " + bytes + " bytes; an HS256 secret needs at least "
          + MIN_HS256_SECRET_BYTES + " bytes (RFC 7518, section 3.2). Generate one with: openssl rand -base64 48");
    }
  }

  public static Resolved resolve(CourierConfig cfg) {
    if (cfg.isSet(ConfigKeys.JWT_SECRET)) {
      String secret = cfg.get(ConfigKeys.JWT_SECRET);
      checkSecret(secret, ConfigKeys.JWT_SECRET.env());
      return new Resolved(secret, null, false);
    }
    Path file = cfg.getPath(ConfigKeys.JWT_SECRET_FILE);
    try {
      if (Files.isRegularFile(file)) {
        String s = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (s.isEmpty()) {
          throw new IllegalStateException("the JWT secret file " + file + " is empty");
        }
        checkSecret(s, "the secret in " + ConfigKeys.JWT_SECRET_FILE.env() + " (" + file + ")");
        return new Resolved(s, file, false);
      }
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".jwt-secret", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // Non-POSIX file systems keep their default permissions.
      }
      Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
      try {
        // Atomic, and refuses to replace a secret another process created meanwhile.
        Files.move(tmp, file);
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        Files.deleteIfExists(tmp);
        return resolve(cfg);
      }
      return new Resolved(secret, file, true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or create the JWT secret file " + file + ": " + e.getMessage(), e);
    }
  }
}
