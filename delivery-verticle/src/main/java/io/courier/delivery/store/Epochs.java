package io.courier.delivery.store;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * New inbox epochs. 72 random bits, so a regenerated inbox never meets its lost predecessor's name;
 * URL-safe base64 so the text is safe inside store keys (no '@', ':', '}', ' ').
 */
public final class Epochs {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Epochs() {}

  /**
   * The epoch a new inbox of {@code key} gets from a call that carries {@code seed} (itself from
   * {@link #next}): the same on every replica that runs the call, different for every key and
   * seed, as unguessable as the seed.
   */
  public static String derive(String seed, String key) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update((byte) 0);
      byte[] digest = sha.digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 9));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  public static String next() {
    byte[] b = new byte[9];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
