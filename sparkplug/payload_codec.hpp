#pragma once
// Sparkplug B payload codec: protobuf wire form <-> floe::sparkplug::payload, plus the 3.0 STATE
// JSON. Decoding never throws and never trusts counts from the wire: every bound in
// decode_limits is checked and a violation is an error value naming the place.
// Thread-safety: all functions are reentrant; no shared state.

#include <cstddef>
#include <string>
#include <string_view>

#include "config/defaults.hpp"
#include "sparkplug/errc.hpp"
#include "sparkplug/types.hpp"

namespace floe::sparkplug {

struct decode_limits {
  // Largest accepted payload. Default: defaults::codec::max_payload_bytes (bytes).
  size_t max_payload_bytes = defaults::codec::max_payload_bytes;
  // Most metrics in one payload (top level plus template members).
  size_t max_metrics = defaults::codec::max_metrics;
  // Longest string or bytes value, metric name or property key (bytes).
  size_t max_string_bytes = defaults::codec::max_string_bytes;
  // Most elements in one array, DataSet (rows x columns) or property set.
  size_t max_elements = defaults::codec::max_elements;
  // Deepest nesting of templates and property sets.
  size_t max_depth = defaults::codec::max_depth;
};

// Decodes a protobuf Payload. Metrics that carry a datatype get typed values; metrics without
// one keep the raw wire value (see types.hpp) until resolve_datatype().
result<payload> decode_payload(const void* data, size_t size, const decode_limits& limits = {});
inline result<payload> decode_payload(std::string_view bytes, const decode_limits& limits = {}) {
  return decode_payload(bytes.data(), bytes.size(), limits);
}

// Converts a raw (untyped) metric value into the typed form for `t`, e.g. sign-extends an
// Int16 carried in int_value or unpacks a FloatArray from bytes. Also applies to template
// members. Error when the wire field cannot hold a `t` (value_mismatch, array_malformed).
result<void> resolve_datatype(metric& m, datatype t);

// Encodes `p`, appending to `out` (cleared first). Error when a metric's value alternative does
// not fit its datatype.
result<void> encode_payload(const payload& p, std::string& out);
result<std::string> encode_payload(const payload& p);

// Choices the specification leaves to the encoder.
struct encode_options {
  // UInt32 values (metrics, DataSet cells, parameters, properties) go into long_value, as
  // Eclipse Tahu and Ignition expect; false: int_value, as the specification's table says.
  // Decoding accepts either. Default: defaults::codec::uint32_in_long_value.
  bool uint32_in_long_value = defaults::codec::uint32_in_long_value;
};
result<void> encode_payload(const payload& p, std::string& out, const encode_options& options);

// Sparkplug 3.0 STATE message: {"online":true,"timestamp":1668114759262}.
struct state_payload {
  bool online = false;
  uint64_t timestamp = 0; // ms since the Unix epoch, UTC
  friend bool operator==(const state_payload& a, const state_payload& b) {
    return a.online == b.online && a.timestamp == b.timestamp;
  }
};

result<state_payload> decode_state(std::string_view json);
std::string encode_state(const state_payload& s);

} // namespace floe::sparkplug
