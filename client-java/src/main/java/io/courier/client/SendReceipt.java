package io.courier.client;

/**
 * The server's {@code sent} for one send: it is durably accepted.
 *
 * @param id the client message id
 * @param ts server time of acceptance, epoch ms (the original time when {@code dup})
 * @param dup true when the server had this id already (an earlier attempt got through)
 */
public record SendReceipt(String id, long ts, boolean dup) {}
