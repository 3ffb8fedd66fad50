package io.courier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.bus.Rooms;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A document of a newer version than this delivery speaks is refused as invalid, not guessed at. */
class BusRepliesTest {
  private static final String ADDRESS = "test.bus-replies";
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer(ADDRESS, msg -> {
      if (BusReplies.versionOk(msg)) {
        msg.reply(new Rooms.Stats(1).toJson());
      }
    }).completion().await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void thisVersionIsServed() {
    JsonObject reply = vertx.eventBus().<JsonObject>request(ADDRESS, Rooms.statsRequest()).await().body();
    assertThat(Rooms.Stats.fromJson(reply).rooms()).isEqualTo(1);
  }

  @Test
  void aNewerOrMissingVersionIsRefusedAsInvalid() {
    for (JsonObject doc : new JsonObject[] {new JsonObject().put(Bus.V, Bus.VERSION + 1), new JsonObject()}) {
      Throwable err = catchThrowable(() -> vertx.eventBus().request(ADDRESS, doc).await());
      assertThat(err).isInstanceOf(ReplyException.class);
      assertThat(((ReplyException) err).failureCode()).isEqualTo(BusFailures.INVALID);
      assertThat(BusFailures.errorCode(err.getMessage())).isEqualTo(ErrorCodes.BAD_FRAME);
    }
  }
}
