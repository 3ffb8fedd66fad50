package io.courier.connection.session;

import io.courier.connection.GatewaySettings;
import io.courier.connection.auth.Identity;
import io.courier.connection.auth.TokenVerifier;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.ServerFrames;

/**
 * The connection's token over its life: {@code refresh} swaps it for a newer one of the same user,
 * {@code token_expiring} warns ahead of its expiry, and past expiry (plus leeway) the connection
 * closes with 4001.
 */
final class TokenRefresh {
  private final Session session;
  private final TokenVerifier verifier;
  private final GatewaySettings settings;
  private boolean expiringSent;

  TokenRefresh(Session session, TokenVerifier verifier, GatewaySettings settings) {
    this.session = session;
    this.verifier = verifier;
    this.settings = settings;
  }

  void refresh(ClientFrame.Refresh f) {
    verifier.verify(f.token()).onComplete(ar -> {
      if (ar.failed()) {
        session.writeError(ErrorCodes.FORBIDDEN, "refresh refused: " + ar.cause().getMessage(), f.ref());
      } else if (!ar.result().userId().equals(session.userId())) {
        session.writeError(ErrorCodes.FORBIDDEN, "refresh refused: token is for another user", f.ref());
      } else if (verifier.revoked(ar.result())) {
        // Revoked while it was being verified: a sweep may already have passed this connection by.
        session.writeError(ErrorCodes.FORBIDDEN, "refresh refused: token revoked", f.ref());
      } else {
        Identity identity = ar.result();
        session.identity(identity);
        expiringSent = false;
        session.write(ServerFrames.refreshed(identity.expiresAt(), f.ref()).encode());
      }
    });
  }

  /** Closes the connection (4001) once its token has expired; true if it did. */
  boolean closeIfExpired(long now) {
    if (now >= session.identity().expiresAt() + settings.leewayMs()) {
      session.close(CloseCodes.TOKEN_EXPIRED, "token expired");
      return true;
    }
    return false;
  }

  /** Sends {@code token_expiring} once per token, COURIER_TOKEN_EXPIRING_MS before it expires. */
  void warnIfExpiring(long now) {
    long expiresAt = session.identity().expiresAt();
    if (!expiringSent && now >= expiresAt - settings.tokenExpiringMs()) {
      expiringSent = true;
      session.write(ServerFrames.tokenExpiring(expiresAt).encode());
    }
  }
}
