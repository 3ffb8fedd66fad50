package io.courier.client;

/**
 * The client's counters. Written only on the client's context, read from any thread (volatile, one
 * writer: an increment is never lost).
 */
final class Stats {
  volatile long connects;
  volatile long connectFailures;
  volatile long delivered;
  volatile long duplicatesDropped;
  volatile long tooFarAheadDropped;
  volatile long bufferedNow;
  volatile long syncs;
  volatile long acks;
  volatile long sendsWritten;
  volatile long sendsConfirmed;
  volatile long sendsConfirmedDup;
  volatile long sendsFailed;
  volatile long sendRetries;
  volatile long losses;

  ClientStats snapshot() {
    return new ClientStats(connects, connectFailures, delivered, duplicatesDropped, tooFarAheadDropped,
        bufferedNow, syncs, acks, sendsWritten, sendsConfirmed, sendsConfirmedDup, sendsFailed, sendRetries,
        losses);
  }
}
