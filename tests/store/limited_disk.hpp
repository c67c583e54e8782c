#pragma once
// A RocksDB file system over the real one with a byte budget for writes: once the budget is
// spent, an append writes what still fits and fails with ENOSPC (IOStatus::NoSpace), as a
// full disk does. Lets the tests drive RocksDB's own full-disk path, not just a mock.

#include <cstdint>
#include <memory>

namespace rocksdb {
class Env;
} // namespace rocksdb

namespace floe::store::test {

class limited_disk {
public:
  limited_disk(); // unlimited until limit_to_more() is called
  ~limited_disk();

  // For rocksdb_options::env. Keep this object alive as long as the storage.
  std::shared_ptr<rocksdb::Env> env() const;
  // From now on only `bytes` more may be written (0: the disk is full).
  void limit_to_more(uint64_t bytes);
  // Space freed: no limit any more.
  void unlimited();
  uint64_t bytes_written() const;
  uint64_t failed_appends() const;

  struct state;

private:
  std::shared_ptr<state> state_;
  std::shared_ptr<rocksdb::Env> env_;
};

} // namespace floe::store::test
