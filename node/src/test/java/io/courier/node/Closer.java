package io.courier.node;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (node processes, redis-servers, sockets), closed in reverse order of start by
 * one call in {@code @AfterEach}: the last started may depend on the first.
 */
final class Closer implements AutoCloseable {
  private final List<AutoCloseable> items = new ArrayList<>();

  /** Registers {@code c} to be closed; returns it. */
  <T extends AutoCloseable> T add(T c) {
    items.add(c);
    return c;
  }

  @Override
  public void close() throws Exception {
    for (int i = items.size() - 1; i >= 0; i--) {
      items.get(i).close();
    }
    items.clear();
  }
}
