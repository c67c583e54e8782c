// Sparkplug 3.0 STATE payload: UTF-8 JSON {"online":<bool>,"timestamp":<integer ms>}.
// Decoding is strict about types (the TCK requires an integer timestamp; "1.6e12" or a quoted
// number is rejected) and tolerant of additional keys, which later revisions may add.

#include <nlohmann/json.hpp>

#include "sparkplug/payload_codec.hpp"

namespace floe::sparkplug {

result<state_payload> decode_state(std::string_view json) {
  if (json.size() > defaults::codec::max_state_bytes)
    return fail(errc::state_malformed, std::to_string(json.size())
                                         + " bytes exceed the STATE limit of "
                                         + std::to_string(defaults::codec::max_state_bytes));
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception& e) {
    return fail(errc::state_malformed, std::string("not JSON: ") + e.what());
  }
  if (doc.is_discarded())
    return fail(errc::state_malformed, "not valid JSON");
  if (!doc.is_object())
    return fail(errc::state_malformed, "not a JSON object");
  auto online = doc.find("online");
  if (online == doc.end())
    return fail(errc::state_malformed, "\"online\" is missing");
  if (!online->is_boolean())
    return fail(errc::state_malformed, "\"online\" is not a boolean");
  auto timestamp = doc.find("timestamp");
  if (timestamp == doc.end())
    return fail(errc::state_malformed, "\"timestamp\" is missing");
  // nlohmann stores non-negative integers as number_unsigned; negative ones as number_integer;
  // anything with a fraction or exponent (or beyond uint64) as number_float.
  if (!timestamp->is_number_unsigned())
    return fail(errc::state_malformed,
                timestamp->is_number_integer() ? "\"timestamp\" is negative"
                                               : "\"timestamp\" is not an integer");
  state_payload out;
  out.online = online->get<bool>();
  out.timestamp = timestamp->get<uint64_t>();
  return out;
}

std::string encode_state(const state_payload& s) {
  std::string out = s.online ? "{\"online\":true,\"timestamp\":" : "{\"online\":false,\"timestamp\":";
  out += std::to_string(s.timestamp);
  out += '}';
  return out;
}

} // namespace floe::sparkplug
