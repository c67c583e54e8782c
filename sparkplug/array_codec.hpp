#pragma once
// Sparkplug array datatypes (Int8Array..DateTimeArray) <-> the packed bytes carried in
// Metric.bytes_value (Sparkplug 3.0 "Array Types"; notes section 2.9):
//   integer, Float, Double and DateTime arrays: fixed-width little-endian elements;
//   BooleanArray: uint32 little-endian element count, then the bits MSB first, zero padding;
//   StringArray: UTF-8 strings, each terminated by NUL.
// Private to sparkplug/.

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "sparkplug/errc.hpp"
#include "sparkplug/types.hpp"

namespace floe::sparkplug {

// Unpacks `size` bytes as array type `t` into the typed alternative of `out`. Errors:
// array_malformed (length not a whole number of elements, bad BooleanArray count, missing final
// NUL), limit_exceeded (more than max_elements elements).
result<void> unpack_array(const uint8_t* data, size_t size, datatype t, value& out,
                          size_t max_elements);

// Packs the array held in `v` as type `t`, appending to `out`. Errors: value_mismatch when `v`
// does not hold the alternative for `t`, an element is out of range for the element type, or a
// StringArray element contains NUL.
result<void> pack_array(const value& v, datatype t, std::string& out);

// Name of a value alternative ("int64_t", "vector<float>", ...), for error details.
template <class T>
constexpr const char* alternative_name() noexcept {
  if constexpr (std::is_same_v<T, std::monostate>)
    return "nothing (null)";
  else if constexpr (std::is_same_v<T, bool>)
    return "bool";
  else if constexpr (std::is_same_v<T, int64_t>)
    return "int64_t";
  else if constexpr (std::is_same_v<T, uint64_t>)
    return "uint64_t";
  else if constexpr (std::is_same_v<T, float>)
    return "float";
  else if constexpr (std::is_same_v<T, double>)
    return "double";
  else if constexpr (std::is_same_v<T, std::string>)
    return "string";
  else if constexpr (std::is_same_v<T, bytes>)
    return "bytes";
  else if constexpr (std::is_same_v<T, dataset>)
    return "dataset";
  else if constexpr (std::is_same_v<T, template_value>)
    return "template_value";
  else if constexpr (std::is_same_v<T, property_set>)
    return "property_set";
  else if constexpr (std::is_same_v<T, std::vector<property_set>>)
    return "vector<property_set>";
  else if constexpr (std::is_same_v<T, std::vector<int64_t>>)
    return "vector<int64_t>";
  else if constexpr (std::is_same_v<T, std::vector<uint64_t>>)
    return "vector<uint64_t>";
  else if constexpr (std::is_same_v<T, std::vector<float>>)
    return "vector<float>";
  else if constexpr (std::is_same_v<T, std::vector<double>>)
    return "vector<double>";
  else if constexpr (std::is_same_v<T, std::vector<bool>>)
    return "vector<bool>";
  else if constexpr (std::is_same_v<T, std::vector<std::string>>)
    return "vector<string>";
  else
    return "?";
}

// Name of the alternative a value variant (value, scalar, property value) holds.
template <class Variant>
const char* held_alternative_name(const Variant& v) noexcept {
  return std::visit([](const auto& x) { return alternative_name<std::decay_t<decltype(x)>>(); },
                    v);
}

} // namespace floe::sparkplug
