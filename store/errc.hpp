#pragma once
// Errors of the storage layer: a code to branch on plus a detail for operators (which family,
// which key, what RocksDB said). Nothing in store/ throws outward; every failure is one of these.

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace floe::store {

enum class errc : uint8_t {
  io_error,         // the file system or RocksDB failed (incl. a database locked by another one)
  no_space,         // the disk is full: the batch was not applied; retry after space is freed
  corruption,       // stored bytes are malformed (bad checksum, undecodable key or value)
  not_found,        // no entry under the key (get), or no database where one was required
  invalid_argument, // the caller asked for something the layer cannot do (bad family, bad key)
};

const char* to_string(errc code) noexcept;

struct error {
  errc code = errc::io_error;
  std::string detail;
};

// "no_space: commit of 12 operations (4096 bytes) to /var/lib/floe: ..."
std::string to_string(const error& e);

template <class T>
using result = floe::result<T, error>;

inline floe::unexpected<error> fail(errc code, std::string detail) {
  return {error{code, std::move(detail)}};
}

} // namespace floe::store
