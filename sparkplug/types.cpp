#include "sparkplug/types.hpp"

#include <cstring>

namespace floe::sparkplug {

namespace {

constexpr const char* datatype_names[] = {
  "Unknown",     "Int8",         "Int16",        "Int32",        "Int64",       "UInt8",
  "UInt16",      "UInt32",       "UInt64",       "Float",        "Double",      "Boolean",
  "String",      "DateTime",     "Text",         "UUID",         "DataSet",     "Bytes",
  "File",        "Template",     "PropertySet",  "PropertySetList", "Int8Array", "Int16Array",
  "Int32Array",  "Int64Array",   "UInt8Array",   "UInt16Array",  "UInt32Array", "UInt64Array",
  "FloatArray",  "DoubleArray",  "BooleanArray", "StringArray",  "DateTimeArray",
};
static_assert(sizeof(datatype_names) / sizeof(datatype_names[0]) == max_datatype_value + 1);

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i]))
      return false;
  }
  return true;
}

// Value equality compares Float and Double by bit pattern, not with IEEE ==: a NaN equals
// itself and -0.0 differs from 0.0. Equality then is reflexive (a decoded payload equals
// itself, which round-trip checks rely on) and means "same value on the wire".
// All overloads are declared before the templates that call them: the anonymous namespace is
// not searched by argument-dependent lookup.
bool same(float a, float b) noexcept;
bool same(double a, double b) noexcept;
bool same(const dataset& a, const dataset& b);
bool same(const std::vector<bool>& a, const std::vector<bool>& b);
template <class T>
bool same(const T& a, const T& b);
template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b);
template <class... Ts>
bool same(const std::variant<Ts...>& a, const std::variant<Ts...>& b);

bool same(float a, float b) noexcept {
  uint32_t x, y;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  return x == y;
}

bool same(double a, double b) noexcept {
  uint64_t x, y;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  return x == y;
}

template <class T>
bool same(const T& a, const T& b) {
  return a == b;
}

template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(static_cast<const T&>(a[i]), static_cast<const T&>(b[i])))
      return false;
  return true;
}

// std::vector<bool> has no `const bool&` elements: compare it as a whole.
bool same(const std::vector<bool>& a, const std::vector<bool>& b) {
  return a == b;
}

template <class... Ts>
bool same(const std::variant<Ts...>& a, const std::variant<Ts...>& b) {
  if (a.index() != b.index())
    return false;
  return std::visit(
    [&b](const auto& x) {
      using alternative = std::decay_t<decltype(x)>;
      return same(x, *std::get_if<alternative>(&b));
    },
    a);
}

// dataset's own operator== (types.hpp) compares cells with IEEE ==; values inside metrics
// use this bitwise form so that metric equality is consistent.
bool same(const dataset& a, const dataset& b) {
  return a.columns == b.columns && a.types == b.types && same(a.rows, b.rows);
}

} // namespace

const char* to_string(datatype t) noexcept {
  auto raw = static_cast<uint32_t>(t);
  return raw <= max_datatype_value ? datatype_names[raw] : "Invalid";
}

std::optional<datatype> datatype_from_string(std::string_view name) noexcept {
  for (uint32_t i = 0; i <= max_datatype_value; ++i)
    if (equal_ignoring_ascii_case(name, datatype_names[i]))
      return static_cast<datatype>(i);
  return std::nullopt;
}

bool is_valid_datatype(uint32_t raw) noexcept {
  return raw <= max_datatype_value;
}

bool is_basic(datatype t) noexcept {
  return static_cast<uint32_t>(t) <= static_cast<uint32_t>(datatype::text);
}

bool is_array(datatype t) noexcept {
  auto raw = static_cast<uint32_t>(t);
  return raw >= static_cast<uint32_t>(datatype::int8_array) && raw <= max_datatype_value;
}

bool is_signed_integer(datatype t) noexcept {
  return t == datatype::int8 || t == datatype::int16 || t == datatype::int32
         || t == datatype::int64;
}

bool is_unsigned_integer(datatype t) noexcept {
  return t == datatype::uint8 || t == datatype::uint16 || t == datatype::uint32
         || t == datatype::uint64;
}

bool is_numeric(datatype t) noexcept {
  return is_signed_integer(t) || is_unsigned_integer(t) || t == datatype::float32
         || t == datatype::float64;
}

const property_value* property_set::find(std::string_view key) const noexcept {
  // Property sets are small (a handful of keys): a linear scan beats any index.
  for (size_t i = 0; i < keys.size() && i < values.size(); ++i)
    if (keys[i] == key)
      return &values[i];
  return nullptr;
}

bool operator==(const property_set& a, const property_set& b) {
  return a.keys == b.keys && a.values == b.values;
}

bool operator==(const property_value& a, const property_value& b) {
  return a.type == b.type && same(a.value, b.value);
}

bool operator==(const template_parameter& a, const template_parameter& b) {
  return a.name == b.name && a.type == b.type && same(a.value, b.value);
}

bool operator==(const template_value& a, const template_value& b) {
  return a.version == b.version && a.metrics == b.metrics && a.parameters == b.parameters
         && a.template_ref == b.template_ref && a.is_definition == b.is_definition;
}

bool operator==(const metric& a, const metric& b) {
  return a.name == b.name && a.alias == b.alias && a.timestamp == b.timestamp
         && a.type == b.type && a.datatype_on_wire == b.datatype_on_wire
         && a.is_historical == b.is_historical && a.is_transient == b.is_transient
         && a.is_null == b.is_null && a.meta == b.meta && a.properties == b.properties
         && same(a.val, b.val);
}

bool operator==(const payload& a, const payload& b) {
  return a.timestamp == b.timestamp && a.seq == b.seq && a.uuid == b.uuid && a.body == b.body
         && a.metrics == b.metrics;
}

} // namespace floe::sparkplug
