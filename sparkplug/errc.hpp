#pragma once
// Errors of the Sparkplug codec: a code to branch on plus a detail naming the offending part
// (field, metric index, byte count) for operators.

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace floe::sparkplug {

enum class errc : uint8_t {
  // topics
  topic_not_sparkplug,      // first token is not "spBv1.0" (nor a 2.2 "STATE")
  topic_token_count,        // wrong number of '/'-separated tokens for the verb
  topic_unknown_verb,       // token 2 is not one of the nine message types
  topic_invalid_id,         // empty id, '+', '/', '#', NUL or invalid UTF-8 in an id
  // payloads
  payload_too_large,        // larger than decode_limits::max_payload_bytes
  payload_malformed,        // protobuf parse failure (truncated, garbage, bad wire type)
  limit_exceeded,           // too many metrics/elements, string too long, nesting too deep
  invalid_datatype,         // datatype outside 0..34, or not allowed at that place
  value_mismatch,           // value field absent/different from what the datatype requires
  array_malformed,          // packed array bytes not a whole number of elements
  dataset_malformed,        // columns/types/rows disagree
  property_set_malformed,   // keys and values differ in length
  state_malformed,          // STATE JSON is not {"online":bool,"timestamp":integer}
};

const char* to_string(errc code) noexcept;

struct error {
  errc code{};
  std::string detail;
};

// "payload_malformed: truncated varint at byte 17"
std::string to_string(const error& e);

template <class T>
using result = floe::result<T, error>;

inline floe::unexpected<error> fail(errc code, std::string detail) {
  return {error{code, std::move(detail)}};
}

} // namespace floe::sparkplug
