#pragma once
// Series dictionary: a stable numeric id (keys.hpp series_id) for each series name, so that
// point and window keys carry 4 bytes instead of the name. Assignments live in the `meta`
// family under two keys written in one batch:
//   "series/name/" + name       -> id (4 bytes, big-endian)
//   "series/id/" + id (4 bytes) -> name
// An assignment is committed through the WAL (write_batch::require_wal, even when the store
// runs without one) before resolve() returns its id. Points under the id are stored in later
// batches, and the WAL is one ordered log, so no point can survive a crash while its
// assignment is forgotten or given to another name. Ids are never reused or changed.
//
// Thread-safe; callers share one dictionary per storage. Lookups of known names take a shared
// lock and a hash lookup, no I/O; they never wait for another caller's commit.

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/keys.hpp"
#include "store/series_name_table.hpp"
#include "store/storage.hpp"

namespace floe::store {

// "group/edge node/device/metric"; device is empty for edge-node metrics ("G/E//m").
// Sparkplug ids contain no '/', metric names may: the first three '/' are the separators.
std::string series_name(std::string_view group, std::string_view edge_node,
                        std::string_view device, std::string_view metric);

class series_dictionary {
public:
  // Reads every assignment from `db`'s meta family. errc::corruption if the two key sets
  // disagree or an entry is malformed. `db` must outlive the dictionary.
  static result<std::unique_ptr<series_dictionary>> load(storage& db);

  // The id of `name`, assigning and durably committing the next free id if it is new.
  // errc::invalid_argument for an empty or too long name (defaults::store::max_series_name_bytes)
  // or when the id space is exhausted; storage errors pass through (the name stays unassigned).
  result<series_id> resolve(std::string_view name);
  // Same for many names (a birth's metrics) with at most one synced commit; ids in input order.
  result<std::vector<series_id>> resolve_all(const std::vector<std::string>& names);

  // Known ids only; no I/O, never assigns.
  std::optional<series_id> find(std::string_view name) const;
  std::optional<std::string> name_of(series_id id) const;
  size_t size() const;
  // The id the next new name will get: every id below it is assigned (or was skipped), every
  // id from it up is free.
  series_id next_free_id() const;
  // Every edge node ("group/edge") that has a series, sorted (a cluster member's known edge
  // nodes at start).
  std::vector<std::string> edge_nodes() const;

  series_dictionary(const series_dictionary&) = delete;
  series_dictionary& operator=(const series_dictionary&) = delete;

private:
  explicit series_dictionary(storage& db);

  storage& db_;
  // Held by one assigning caller from choosing ids until the maps hold them (commit included),
  // so two callers never hand out the same id.
  std::mutex assign_mutex_;
  // Guards the maps; held only briefly, never across I/O.
  mutable std::shared_mutex maps_mutex_;
  series_name_table names_;
  series_id next_ = first_series_id; // written under both mutexes
};

} // namespace floe::store
