#pragma once
// window_aggregator: the actor owning the series_windows of one shard of series. Its job is to
// turn points into windows; storing them is the sink's job. The node spawns
// defaults::windows::aggregator_count of them and routes each point by shard_of(series_id, n).
//
// Processing time is the actor clock (ms since its epoch): arrivals and ticks use it, so the
// test coordinator's virtual clock drives it in tests.
//
// A series seen for the first time (first point, query or rebuild_atom) is first rebuilt from
// the raw point source, so after a restart (kill -9) its open windows continue where they were.
// If its value kind changes (a rebirth with another datatype), its open windows are closed and
// it starts afresh with the new kind.
//
// Raw point source calls run synchronously inside the actor; see raw_point_source.hpp for the
// consistency and thread-safety contract.

#include <cstdint>
#include <memory>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/windows/raw_point_source.hpp"
#include "actors/windows/series_windows.hpp"
#include "actors/windows/window_messages.hpp"
#include "common/result.hpp"
#include "config/defaults.hpp"

namespace floe::windows {

struct aggregator_setup {
  window_config config = default_window_config();
  std::shared_ptr<raw_point_source> raw;  // required; shared by the pool (thread-safe)
  window_sink_actor sink;                 // receives closed_windows; may be null (dropped)
  // Period of the actor's own tick (ms); 0: only ticks sent by others.
  int64_t tick_interval_ms = floe::defaults::windows::tick_interval_ms;
  // Series ids from this one up were assigned after the store was opened, so no raw point of
  // theirs predates this process and the aggregator sees all of them: such a series starts
  // empty instead of being rebuilt from raw points (one store read saved per new series).
  // Default: none is known to be new.
  uint64_t fresh_series_from = UINT64_MAX;
};

// The series of one shard, by id. Memory: instead of a node per series (std::unordered_map:
// allocation, next pointer, key copy, buckets) the series sit in fixed-size chunks (stable
// addresses, no per-series allocation) and an open-addressing index maps an id to its slot
// (4 bytes per index slot). Series are never removed, only replaced in place.
class series_table {
public:
  series_windows* find(uint64_t id);
  // Adds a series whose id is not in the table yet; the reference stays valid.
  series_windows& insert(series_windows sw);
  size_t size() const { return size_; }

  template <class F>
  void for_each(F&& f) {
    for (auto& chunk : chunks_)
      for (auto& sw : chunk)
        f(sw);
  }

private:
  static constexpr size_t chunk_size = 64;
  static constexpr uint32_t empty_slot = UINT32_MAX;
  series_windows& at(uint32_t index) {
    return chunks_[index / chunk_size][index % chunk_size];
  }
  void grow_index();

  std::vector<std::vector<series_windows>> chunks_; // each reserved chunk_size, never beyond
  std::vector<uint32_t> index_;                     // power-of-two slots, linear probing
  size_t size_ = 0;
};

struct window_aggregator_state {
  static inline const char* name = "window_aggregator";
  aggregator_setup setup;
  series_table series;
  std::vector<window_result> closed;  // reused output buffer, sent and emptied per message
  aggregator_stats stats;
};

using window_aggregator_pointer =
  window_aggregator_actor::stateful_pointer<window_aggregator_state>;

// Behaviour of the actor. setup.raw must not be null (spawn_window_aggregator checks it).
window_aggregator_actor::behavior_type window_aggregator(window_aggregator_pointer self,
                                                         aggregator_setup setup);

// Spawns one aggregator. Errors: missing_raw_source when setup.raw is null; bad_width or
// bad_lateness when setup.config does not pass make_window_config.
result<window_aggregator_actor, errc> spawn_window_aggregator(caf::actor_system& sys,
                                                              aggregator_setup setup);

// Registers every message type of window_messages.hpp (for sending across nodes and for
// readable printing); call on the node's actor_system_config before the system starts.
void add_window_message_types(caf::actor_system_config& cfg);

} // namespace floe::windows
