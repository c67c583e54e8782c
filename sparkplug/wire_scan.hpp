#pragma once
// A walk over the protobuf wire form of a Sparkplug Payload that follows the schema
// (proto/sparkplug_b.proto) but builds nothing. It finds the first wire-format fault
// (truncation, invalid wire type, length past the end, field number 0, unbalanced groups) and
// the first violated decode limit (metric count, element counts, string length, nesting), and
// names it with its byte offset. Private to sparkplug/.
//
// Why it exists: libprotobuf only says "parse failed". The decoder uses this walk to explain a
// failure (including protobuf's own recursion limit as limit_exceeded) and, for large payloads,
// to reject limit violations before libprotobuf allocates the whole structure.

#include <cstddef>
#include <cstdint>

#include "sparkplug/payload_codec.hpp"

namespace floe::sparkplug {

// protobuf's default recursion limit (io::CodedInputStream::GetDefaultRecursionLimit()): the
// parser fails on messages nested deeper than this.
inline constexpr size_t protobuf_recursion_limit = 100;

result<void> scan_payload_wire(const uint8_t* data, size_t size, const decode_limits& limits);

} // namespace floe::sparkplug
