package io.courier.protocol;

/**
 * The contract of the TCP event-bus bridge for services in other languages: the one address a
 * service may send to, the headers that authenticate it, and the bodies of request and reply.
 * Described in docs/protocol.md, "Services over the TCP event-bus bridge".
 */
public final class ServiceBridge {
  private ServiceBridge() {}

  /** Request/reply: store a service's message in a user's inbox. The only permitted address. */
  public static final String NOTIFY = "courier.notify";

  /** Header with a JWT signed with the node's secret that carries {@link #ROLE}. */
  public static final String HEADER_TOKEN = "token";
  /** Header with the shared secret {@code COURIER_TCP_BRIDGE_SECRET}. */
  public static final String HEADER_SECRET = "secret";
  /** Header naming the service when it authenticates with the shared secret. */
  public static final String HEADER_SERVICE = "service";

  /** The claim ({@code roles}, an array of strings) and the value a service token must carry. */
  public static final String ROLES_CLAIM = "roles";
  public static final String ROLE = Roles.SERVICE;

  /** A service's messages are stored with {@code from = "system:<name>"}. */
  public static final String SENDER_PREFIX = "system:";
  /** A service name: 1-64 characters of letters, digits, '.', '_' and '-'. */
  public static final String SERVICE_NAME_PATTERN = "[A-Za-z0-9._-]{1,64}";

  // request body {id, to, body}; reply body {id, ts, dup}
  public static final String ID = "id";
  public static final String TO = "to";
  public static final String BODY = "body";
  public static final String TS = "ts";
  public static final String DUP = "dup";

  public static final int MAX_ID_LENGTH = 64;
  public static final int MAX_USER_LENGTH = 256;

  /**
   * True for a subject in the services' namespace ({@link #SENDER_PREFIX}, in any letter case, since
   * a person reading {@code SYSTEM:billing} sees the same sender): no token may carry one, so a
   * {@code system:} sender is always a service.
   */
  public static boolean isReservedSubject(String sub) {
    return sub != null && sub.regionMatches(true, 0, SENDER_PREFIX, 0, SENDER_PREFIX.length());
  }

  /** The service's sender id for a service name. */
  public static String sender(String serviceName) {
    return SENDER_PREFIX + serviceName;
  }
}
