package io.courier.delivery.store;

import io.courier.protocol.InboxMessage;
import java.util.List;

/**
 * A page of an inbox. {@code firstAvailable} is the lowest seq still retained (lastSeq + 1 when the
 * inbox is empty or everything was dropped); a reader asking for seqs below it learns they were
 * truncated by retention.
 */
public record ReadResult(String epoch, long lastSeq, long firstAvailable, List<InboxMessage> messages) {}
