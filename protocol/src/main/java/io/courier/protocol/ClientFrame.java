package io.courier.protocol;

import java.util.List;

/** A validated client -> server frame. Produced by {@link FrameParser}; {@code ref} may be null. */
public sealed interface ClientFrame {
  String ref();

  /** The frame's {@code type} ({@link FrameTypes}). */
  String type();

  /** {@code send}: exactly one of {@code to} and {@code room} is non-null; {@code body} is JSON text. */
  record Send(String ref, String id, String to, String room, String bodyJson) implements ClientFrame {
    @Override
    public String type() {
      return FrameTypes.SEND;
    }
  }

  record Ack(String ref, long seq) implements ClientFrame {
    @Override
    public String type() {
      return FrameTypes.ACK;
    }
  }

  /**
   * {@code sync}: {@code epoch} is null when the client has none. {@code lastId} and {@code lastTs}
   * (each null when absent) describe the message the client holds at seq {@code after}: its proof
   * of position, which lets the server notice an inbox that went back (protocol.md 7.5).
   */
  record Sync(String ref, long after, String epoch, String lastId, Long lastTs) implements ClientFrame {
    public Sync(String ref, long after, String epoch) {
      this(ref, after, epoch, null, null);
    }

    @Override
    public String type() {
      return FrameTypes.SYNC;
    }
  }

  record Ping(String ref) implements ClientFrame {
    @Override
    public String type() {
      return FrameTypes.PING;
    }
  }

  record Join(String ref, String room) implements ClientFrame {
    @Override
    public String type() {
      return FrameTypes.JOIN;
    }
  }

  record Leave(String ref, String room) implements ClientFrame {
    @Override
    public String type() {
      return FrameTypes.LEAVE;
    }
  }

  /** {@code presence}, {@code watch} or {@code unwatch}: the frame's type and its users. */
  record Users(String ref, String type, List<String> users) implements ClientFrame {}

  record Refresh(String ref, String token) implements ClientFrame {
    @Override
    public String type() {
      return FrameTypes.REFRESH;
    }
  }
}
