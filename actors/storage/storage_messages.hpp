#pragma once
// Messages and the typed interface of the store_writer, the one actor that writes to a
// member's storage. Every writer of data (device actors, window aggregators, the alarm book,
// supervisors for births) sends to it; it groups what arrives into write batches.
//
// store_writer_actor:
//   window_routes            the aggregators (set once, before data flows)
//   point_records            raw points to store; their window samples go to the aggregators
//                            once the batch holding them is committed ("acknowledged")
//   windows::closed_windows  closed or recomputed windows (the aggregators' sink)
//   alarm_records            alarm transitions (history)
//   registry_record          one birth certificate (key "group/edge node/device")
//   commit_atom              internal: commit what is pending (sent to itself)
//   tick_atom                internal: run retention (sent to itself)
//   sync_atom -> uint64_t    commit what is pending now; replies the points committed so far
//   stats_atom -> store_stats

#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/alarms/alarm_types.hpp"
#include "actors/windows/window_messages.hpp"
#include "common/pipeline_backlog.hpp"
#include "store/values.hpp"

namespace floe::storage_actors {

using commit_atom = caf::atom_constant<caf::atom("scommit")>;
using sync_atom = caf::atom_constant<caf::atom("ssync")>;
using stats_atom = caf::atom_constant<caf::atom("sstats")>;

// Points of one message of one device. `samples` are the windowed subset (numeric, boolean
// and string metrics), with the same series ids and timestamps.
struct point_records {
  std::vector<store::stored_point> points;
  std::vector<windows::sample> samples;
  backlog_ticket ticket; // not serialized
};

// The window aggregators the writer feeds after commits; sent once at start-up (the
// aggregators need the writer as their sink first).
struct window_routes {
  std::vector<windows::window_aggregator_actor> aggregators;
};

struct alarm_records {
  std::vector<alarms::alarm_event> events;
};

struct registry_record {
  std::string key;   // "group/edge node/device" ("group/edge node/" for node metrics)
  std::string value; // JSON, see store_writer.hpp
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registry_record& x) {
  return f(caf::meta::type_name("floe::storage_actors::registry_record"), x.key, x.value);
}

// Counters since start (counts) and the sizes of the families (bytes, approximate).
struct store_stats {
  uint64_t points_committed = 0;  // acknowledged: in a committed batch
  uint64_t windows_committed = 0;
  uint64_t alarm_events_committed = 0;
  uint64_t births_committed = 0;
  uint64_t batches = 0;
  uint64_t commit_failures = 0;   // failed commits (the batch is kept and retried)
  uint64_t points_pending = 0;    // waiting for a commit (grows while the disk is full)
  uint64_t points_dropped = 0;    // refused because too many were pending
  uint64_t retention_runs = 0;
  // Live points: from their metric timestamp to their commit (ms; wall clocks of publisher
  // and host, so skew shows up here). 0 when none was committed.
  int64_t commit_latency_p50_ms = 0;
  int64_t commit_latency_p99_ms = 0;
  // Wall clock (ms UTC) of the last commit that held points; 0 before the first. With a
  // publisher's own clock on the same machine it dates "everything published is stored"
  // without polling for it.
  int64_t last_point_commit_ms = 0;
  std::string last_error;         // of the last failed commit; "" when none
  std::string location;           // storage::describe()
  std::vector<std::string> family_names;
  std::vector<uint64_t> family_bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_stats& x) {
  return f(caf::meta::type_name("floe::storage_actors::store_stats"), x.points_committed,
           x.windows_committed, x.alarm_events_committed, x.births_committed, x.batches,
           x.commit_failures, x.points_pending, x.points_dropped, x.retention_runs,
           x.commit_latency_p50_ms, x.commit_latency_p99_ms, x.last_point_commit_ms, x.last_error, x.location, x.family_names, x.family_bytes);
}

using store_writer_actor = caf::typed_actor<
  caf::reacts_to<window_routes>,
  caf::reacts_to<point_records>,
  caf::reacts_to<windows::closed_windows>,
  caf::reacts_to<alarm_records>,
  caf::reacts_to<registry_record>,
  caf::reacts_to<commit_atom>,
  caf::reacts_to<caf::tick_atom>,
  caf::replies_to<sync_atom>::with<uint64_t>,
  caf::replies_to<stats_atom>::with<store_stats>>;

} // namespace floe::storage_actors

// Local-only: stored values and alarm events hold std::variant / std::optional.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(floe::storage_actors::point_records)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(floe::storage_actors::alarm_records)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(floe::storage_actors::window_routes)
