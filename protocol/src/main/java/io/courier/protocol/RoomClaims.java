package io.courier.protocol;

import java.util.List;

/**
 * Whether a token's {@code rooms} claim covers a room id. An entry is an exact id, or a prefix
 * ending in {@code *} that covers every id starting with it ({@code "r-*"} covers {@code "r-1"} and
 * {@code "r-"}; a lone {@code "*"} covers every room). Comparison is case-sensitive, character by
 * character; there is no other wildcard.
 */
public final class RoomClaims {
  private RoomClaims() {}

  public static boolean covers(List<String> claim, String room) {
    if (claim == null || room == null) {
      return false;
    }
    for (String entry : claim) {
      if (entry == null || entry.isEmpty()) {
        continue;
      }
      if (entry.endsWith("*")) {
        if (room.startsWith(entry.substring(0, entry.length() - 1))) {
          return true;
        }
      } else if (entry.equals(room)) {
        return true;
      }
    }
    return false;
  }
}
