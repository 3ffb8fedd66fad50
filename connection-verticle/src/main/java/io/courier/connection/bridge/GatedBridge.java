package io.courier.connection.bridge;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.BiFunction;

/**
 * Creates a {@link TcpEventBusBridge} whose sockets read through a gate of ours
 * ({@link FrameGate}). The library builds its {@code NetServer} itself and installs its own
 * parser as each socket's handler, with no hook before it. So the bridge gets a view of
 * {@code Vertx} whose {@code createNetServer} returns a view of the real server whose connect
 * handler hands the library a view of each socket whose {@code handler(parser)} installs
 * {@code gate(socket, parser)} instead. Each view is a dynamic proxy of the public interface that
 * passes every other call to the real object; nothing private of the library is touched.
 */
final class GatedBridge {
  private GatedBridge() {}

  /** A function of the real socket and the library's parser that returns the handler to install. */
  interface Gate extends BiFunction<NetSocket, Handler<Buffer>, Handler<Buffer>> {}

  static TcpEventBusBridge create(Vertx vertx, BridgeOptions bridge, NetServerOptions server,
      Handler<BridgeEvent> events, Gate gate) {
    Vertx view = view(Vertx.class, vertx, (m, args) -> m.getName().equals("createNetServer")
        ? serverView((NetServer) call(vertx, m, args), gate) : null);
    return TcpEventBusBridge.create(view, bridge, server, events);
  }

  private static NetServer serverView(NetServer real, Gate gate) {
    return view(NetServer.class, real, (m, args) -> {
      if (m.getName().equals("connectHandler") && args != null && args.length == 1) {
        @SuppressWarnings("unchecked")
        Handler<NetSocket> library = (Handler<NetSocket>) args[0];
        real.connectHandler(library == null ? null : socket -> library.handle(socketView(socket, gate)));
        return real;
      }
      return null;
    });
  }

  private static NetSocket socketView(NetSocket real, Gate gate) {
    return view(NetSocket.class, real, (m, args) -> {
      if (m.getName().equals("handler") && args != null && args.length == 1) {
        @SuppressWarnings("unchecked")
        Handler<Buffer> parser = (Handler<Buffer>) args[0];
        real.handler(parser == null ? null : gate.apply(real, parser));
        return real;
      }
      return null;
    });
  }

  /** Overrides a call by returning non-null; null passes the call to the real object. */
  private interface Override {
    Object apply(Method m, Object[] args) throws Throwable;
  }

  private static <T> T view(Class<T> type, T real, Override override) {
    InvocationHandler h = (proxy, m, args) -> {
      Object r = override.apply(m, args);
      return r != null ? r : call(real, m, args);
    };
    return type.cast(Proxy.newProxyInstance(GatedBridge.class.getClassLoader(), new Class<?>[] {type}, h));
  }

  private static Object call(Object target, Method m, Object[] args) {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
