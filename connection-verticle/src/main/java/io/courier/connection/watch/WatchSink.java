package io.courier.connection.watch;

import io.courier.cluster.PresenceState;
import io.vertx.core.Context;

/** Something on this node that watches users: a connection. Called only on its own context. */
public interface WatchSink {
  Context context();

  /** A change of a watched user; {@code frame} is its {@code presence_changed} frame, encoded once per node. */
  void onPresenceChanged(PresenceState state, String frame);
}
