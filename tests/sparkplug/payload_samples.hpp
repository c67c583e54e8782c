#pragma once
// Payload builders shared by the codec suites. Include after <caf/test/unit_test.hpp>.

#include <limits>
#include <string>

#include "sparkplug/payload_codec.hpp"

namespace floe::sparkplug::test {

inline constexpr uint64_t sample_time_ms = 1'700'000'000'000;

inline metric typed_metric(std::string name, datatype t, value v) {
  metric m;
  m.name = std::move(name);
  m.timestamp = sample_time_ms;
  m.type = t;
  m.val = std::move(v);
  return m;
}

inline property_value prop(datatype t, decltype(property_value::value) v) {
  property_value p;
  p.type = t;
  p.value = std::move(v);
  return p;
}

inline payload with_metrics(std::vector<metric> metrics) {
  payload p;
  p.timestamp = sample_time_ms;
  p.seq = 1;
  p.metrics = std::move(metrics);
  return p;
}

inline std::string encoded(const payload& p, const encode_options& options = {}) {
  std::string out;
  auto r = encode_payload(p, out, options);
  if (!r)
    CAF_FAIL("encode failed: " << to_string(r.error()));
  return out;
}

inline payload decoded(std::string_view bytes, const decode_limits& limits = {}) {
  auto r = decode_payload(bytes, limits);
  if (!r)
    CAF_FAIL("decode failed: " << to_string(r.error()));
  return std::move(r).value();
}

inline payload roundtrip(const payload& p, const encode_options& options = {}) {
  return decoded(encoded(p, options));
}

// Decoding must fail with `code`; returns the detail.
inline std::string decode_error(std::string_view bytes, errc code,
                                const decode_limits& limits = {}) {
  auto r = decode_payload(bytes, limits);
  if (r) {
    CAF_FAIL("decode succeeded, expected " << to_string(code));
  }
  if (r.error().code != code)
    CAF_FAIL("expected " << to_string(code) << ", got " << to_string(r.error()));
  return r.error().detail;
}

// Every metric datatype with a representative value (extremes where they matter).
inline std::vector<metric> one_metric_per_datatype() {
  std::vector<metric> ms;
  ms.push_back(typed_metric("int8", datatype::int8, int64_t{-128}));
  ms.push_back(typed_metric("int16", datatype::int16, int64_t{-32768}));
  ms.push_back(typed_metric("int32", datatype::int32, int64_t{std::numeric_limits<int32_t>::min()}));
  ms.push_back(typed_metric("int64", datatype::int64, int64_t{std::numeric_limits<int64_t>::min()}));
  ms.push_back(typed_metric("uint8", datatype::uint8, uint64_t{255}));
  ms.push_back(typed_metric("uint16", datatype::uint16, uint64_t{65535}));
  ms.push_back(typed_metric("uint32", datatype::uint32, uint64_t{4294967295u}));
  ms.push_back(typed_metric("uint64", datatype::uint64, std::numeric_limits<uint64_t>::max()));
  ms.push_back(typed_metric("float", datatype::float32, -1.5e-3f));
  ms.push_back(typed_metric("double", datatype::float64, 2.718281828459045));
  ms.push_back(typed_metric("boolean", datatype::boolean, true));
  ms.push_back(typed_metric("string", datatype::string, std::string("Kühlhaus ❄")));
  ms.push_back(typed_metric("datetime", datatype::datetime, uint64_t{1'668'114'759'262}));
  ms.push_back(typed_metric("text", datatype::text, std::string("line 1\nline 2")));
  ms.push_back(typed_metric("uuid", datatype::uuid,
                            std::string("123e4567-e89b-12d3-a456-426614174000")));
  ms.push_back(typed_metric("bytes", datatype::bytes, bytes{0x00, 0xFF, 0x10}));
  ms.push_back(typed_metric("file", datatype::file, bytes{'P', 'K', 3, 4}));
  ms.back().meta.emplace();
  ms.back().meta->file_name = "recipe.zip";
  ms.back().meta->file_type = "zip";
  ms.back().meta->size = 4;
  ms.push_back(typed_metric("int8 array", datatype::int8_array, std::vector<int64_t>{-128, -23, 0, 127}));
  ms.push_back(typed_metric("int16 array", datatype::int16_array, std::vector<int64_t>{-32768, 32767}));
  ms.push_back(typed_metric("int32 array", datatype::int32_array,
                            std::vector<int64_t>{std::numeric_limits<int32_t>::min(), -1, 7}));
  ms.push_back(typed_metric("int64 array", datatype::int64_array,
                            std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 1}));
  ms.push_back(typed_metric("uint8 array", datatype::uint8_array, std::vector<uint64_t>{0, 255}));
  ms.push_back(typed_metric("uint16 array", datatype::uint16_array, std::vector<uint64_t>{65535, 1}));
  ms.push_back(typed_metric("uint32 array", datatype::uint32_array, std::vector<uint64_t>{4294967295u}));
  ms.push_back(typed_metric("uint64 array", datatype::uint64_array,
                            std::vector<uint64_t>{std::numeric_limits<uint64_t>::max(), 0}));
  ms.push_back(typed_metric("float array", datatype::float_array, std::vector<float>{1.23f, -0.0f}));
  ms.push_back(typed_metric("double array", datatype::double_array, std::vector<double>{1e300, -2.5}));
  ms.push_back(typed_metric("boolean array", datatype::boolean_array,
                            std::vector<bool>{true, false, true, true, false, false, true, false, true}));
  ms.push_back(typed_metric("string array", datatype::string_array,
                            std::vector<std::string>{"ABC", "", "hello"}));
  ms.push_back(typed_metric("datetime array", datatype::datetime_array,
                            std::vector<uint64_t>{1'668'114'759'262, 0}));
  dataset set;
  set.columns = {"n", "name"};
  set.types = {datatype::int32, datatype::string};
  set.rows = {{int64_t{-1}, std::string("a")}, {std::monostate{}, std::string("b")}};
  ms.push_back(typed_metric("dataset", datatype::dataset, set));
  template_value instance;
  instance.template_ref = "Motor";
  instance.is_definition = false;
  instance.metrics.push_back(typed_metric("RPM", datatype::float32, 1450.0f));
  ms.push_back(typed_metric("template", datatype::template_type, instance));
  return ms;
}

} // namespace floe::sparkplug::test
