package io.courier.client;

/**
 * Where the client is in its inbox, to save and resume from with
 * {@link CourierClientOptions#setResumeFrom(InboxPosition)}.
 *
 * @param epoch the inbox epoch, or null before the first welcome
 * @param lastSeq highest seq delivered without a gap (0 for none)
 * @param lastId id of the message at {@code lastSeq}, or null when unknown; sent with {@code sync}
 *     as proof of the position, so the server can tell an inbox that rolled back
 * @param lastTs ts of the message at {@code lastSeq}, or 0 when unknown
 */
public record InboxPosition(String epoch, long lastSeq, String lastId, long lastTs) {}
