/**
 * The documents that travel between verticles on the event bus, one record per request, reply or
 * push, each with the one mapper to and from its JSON that both ends use. The JSON is the wire
 * between nodes of different versions (and the TCP bridge), so a mapper writes exactly the fields
 * {@link io.courier.protocol.Bus} names and leaves optional ones out the way older versions did;
 * readers check the version with {@link io.courier.protocol.Bus#readable} before they decode.
 */
package io.courier.protocol.bus;
