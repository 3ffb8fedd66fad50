package io.courier.connection.session;

import io.courier.connection.GatewayMetrics;
import io.courier.connection.GatewaySettings;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.watch.PresenceWatch;
import io.vertx.core.Context;

/**
 * What every session of one gateway instance shares: the instance's context, the gateway's
 * settings, and the services its frames call. {@code userSends} null: no per-user send limit.
 */
public record SessionServices(Context context, GatewaySettings settings, DeliveryClient delivery,
                              TokenVerifier verifier, GatewayMetrics metrics, PresenceWatch presence,
                              UserSendLimiter userSends) {}
