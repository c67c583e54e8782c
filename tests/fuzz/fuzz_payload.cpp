// libFuzzer target: Sparkplug payload decoding.
// Invariants (a violation traps, which libFuzzer reports as a crash):
//   * decode_payload never crashes, whatever the bytes (ASan/UBSan watch memory and UB);
//   * whatever decodes, encodes again, and that encoding decodes to an equal payload;
//   * resolve_datatype on any decoded metric and any datatype returns, it never crashes;
//   * the wire walk that explains parse failures and guards large payloads (wire_scan.hpp)
//     finds no wire fault in whatever decodes and explains every failure of libprotobuf's
//     parser; also under tight limits, which small inputs can reach.

#include <cstddef>
#include <cstdint>
#include <string>

#include "sparkplug/payload_codec.hpp"
#include "sparkplug/wire_scan.hpp"

using namespace floe::sparkplug;

namespace {

decode_limits tight_limits() {
  decode_limits limits;
  limits.max_metrics = 8;
  limits.max_string_bytes = 64;
  limits.max_elements = 16;
  limits.max_depth = 3;
  return limits;
}

void check_wire_walk(const uint8_t* data, size_t size, const decode_limits& limits) {
  auto decoded = decode_payload(data, size, limits);
  auto walked = scan_payload_wire(data, size, limits);
  // The walk may be stricter about limits than the decoder: it also counts what protobuf
  // parses and then discards (an overwritten oneof member, a repeated singular field).
  if (decoded && !walked && walked.error().code != errc::limit_exceeded)
    __builtin_trap();
  if (!decoded && decoded.error().detail == "rejected by the protobuf parser")
    __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_wire_walk(data, size, tight_limits());
  check_wire_walk(data, size, decode_limits{});
  auto first = decode_payload(data, size);
  if (!first)
    return 0;
  std::string again;
  if (!encode_payload(*first, again))
    __builtin_trap();
  auto second = decode_payload(again);
  if (!second || !(*second == *first))
    __builtin_trap();

  // Late typing, as a host does with the birth's datatypes: any datatype must be handled.
  size_t tried = 0;
  for (const auto& m : first->metrics) {
    if (++tried > 4)
      break;
    for (uint32_t t = 0; t <= max_datatype_value + 1; ++t) {
      metric copy = m;
      auto r = resolve_datatype(copy, static_cast<datatype>(t));
      if (!r && !(copy == m)) // a failed resolve leaves the metric untouched
        __builtin_trap();
    }
  }
  return 0;
}
