package io.courier.protocol;

/** WebSocket close codes the server uses. 1xxx are RFC 6455; 4xxx are Courier's own. */
public final class CloseCodes {
  private CloseCodes() {}

  public static final short NORMAL = 1000;
  public static final short GOING_AWAY = 1001;
  /** A WebSocket protocol violation (bad opcode, unmasked or oversized control frame, ...), sent by the transport. */
  public static final short PROTOCOL_ERROR = 1002;
  /** A text message that is not valid UTF-8. */
  public static final short INVALID_DATA = 1007;
  public static final short POLICY = 1008;
  public static final short TOO_LARGE = 1009;
  public static final short INTERNAL = 1011;
  public static final short SERVICE_RESTART = 1012;
  public static final short TRY_AGAIN_LATER = 1013;
  public static final short TOKEN_EXPIRED = 4001;
  public static final short REVOKED = 4003;
}
