#pragma once
// The storage interface of a floe member: five key spaces ("families", RocksDB column families),
// atomic write batches, point reads, ordered range scans, sizes and time-based retention.
// Two implementations: rocksdb_storage (production) and memory_storage (actor tests), plus
// faulty_storage, a wrapper that injects deterministic failures (full disk, failing reads).
//
// Contract shared by every implementation (tests/store runs one behavioural suite on each):
// - A committed batch is applied entirely or not at all.
// - Keys compare as unsigned bytes (memcmp order); keys.hpp encodes series and time so that
//   this order is time order.
// - Methods never throw; they are safe to call from several threads at once. A scan visitor
//   must not call back into the same storage (implementations may hold a lock while visiting).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/errc.hpp"

namespace floe::store {

// The column families. Values are indexes (0..family_count-1), not persisted anywhere.
enum class family : uint8_t {
  points,   // raw samples: keys.hpp point keys -> values.hpp point values
  windows,  // closed aggregates: keys.hpp window keys -> values.hpp window records
  registry, // births: names, aliases, datatypes, properties (layout owned by the writer)
  alarms,   // alarm events and states (layout owned by the writer)
  meta,     // bookkeeping: series dictionary, format version
};
inline constexpr size_t family_count = 5;
inline constexpr family all_families[family_count] = {family::points, family::windows,
                                                      family::registry, family::alarms,
                                                      family::meta};

// Column family name on disk ("points", ...). Never change these: they name existing data.
const char* to_string(family f) noexcept;

// What a commit waits for before it returns.
enum class durability : uint8_t {
  sync, // WAL written and fsynced per batch: survives power loss (default)
  wal,  // WAL written, not fsynced: survives a crash of the process, not of the machine
  none, // no WAL: a crash loses every batch since the last memtable flush
};
const char* to_string(durability d) noexcept;
// "sync" | "wal" | "none" (as in config files and --store-durability); nullopt otherwise.
std::optional<durability> durability_from_string(std::string_view text) noexcept;
// defaults::store::durability parsed.
durability default_durability() noexcept;

// An ordered list of puts and erases over any families, applied atomically by commit().
// Plain data: building a batch touches no storage. Later operations on the same key win.
class write_batch {
public:
  struct operation {
    family fam = family::points;
    bool erase = false;
    std::string key;
    std::string value; // empty for erases
  };

  void put(family f, std::string key, std::string value);
  void erase(family f, std::string_view key);

  // Commit this batch with WAL + fsync whatever the store's durability (e.g. series dictionary
  // assignments, which later points depend on).
  void require_sync() noexcept { sync_required_ = true; }
  bool sync_required() const noexcept { return sync_required_; }

  // Commit this batch through the WAL but without waiting for an fsync, whatever the store's
  // durability. The WAL is one ordered log: the batch is durable once any later synced commit
  // is, and recovery never keeps a later batch without it. For writes that later batches
  // depend on but that need no durability of their own (series dictionary assignments: a
  // point is only ever stored in a later batch). require_sync() wins over it.
  void require_wal() noexcept { wal_required_ = true; }
  bool wal_required() const noexcept { return wal_required_; }

  bool empty() const noexcept { return ops_.empty(); }
  size_t size() const noexcept { return ops_.size(); }
  // Key plus value bytes of all operations (what a full disk is measured against in tests).
  uint64_t payload_bytes() const noexcept { return payload_bytes_; }
  const std::vector<operation>& operations() const noexcept { return ops_; }
  void clear() noexcept;

private:
  std::vector<operation> ops_;
  uint64_t payload_bytes_ = 0;
  bool sync_required_ = false;
  bool wal_required_ = false;
};

inline constexpr size_t no_limit = std::numeric_limits<size_t>::max();

enum class scan_order : uint8_t { ascending, descending };

// Keys k with begin <= k < end of one family. An empty `end` means "to the end of the family".
struct scan_range {
  family fam = family::points;
  std::string begin;
  std::string end;
  size_t limit = no_limit;                  // most entries handed to the visitor
  scan_order order = scan_order::ascending; // descending starts at the largest key < end
};

// Receives each entry in order; the views are valid only during the call. Return false to stop.
using scan_visitor = std::function<bool(std::string_view key, std::string_view value)>;

class storage {
public:
  virtual ~storage();

  // Applies every operation of `batch` or none of them. An empty batch succeeds and writes
  // nothing. no_space: the disk is full; the store accepts commits again once space is freed.
  virtual result<void> commit(const write_batch& batch) = 0;

  // The value under `key`; errc::not_found if there is none.
  virtual result<std::string> get(family f, std::string_view key) = 0;

  // Hands entries of `range` to `visit` in key order; returns how many it handed over.
  virtual result<size_t> scan(const scan_range& range, const scan_visitor& visit) = 0;

  // Bytes the family occupies, approximately (RocksDB: live SST files, compressed, plus
  // memtables; memory: key + value bytes). For monitoring, not for accounting.
  virtual result<uint64_t> approximate_size(family f) = 0;

  // Retention. points: deletes every sample with timestamp < cutoff_ms. windows: deletes every
  // window that ends at or before the cutoff (start + width <= cutoff_ms), so a window that
  // still covers newer time stays whole. Other families: errc::invalid_argument.
  // Works on keys.hpp keys; keys too short to hold a series id are left alone.
  virtual result<void> delete_older_than(family f, int64_t cutoff_ms) = 0;

  // Where the data lives, for logs: "rocksdb:/var/lib/floe", "memory".
  virtual std::string describe() const = 0;
};

} // namespace floe::store
