package io.courier.protocol;

/**
 * One configuration setting: its environment-variable name (also the key in JSON config), its
 * default as text, and what it does. The same name, lower-cased with dots
 * ({@code COURIER_PORT} -> {@code courier.port}), works as a Java system property.
 */
public record Setting(String env, String defaultValue, String description) {

  public String systemProperty() {
    return env.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
  }
}
