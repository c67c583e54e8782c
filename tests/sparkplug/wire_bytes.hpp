#pragma once
// Hand-built protobuf wire bytes for codec tests: the tests state the bytes a fact implies
// without going through the codec (or generated protobuf classes) under test.

#include <cstdint>
#include <string>
#include <string_view>

namespace floe::sparkplug::test {

class wire {
public:
  wire& varint(uint64_t v) {
    while (v >= 0x80) {
      buf_ += static_cast<char>(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    buf_ += static_cast<char>(v);
    return *this;
  }
  wire& tag(uint32_t field, uint8_t wire_type) {
    return varint((uint64_t{field} << 3) | wire_type);
  }
  // Field with wire type 0.
  wire& uint(uint32_t field, uint64_t v) {
    return tag(field, 0).varint(v);
  }
  // Field with wire type 2 (string, bytes, packed scalars).
  wire& bytes(uint32_t field, std::string_view s) {
    tag(field, 2).varint(s.size());
    buf_.append(s.data(), s.size());
    return *this;
  }
  wire& message(uint32_t field, const wire& m) {
    return bytes(field, m.str());
  }
  wire& fixed32(uint32_t field, uint32_t v) {
    tag(field, 5);
    for (int k = 0; k < 4; ++k)
      buf_ += static_cast<char>(static_cast<uint8_t>(v >> (8 * k)));
    return *this;
  }
  wire& fixed64(uint32_t field, uint64_t v) {
    tag(field, 1);
    for (int k = 0; k < 8; ++k)
      buf_ += static_cast<char>(static_cast<uint8_t>(v >> (8 * k)));
    return *this;
  }
  wire& raw(std::string_view s) {
    buf_.append(s.data(), s.size());
    return *this;
  }
  const std::string& str() const {
    return buf_;
  }

private:
  std::string buf_;
};

// "0C 00 34" -> bytes; spaces ignored.
inline std::string from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  int high = -1;
  for (char c : hex) {
    int n = nibble(c);
    if (n < 0)
      continue;
    if (high < 0) {
      high = n;
    } else {
      out += static_cast<char>(high * 16 + n);
      high = -1;
    }
  }
  return out;
}

inline std::string to_hex(std::string_view bytes) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<uint8_t>(bytes[i]);
    if (i > 0)
      out += ' ';
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// Payload field numbers used by the tests (proto/sparkplug_b.proto).
namespace field {
inline constexpr uint32_t payload_timestamp = 1, payload_metrics = 2, payload_seq = 3,
                          payload_uuid = 4, payload_body = 5;
inline constexpr uint32_t metric_name = 1, metric_alias = 2, metric_timestamp = 3,
                          metric_datatype = 4, metric_is_historical = 5, metric_is_transient = 6,
                          metric_is_null = 7, metric_metadata = 8, metric_properties = 9,
                          metric_int_value = 10, metric_long_value = 11,
                          metric_float_value = 12, metric_double_value = 13,
                          metric_boolean_value = 14, metric_string_value = 15,
                          metric_bytes_value = 16, metric_dataset_value = 17,
                          metric_template_value = 18, metric_extension_value = 19;
inline constexpr uint32_t dataset_num_of_columns = 1, dataset_columns = 2, dataset_types = 3,
                          dataset_rows = 4, row_elements = 1;
inline constexpr uint32_t cell_int_value = 1, cell_long_value = 2, cell_string_value = 6;
inline constexpr uint32_t template_version = 1, template_metrics = 2, template_parameters = 3,
                          template_ref = 4, template_is_definition = 5;
inline constexpr uint32_t property_set_keys = 1, property_set_values = 2,
                          property_value_type = 1, property_value_is_null = 2,
                          property_value_int_value = 3, property_value_string_value = 8,
                          property_value_propertyset = 9, property_value_propertysets = 10,
                          property_set_list_sets = 1;
inline constexpr uint32_t parameter_name = 1, parameter_type = 2, parameter_int_value = 3;
} // namespace field

} // namespace floe::sparkplug::test
