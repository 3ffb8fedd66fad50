package io.courier.delivery.store;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;

/**
 * The room settings, read and checked once.
 *
 * @param maxRoomsPerUser rooms one user may be in
 * @param maxMembers      members one room may have (and so recipients of one room send)
 * @param fanoutChunk     member inboxes written per store call of a room send
 * @param fanoutParallelism chunks of one room send in flight at once
 * @param sendsInFlight   room sends one delivery verticle fans out at once
 * @param opTimeoutMs     how long one store call may take (as for the message store)
 * @param busTimeoutMs    how long the gateway waits for a send's answer
 */
public record RoomSettings(int maxRoomsPerUser, int maxMembers, int fanoutChunk, int fanoutParallelism,
                           int sendsInFlight, long opTimeoutMs, long busTimeoutMs) {

  public static RoomSettings from(CourierConfig cfg) {
    return new RoomSettings(
        atLeast(cfg, ConfigKeys.MAX_ROOMS_PER_USER, 1, Integer.MAX_VALUE),
        atLeast(cfg, ConfigKeys.MAX_ROOM_MEMBERS, 1, Integer.MAX_VALUE),
        atLeast(cfg, ConfigKeys.ROOM_FANOUT_CHUNK, 1, 10_000),
        atLeast(cfg, ConfigKeys.ROOM_FANOUT_PARALLELISM, 1, 64),
        atLeast(cfg, ConfigKeys.ROOM_SENDS_IN_FLIGHT, 1, 64),
        StoreSettings.from(cfg).opTimeoutMs(),
        cfg.getLong(ConfigKeys.BUS_TIMEOUT_MS));
  }

  private static int atLeast(CourierConfig cfg, io.courier.protocol.Setting s, int min, int max) {
    long v = cfg.getLong(s);
    if (v < min || v > max) {
      throw new IllegalArgumentException(s.env() + " must be " + min + "-" + max + ", got " + v);
    }
    return (int) v;
  }
}
