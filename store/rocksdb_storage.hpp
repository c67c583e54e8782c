#pragma once
// storage on RocksDB: one database per floe member, one column family per store::family
// (created on open when missing). RocksDB headers stay out of this header.

#include <cstdint>
#include <memory>
#include <string>

#include "config/defaults.hpp"
#include "store/storage.hpp"

namespace rocksdb {
class Env;
} // namespace rocksdb

namespace floe::store {

struct rocksdb_options {
  std::string path = std::string(defaults::store::data_dir);
  durability mode = default_durability();
  // Create the directory and the database when missing; otherwise open fails with not_found.
  bool create_if_missing = true;
  uint64_t write_buffer_bytes = defaults::store::write_buffer_bytes;
  uint64_t memtable_budget_bytes = defaults::store::memtable_budget_bytes; // 0 = none
  // Series ids below this get insert hints in the points memtable (defaults::store::
  // hinted_series; 0 = none).
  uint32_t hinted_series = defaults::store::hinted_series;
  uint64_t block_cache_bytes = defaults::store::block_cache_bytes;
  uint64_t block_bytes = defaults::store::block_bytes;
  uint64_t max_total_wal_bytes = defaults::store::max_total_wal_bytes;
  int max_background_jobs = defaults::store::max_background_jobs;
  double bloom_bits_per_key = defaults::store::bloom_bits_per_key;
  size_t keep_log_files = defaults::store::keep_log_files;
  // Free space a commit leaves on the data directory's file system (bytes; 0 = no check).
  uint64_t min_free_bytes = defaults::store::min_free_bytes;
  // File system access; nullptr = the operating system's. Tests pass one that simulates a full
  // disk. The Env must outlive the storage.
  std::shared_ptr<rocksdb::Env> env;
};

class rocksdb_storage final : public storage {
public:
  // Opens (or creates) the database at options.path. Errors name the path and the cause:
  // locked by another process, permission denied, corrupt files, missing database.
  static result<std::unique_ptr<rocksdb_storage>> open(rocksdb_options options);

  // Closes the database; with durability `wal` or `none`, unflushed data may be lost only if
  // the process dies before this returns.
  ~rocksdb_storage() override;

  rocksdb_storage(const rocksdb_storage&) = delete;
  rocksdb_storage& operator=(const rocksdb_storage&) = delete;

  // Refused with no_space while the file system has less than min_free_bytes (+ twice the
  // batch) free. After a failed write RocksDB stops accepting writes; the next commit with
  // enough free space closes and reopens the database (WAL replay) and goes on, so commits
  // succeed again once the disk has room (decisions D22).
  result<void> commit(const write_batch& batch) override;
  result<std::string> get(family f, std::string_view key) override;
  result<size_t> scan(const scan_range& range, const scan_visitor& visit) override;
  result<uint64_t> approximate_size(family f) override;
  // One DeleteRange per series (points) or per series and width (windows), committed in one
  // batch, then DeleteFilesInRanges drops SST files that lie wholly inside those ranges.
  // Why not a compaction filter: a filter drops keys only when a compaction happens to rewrite
  // their file, so old points stay readable for an unbounded time (the bottom level is rarely
  // rewritten) and the cutoff would have to be a clock read on a background thread. Range
  // tombstones hide the data from the very next read, go through the WAL like any batch, cost
  // one seek per series, and a test can check the result exactly.
  result<void> delete_older_than(family f, int64_t cutoff_ms) override;
  std::string describe() const override;

  // Writes every memtable to SST files (benchmarks, tests, before copying the directory).
  result<void> flush();
  // Rewrites the whole family down to the last level: reclaims the space of deleted and
  // overwritten keys now instead of eventually.
  result<void> compact(family f);
  const std::string& path() const noexcept;

private:
  struct impl;
  explicit rocksdb_storage(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

} // namespace floe::store
