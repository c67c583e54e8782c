#pragma once
// store_writer: the one actor that writes to a member's storage. Its job is batching: what
// arrives is appended to one write_batch, which is committed when the mailbox has been drained
// (the writer sends itself commit_atom when a batch starts, so the commit comes after every
// message already queued) or when it holds batch_max_points points. After a commit, the window
// samples of its points go to their window aggregators (shard_of): a point is windowed only
// once it is durable, and "acknowledged" means committed.
//
// Layouts it writes (keys.hpp/values.hpp for points and windows):
//   registry: "group/edge node/device" -> JSON {"group","edge_node","device","timestamp",
//             "metrics":[{"name","datatype","series","alias"?,"properties"?}]}
//   alarms:   "e" + be64(order-preserving timestamp ms) + be32(arrival number) + alarm id +
//             "#" + occurrence + "/" + transition  ->  JSON of the event. The arrival number
//             (counted by the writer) keeps transitions of one millisecond in the order they
//             happened (raised before acknowledged).
// A failed commit (full disk, I/O error) keeps the batch and retries with backoff
// (retry_min_ms doubling to retry_max_ms); meanwhile new data still queues in the batch up to
// max_pending_points points, beyond which new points are dropped and counted. Nothing else of
// the node stops. Retention runs here too, every retention_interval_ms.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/alarms/alarm_messages.hpp"
#include "actors/storage/storage_messages.hpp"
#include "actors/windows/window_messages.hpp"
#include "common/latency_histogram.hpp"
#include "config/defaults.hpp"
#include "store/storage.hpp"

namespace floe::storage_actors {

struct store_writer_setup {
  std::shared_ptr<store::storage> db; // required
  std::vector<windows::window_aggregator_actor> aggregators; // may be empty (no windows)
  size_t batch_max_points = defaults::node::store_batch_max_points;
  size_t max_pending_points = 50 * defaults::node::store_batch_max_points;
  int64_t retry_min_ms = 100;
  int64_t retry_max_ms = 5'000;
  // Retention (ms; 0 = keep forever) and how often it runs (ms; 0 = never).
  int64_t points_retention_ms = defaults::node::points_retention_h * 3'600'000;
  int64_t windows_retention_ms = defaults::node::windows_retention_h * 3'600'000;
  int64_t retention_interval_ms = defaults::node::retention_interval_s * 1'000;
  std::function<int64_t()> now_ms; // wall clock (ms UTC), for retention cutoffs and logs
  // Where the samples sent to the aggregators count (point_batch::ticket); null: nowhere.
  std::shared_ptr<pipeline_backlog> backlog;
};

struct store_writer_state {
  static inline const char* name = "store_writer";
  store_writer_setup setup;
  store::write_batch batch;
  std::vector<windows::sample> samples; // of the points in `batch`
  std::vector<int64_t> live_timestamps;  // metric timestamps of the live points in `batch`
  latency_histogram commit_latency;      // of every committed live point since start
  uint64_t batch_points = 0;
  uint64_t batch_windows = 0;
  uint64_t batch_alarms = 0;
  uint64_t batch_births = 0;
  uint32_t alarm_arrivals = 0; // numbers alarm events in arrival order (keys)
  bool commit_queued = false; // a commit_atom is in the mailbox
  bool retrying = false;      // the last commit failed; a retry is scheduled
  int64_t retry_delay_ms = 0;
  store_stats stats;
};

using store_writer_pointer = store_writer_actor::stateful_pointer<store_writer_state>;

store_writer_actor::behavior_type store_writer(store_writer_pointer self, store_writer_setup setup);

// The alarms-family key of one event (see above).
std::string alarm_event_key(const alarms::alarm_event& e, uint32_t arrival);
std::string alarm_event_json(const alarms::alarm_event& e);

// The newest `limit` alarm transitions stored in `db`, oldest first, as the alarm book shows
// them (after a restart its history continues where it was). Entries that do not parse are
// skipped and counted in `skipped` (if given); storage errors give an empty history.
std::vector<alarms::alarm_view> load_alarm_history(store::storage& db, size_t limit,
                                                   size_t* skipped = nullptr);

} // namespace floe::storage_actors
