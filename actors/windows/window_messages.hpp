#pragma once
// Messages and typed interfaces of the window aggregation actors.
//
// window_aggregator_actor (one per shard of series; see shard_of):
//   point_batch                          points in, any mix of series of this shard, in
//                                        arrival order; closed windows go to the sink
//   tick_atom                            advance the processing-time watermark of every series
//                                        (closes windows of idle series)
//   flush_atom -> uint64_t               close every open window now; replies how many
//   get_atom, series_id -> vector<window_result>   current (open) windows of one series
//   rebuild_atom, vector<series_id> -> uint64_t    rebuild those series from raw points
//                                        (after a restart) unless already in memory; replies
//                                        how many of them are held afterwards
//   stats_atom -> aggregator_stats       counters since spawn
// window_sink_actor: receives closed_windows (final windows, and re-emitted recomputed ones).
//
// Every message type here is inspectable, so the node can register them
// (add_window_message_types) and send them across the cluster.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "common/pipeline_backlog.hpp"

#include "actors/windows/window_types.hpp"

namespace floe::windows {

using rebuild_atom = caf::atom_constant<caf::atom("wrebuild")>;
using stats_atom = caf::atom_constant<caf::atom("wstats")>;

// Points for one aggregator.
struct point_batch {
  std::vector<sample> points;
  backlog_ticket ticket; // its bytes in the node's pipeline_backlog (not serialized)
};

// Windows one aggregator closed or recomputed while handling one message, in emission order.
struct closed_windows {
  std::vector<window_result> windows;
};

// Counters of one aggregator since it was spawned (counts).
struct aggregator_stats {
  uint64_t series = 0;              // series held in memory
  uint64_t open_windows = 0;        // windows currently open (all widths)
  uint64_t points_accepted = 0;
  uint64_t points_late = 0;         // accepted points that needed a recomputation
  uint64_t points_rejected = 0;     // invalid points (bad timestamp, non-finite number, ...)
  uint64_t kind_changes = 0;        // series whose value kind changed: old windows closed
  uint64_t recompute_failures = 0;  // windows not corrected because the raw source failed
  uint64_t rebuilds = 0;            // series rebuilt from raw points
  uint64_t windows_emitted = 0;     // window_results sent to the sink
};

// Which of `shards` aggregators owns a series (shards > 0). Series ids are assigned densely, so
// the id is mixed first to spread neighbours evenly.
inline size_t shard_of(uint64_t series_id, size_t shards) {
  uint64_t x = series_id + 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return shards == 0 ? 0 : static_cast<size_t>(x % shards);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sample& x) {
  return f(caf::meta::type_name("floe::windows::sample"), x.series_id, x.timestamp_ms, x.seq,
           x.kind, x.number, x.flag, x.text, x.historical);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, window_result& x) {
  return f(caf::meta::type_name("floe::windows::window_result"), x.series_id, x.width_ms,
           x.start_ms, x.end_ms, x.kind, x.final, x.recomputed, x.count, x.first_ts_ms,
           x.last_ts_ms, x.min, x.max, x.sum, x.mean, x.stddev, x.first, x.last, x.last_flag,
           x.time_true_ms, x.changes, x.last_text);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, point_batch& x) {
  return f(caf::meta::type_name("floe::windows::point_batch"), x.points);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, closed_windows& x) {
  return f(caf::meta::type_name("floe::windows::closed_windows"), x.windows);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, aggregator_stats& x) {
  return f(caf::meta::type_name("floe::windows::aggregator_stats"), x.series, x.open_windows,
           x.points_accepted, x.points_late, x.points_rejected, x.kind_changes,
           x.recompute_failures, x.rebuilds, x.windows_emitted);
}

inline bool operator==(const point_batch& a, const point_batch& b) {
  return a.points == b.points;
}
inline bool operator==(const closed_windows& a, const closed_windows& b) {
  return a.windows == b.windows;
}

using window_sink_actor = caf::typed_actor<caf::reacts_to<closed_windows>>;

using window_aggregator_actor = caf::typed_actor<
  caf::reacts_to<point_batch>,
  caf::reacts_to<caf::tick_atom>,
  caf::replies_to<caf::flush_atom>::with<uint64_t>,
  caf::replies_to<caf::get_atom, uint64_t>::with<std::vector<window_result>>,
  caf::replies_to<rebuild_atom, std::vector<uint64_t>>::with<uint64_t>,
  caf::replies_to<stats_atom>::with<aggregator_stats>>;

} // namespace floe::windows
