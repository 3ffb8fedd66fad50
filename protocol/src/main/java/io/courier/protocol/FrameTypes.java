package io.courier.protocol;

/** Values of the {@code type} field of wire frames (protocol v1). */
public final class FrameTypes {
  private FrameTypes() {}

  // server -> client
  public static final String WELCOME = "welcome";
  public static final String MSG = "msg";
  public static final String SENT = "sent";
  public static final String SYNCED = "synced";
  public static final String ERROR = "error";
  public static final String PONG = "pong";
  public static final String JOINED = "joined";
  public static final String LEFT = "left";
  public static final String REFRESHED = "refreshed";
  public static final String TOKEN_EXPIRING = "token_expiring";
  public static final String RECONNECT = "reconnect";
  public static final String PRESENCE = "presence";
  public static final String PRESENCE_CHANGED = "presence_changed";

  // client -> server
  public static final String SEND = "send";
  public static final String ACK = "ack";
  public static final String SYNC = "sync";
  public static final String JOIN = "join";
  public static final String LEAVE = "leave";
  public static final String WATCH = "watch";
  public static final String UNWATCH = "unwatch";
  public static final String REFRESH = "refresh";
  public static final String PING = "ping";
}
