#include "sparkplug/errc.hpp"

namespace floe::sparkplug {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::topic_not_sparkplug:
      return "topic_not_sparkplug";
    case errc::topic_token_count:
      return "topic_token_count";
    case errc::topic_unknown_verb:
      return "topic_unknown_verb";
    case errc::topic_invalid_id:
      return "topic_invalid_id";
    case errc::payload_too_large:
      return "payload_too_large";
    case errc::payload_malformed:
      return "payload_malformed";
    case errc::limit_exceeded:
      return "limit_exceeded";
    case errc::invalid_datatype:
      return "invalid_datatype";
    case errc::value_mismatch:
      return "value_mismatch";
    case errc::array_malformed:
      return "array_malformed";
    case errc::dataset_malformed:
      return "dataset_malformed";
    case errc::property_set_malformed:
      return "property_set_malformed";
    case errc::state_malformed:
      return "state_malformed";
  }
  return "unknown_error";
}

std::string to_string(const error& e) {
  std::string out = to_string(e.code);
  if (!e.detail.empty()) {
    out += ": ";
    out += e.detail;
  }
  return out;
}

} // namespace floe::sparkplug
