#pragma once
// Which key ranges retention deletes, computed the same way for every storage implementation.
//
// points: one range per series, [point_key(s, INT64_MIN, 0), point_key(s, cutoff, 0)).
// windows: one range per (series, width), ending before the first window with
//   start + width > cutoff.
// Series and widths are discovered by seeking (skip scan): one seek per range, never a
// read of every key, so a run costs O(series x widths) whatever the number of points.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/storage.hpp"

namespace floe::store {

struct key_range {
  std::string begin; // inclusive
  std::string end;   // exclusive
};

// The smallest key >= `key` in the family being trimmed, or nullopt past the last key.
using key_seeker = std::function<result<std::optional<std::string>>(std::string_view key)>;

// Non-empty ranges to delete; errc::invalid_argument for families other than points/windows.
// Keys too short to carry a series id (not written by floe) are stepped over, not deleted.
result<std::vector<key_range>> retention_ranges(family f, int64_t cutoff_ms,
                                                const key_seeker& first_at_or_after);

} // namespace floe::store
