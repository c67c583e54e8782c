#include "actors/host/metric_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <type_traits>

namespace floe::host {

namespace dt = sparkplug;

std::optional<store::stored_value> stored_value_of(const sparkplug::value& v,
                                                   sparkplug::datatype type) {
  using store::stored_value;
  if (std::holds_alternative<std::monostate>(v))
    return stored_value{std::monostate{}};
  if (dt::is_array(type) || type == dt::datatype::dataset || type == dt::datatype::template_type)
    return std::nullopt;
  return std::visit(
    [](const auto& x) -> std::optional<stored_value> {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, bool>)
        return stored_value{x};
      else if constexpr (std::is_same_v<T, int64_t>)
        return stored_value{x};
      else if constexpr (std::is_same_v<T, uint64_t>)
        return stored_value{x};
      else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
        return stored_value{static_cast<double>(x)};
      else if constexpr (std::is_same_v<T, std::string>)
        return stored_value{x};
      else if constexpr (std::is_same_v<T, sparkplug::bytes>)
        return stored_value{store::byte_string(x.begin(), x.end())};
      else
        return std::nullopt;
    },
    v);
}

std::optional<windows::value_kind> window_kind_of(sparkplug::datatype type) {
  if (dt::is_numeric(type))
    return windows::value_kind::numeric;
  if (type == dt::datatype::boolean)
    return windows::value_kind::boolean;
  if (type == dt::datatype::string || type == dt::datatype::text)
    return windows::value_kind::string;
  return std::nullopt;
}

bool fill_sample(windows::sample& s, windows::value_kind kind, const sparkplug::value& v) {
  s.kind = kind;
  switch (kind) {
    case windows::value_kind::numeric:
      return std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
            s.number = static_cast<double>(x);
            return std::isfinite(s.number);
          } else {
            return false;
          }
        },
        v);
    case windows::value_kind::boolean:
      if (auto* b = std::get_if<bool>(&v)) {
        s.flag = *b;
        return true;
      }
      return false;
    case windows::value_kind::string:
      if (auto* t = std::get_if<std::string>(&v)) {
        s.text = *t;
        return true;
      }
      return false;
  }
  return false;
}

std::string number_text(float f) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, f);
  return std::string(buf, r.ptr);
}

std::string number_text(double d) {
  if (std::isfinite(d) && static_cast<double>(static_cast<float>(d)) == d)
    return number_text(static_cast<float>(d));
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

namespace {

// The alternatives every value type shares: null, bool, integers, floating point, text.
template <class T>
inline constexpr bool is_plain_v = std::is_same_v<T, std::monostate> || std::is_arithmetic_v<T>
                                   || std::is_same_v<T, std::string>;

template <class T>
std::string plain_text(const T& x) {
  if constexpr (std::is_same_v<T, std::monostate>)
    return "null";
  else if constexpr (std::is_same_v<T, bool>)
    return x ? "true" : "false";
  else if constexpr (std::is_floating_point_v<T>)
    return number_text(x);
  else if constexpr (std::is_integral_v<T>)
    return std::to_string(x);
  else
    return x;
}

template <class Vector>
std::string array_text(const Vector& xs) {
  using element = typename Vector::value_type;
  std::string out = "[";
  size_t n = 0;
  for (auto it = xs.begin(); it != xs.end(); ++it, ++n) {
    if (n == 16) {
      out += ", … (" + std::to_string(xs.size()) + " elements)";
      break;
    }
    if (n > 0)
      out += ", ";
    if constexpr (std::is_same_v<element, std::string>)
      out += "\"" + *it + "\"";
    else
      out += plain_text(static_cast<element>(*it));
  }
  return out + "]";
}

} // namespace

std::string render_value(const sparkplug::value& v) {
  return std::visit(
    [](const auto& x) -> std::string {
      using T = std::decay_t<decltype(x)>;
      if constexpr (is_plain_v<T>)
        return plain_text(x);
      else if constexpr (std::is_same_v<T, sparkplug::bytes>)
        return "bytes (" + std::to_string(x.size()) + ")";
      else if constexpr (std::is_same_v<T, sparkplug::dataset>)
        return "dataset " + std::to_string(x.rows.size()) + "x" + std::to_string(x.columns.size());
      else if constexpr (std::is_same_v<T, sparkplug::template_value>)
        return "template "
               + x.template_ref.value_or(x.is_definition.value_or(false) ? "definition" : "?")
               + " (" + std::to_string(x.metrics.size()) + " members)";
      else
        return array_text(x);
    },
    v);
}

std::string render_property(const sparkplug::property_value& p) {
  return std::visit(
    [](const auto& x) -> std::string {
      using T = std::decay_t<decltype(x)>;
      if constexpr (is_plain_v<T>)
        return plain_text(x);
      else if constexpr (std::is_same_v<T, sparkplug::property_set>)
        return "{" + std::to_string(x.keys.size()) + " properties}";
      else
        return "[" + std::to_string(x.size()) + " property sets]";
    },
    p.value);
}

std::string render_stored_value(const store::stored_value& v) {
  return std::visit(
    [](const auto& x) -> std::string {
      using T = std::decay_t<decltype(x)>;
      if constexpr (is_plain_v<T>)
        return plain_text(x);
      else
        return "bytes (" + std::to_string(x.size()) + ")";
    },
    v);
}

} // namespace floe::host
