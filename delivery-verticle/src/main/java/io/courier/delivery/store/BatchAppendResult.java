package io.courier.delivery.store;

import java.util.List;
import java.util.Map;

/**
 * Outcome of {@link MessageStore#appendAll}: each recipient either has its copy (with its own seq,
 * epoch and ts, dup when the inbox already held it) or is listed as failed with the reason. A
 * failed recipient's copy may or may not have been written (a timeout promises nothing); appending
 * the same draft again is safe either way, because the inbox's dedupe answers dup.
 */
public record BatchAppendResult(List<Appended> appended, Map<String, Throwable> failed) {

  /** One recipient's copy. */
  public record Appended(String recipient, AppendResult result) {}

  public boolean complete() {
    return failed.isEmpty();
  }
}
