#include "store/errc.hpp"

namespace floe::store {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::io_error:
      return "io_error";
    case errc::no_space:
      return "no_space";
    case errc::corruption:
      return "corruption";
    case errc::not_found:
      return "not_found";
    case errc::invalid_argument:
      return "invalid_argument";
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

} // namespace floe::store
