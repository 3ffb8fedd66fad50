package io.courier.delivery.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The (sender, client message id) pair as one key fragment. Both parts are free text, so each is
 * URL-safe base64 encoded and joined with '.', which that alphabet never produces: the fragment is
 * unambiguous and contains no '@' (Hazelcast partition separator) and no '}' (Redis hash tag end).
 */
public final class SenderIds {
  private SenderIds() {}

  public static String encode(String from, String id) {
    return b64(from) + "." + b64(id);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
