package io.courier.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.event.KeyValuePair;

/**
 * Drops the start-up warm-up's routine log lines: below WARN, anything logged for the throwaway
 * node ({@code nodeId} starting with {@link Warmup#NODE_PREFIX}). Its clients connect and
 * disconnect hundreds of times at every start, and those lines would bury the node's own. Its
 * warnings and errors still show, and the warm-up's own start and end lines carry the real node's
 * id, so they stay.
 */
public final class WarmupLogFilter extends Filter<ILoggingEvent> {
  @Override
  public FilterReply decide(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN) || event.getKeyValuePairs() == null) {
      return FilterReply.NEUTRAL;
    }
    for (KeyValuePair kv : event.getKeyValuePairs()) {
      if ("nodeId".equals(kv.key) && kv.value instanceof String id && id.startsWith(Warmup.NODE_PREFIX)) {
        return FilterReply.DENY;
      }
    }
    return FilterReply.NEUTRAL;
  }
}
