package io.courier.connection.session;

import java.util.ArrayList;
import java.util.List;

/**
 * What one connection has written and the transport has not yet handed to the kernel, in bytes
 * and frames, against the connection's limits. Past either limit the client is not reading fast
 * enough (a slow consumer) and the session cuts it. Writers that can wait (a sync replay) pace
 * themselves: {@link #congested} past half a limit, then {@link #whenDrained} once below a quarter.
 * Plain class, confined to the connection's context.
 */
public final class OutboundQueue {
  private final long maxBytes;
  private final int maxFrames;
  private long bytes;
  private int frames;
  private List<Runnable> waiting;

  /** 0 means no limit for that dimension. */
  public OutboundQueue(long maxBytes, int maxFrames) {
    this.maxBytes = maxBytes <= 0 ? Long.MAX_VALUE : maxBytes;
    this.maxFrames = maxFrames <= 0 ? Integer.MAX_VALUE : maxFrames;
  }

  /** Counts a frame about to be written; false if it would take the queue past a limit (not counted then). */
  public boolean offer(int size) {
    if (bytes + size > maxBytes || frames + 1 > maxFrames) {
      return false;
    }
    bytes += size;
    frames++;
    return true;
  }

  /** A frame left the queue (written to the kernel, or dropped with the connection). */
  public void done(int size) {
    bytes -= size;
    frames--;
    if (waiting != null && !congestedBelow(4)) {
      List<Runnable> run = waiting;
      waiting = null;
      run.forEach(Runnable::run);
    }
  }

  public boolean congested() {
    return congestedBelow(2);
  }

  private boolean congestedBelow(int divisor) {
    return (maxBytes != Long.MAX_VALUE && bytes > maxBytes / divisor)
        || (maxFrames != Integer.MAX_VALUE && frames > maxFrames / divisor);
  }

  /** Runs {@code action} once the queue is below a quarter of its limits (at once if it is). */
  public void whenDrained(Runnable action) {
    if (!congestedBelow(4)) {
      action.run();
      return;
    }
    if (waiting == null) {
      waiting = new ArrayList<>(1);
    }
    waiting.add(action);
  }

  public long bytes() {
    return bytes;
  }

  public int frames() {
    return frames;
  }
}
