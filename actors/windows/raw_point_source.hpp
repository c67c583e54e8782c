#pragma once
// raw_point_source: read access to the stored raw points of a series, used to recompute
// windows that a late, historical or duplicate point re-opens, and to rebuild open windows after
// a restart. The RocksDB-backed implementation belongs to the store module; memory_point_source
// below serves tests and in-memory nodes.
//
// Contract for implementations:
// - Consistency: a call must see every point that was handed to series_windows::add before the
//   call (the node lets points reach the aggregators only after the store accepted them, or the
//   store answers from its pending write batch too). Points of the batch being added need not
//   be there: the core merges them in itself. Seeing a point twice is harmless (identity
//   (series, timestamp, seq) is deduplicated).
// - Threads: the aggregator pool calls one shared instance from several actors at once, so
//   every method must be safe to call concurrently.
// - Errors: storage failures return errc::raw_source_failed; the core then leaves the affected
//   windows as they were and reports the failure.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

#include "actors/windows/window_types.hpp"
#include "common/result.hpp"

namespace floe::windows {

class raw_point_source {
public:
  virtual ~raw_point_source();

  // Every stored point of series_id with from_ms <= timestamp_ms < to_ms, preferably in
  // (timestamp, seq) order (the core sorts anyway).
  virtual result<std::vector<sample>, errc> points(uint64_t series_id, int64_t from_ms,
                                                   int64_t to_ms) = 0;

  // The stored point of series_id with the greatest (timestamp, seq) among those with
  // timestamp_ms < before_ms; none if there is no such point.
  virtual result<std::optional<sample>, errc> last_before(uint64_t series_id,
                                                          int64_t before_ms) = 0;

  // The stored point of series_id with the smallest (timestamp, seq) among those with
  // timestamp_ms >= from_ms; none if there is no such point.
  virtual result<std::optional<sample>, errc> first_from(uint64_t series_id,
                                                         int64_t from_ms) = 0;
};

// All points in a std::map under a mutex. put() of an existing identity replaces the point,
// as the store's put of the same key does.
class memory_point_source : public raw_point_source {
public:
  void put(const sample& s);
  size_t size() const;

  result<std::vector<sample>, errc> points(uint64_t series_id, int64_t from_ms,
                                           int64_t to_ms) override;
  result<std::optional<sample>, errc> last_before(uint64_t series_id,
                                                  int64_t before_ms) override;
  result<std::optional<sample>, errc> first_from(uint64_t series_id, int64_t from_ms) override;

private:
  using key = std::tuple<uint64_t, int64_t, uint16_t>;  // series, timestamp, seq
  mutable std::mutex mtx_;
  std::map<key, sample> points_;
};

} // namespace floe::windows
