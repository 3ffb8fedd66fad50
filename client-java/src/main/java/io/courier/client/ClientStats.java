package io.courier.client;

/**
 * Counters since the client was created (a snapshot).
 *
 * @param connects sessions started (welcome received)
 * @param connectFailures connection attempts that ended before a welcome
 * @param delivered messages handed to the application
 * @param duplicatesDropped msg frames dropped because their seq was delivered already
 * @param tooFarAheadDropped msg frames dropped because they were beyond the reorder buffer
 * @param bufferedNow messages waiting behind a gap right now
 * @param syncs sync frames written
 * @param acks ack frames written
 * @param sendsWritten send frames written, resends included
 * @param sendsConfirmed sends that got their {@code sent}
 * @param sendsConfirmedDup of those, how many were answered {@code dup: true}
 * @param sendsFailed sends failed for good (server error, outbox closed)
 * @param sendRetries retryable errors answered to sends
 * @param losses inbox losses reported
 */
public record ClientStats(long connects, long connectFailures, long delivered, long duplicatesDropped,
                          long tooFarAheadDropped, long bufferedNow, long syncs, long acks,
                          long sendsWritten, long sendsConfirmed, long sendsConfirmedDup, long sendsFailed,
                          long sendRetries, long losses) {}
