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

  public static String next() {
    byte[] b = new byte[9];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
