package io.courier.protocol;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Resolved configuration: defaults, then environment variables, then system properties, then
 * explicit overrides (command-line flags, tests). Immutable; {@link #with} returns a copy.
 * A malformed number fails at start with a message naming the setting.
 */
public final class CourierConfig {
  private final Map<String, String> values;

  private CourierConfig(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** Defaults only: what tests start from. */
  public static CourierConfig defaults() {
    Map<String, String> m = new HashMap<>();
    for (Setting s : ConfigKeys.ALL) {
      m.put(s.env(), s.defaultValue());
    }
    return new CourierConfig(m);
  }

  /** Defaults, overridden by the process environment and then by system properties. */
  public static CourierConfig fromEnvironment() {
    return fromSources(System.getenv(), System.getProperties());
  }

  static CourierConfig fromSources(Map<String, String> env, java.util.Properties props) {
    Map<String, String> m = new HashMap<>(defaults().values);
    for (Setting s : ConfigKeys.ALL) {
      String e = env.get(s.env());
      if (e != null) {
        m.put(s.env(), e);
      }
      String p = props.getProperty(s.systemProperty());
      if (p != null) {
        m.put(s.env(), p);
      }
    }
    return new CourierConfig(m);
  }

  public CourierConfig with(Setting s, Object value) {
    Map<String, String> m = new HashMap<>(values);
    m.put(s.env(), String.valueOf(value));
    return new CourierConfig(m);
  }

  public String get(Setting s) {
    return Objects.requireNonNullElse(values.get(s.env()), s.defaultValue()).trim();
  }

  public boolean isSet(Setting s) {
    return !get(s).isEmpty();
  }

  public int getInt(Setting s) {
    return (int) getLong(s);
  }

  public long getLong(Setting s) {
    String v = get(s);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(s.env() + " must be a whole number, got '" + v + "'");
    }
  }

  /** A number that may have a fraction (rates per second, e.g. {@code 0.5}). */
  public double getDouble(Setting s) {
    String v = get(s);
    try {
      double d = Double.parseDouble(v);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(s.env() + " must be a number, got '" + v + "'");
    }
  }

  /** A path setting, with a leading {@code ~/} expanded to the user's home. */
  public Path getPath(Setting s) {
    String v = get(s);
    if (v.startsWith("~/")) {
      return Path.of(System.getProperty("user.home"), v.substring(2));
    }
    return Path.of(v);
  }

  public java.util.List<String> getList(Setting s) {
    String v = get(s);
    if (v.isEmpty()) {
      return java.util.List.of();
    }
    return java.util.Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }
}
