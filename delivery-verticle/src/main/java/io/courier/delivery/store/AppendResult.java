package io.courier.delivery.store;

/** Outcome of {@link MessageStore#append}: the message's seq, epoch, accept ts; dup if seen before. */
public record AppendResult(long seq, String epoch, long ts, boolean dup) {}
