#pragma once
// storage kept in ordered maps in memory: for actor tests and tools that need no persistence.
// Same contract as rocksdb_storage (tests/store runs one suite on both); data ends with the
// object. Thread-safe: commits take a write lock, reads and scans a read lock.

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "store/storage.hpp"

namespace floe::store {

class memory_storage final : public storage {
public:
  memory_storage() = default;

  result<void> commit(const write_batch& batch) override;
  result<std::string> get(family f, std::string_view key) override;
  result<size_t> scan(const scan_range& range, const scan_visitor& visit) override;
  result<uint64_t> approximate_size(family f) override;
  result<void> delete_older_than(family f, int64_t cutoff_ms) override;
  std::string describe() const override;

private:
  using table = std::map<std::string, std::string, std::less<>>;

  struct family_data {
    table entries;
    uint64_t bytes = 0; // key + value bytes of `entries`
  };

  family_data& data(family f) { return families_[static_cast<size_t>(f)]; }

  mutable std::shared_mutex mutex_;
  family_data families_[family_count];
};

} // namespace floe::store
