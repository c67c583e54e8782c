#pragma once
// query_actor: the entry point of every question asked of a member (interface in
// query_messages.hpp). Its job is routing and reading: per-edge-node questions go to the
// owning supervisor (through the directory), alarm questions to the alarm book, history is read
// from the store directly (storage is thread-safe) and merged with the aggregators' open
// windows; statistics are gathered from the writer, the aggregators and the directory.
// Every request it makes has `timeout_ms`, so a question never hangs.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/query/query_messages.hpp"
#include "actors/windows/window_messages.hpp"
#include "config/defaults.hpp"
#include "store/storage.hpp"

namespace floe::store {
class series_dictionary;
}

namespace floe::query {

struct query_setup {
  std::string host_id;
  int64_t started_ms = 0;
  std::function<int64_t()> now_ms;           // wall clock (ms UTC)
  std::function<ingest_counters()> ingest;   // may be empty
  host::directory_actor directory;
  alarms::alarm_book_actor alarm_book;
  storage_actors::store_writer_actor writer;
  std::vector<windows::window_aggregator_actor> aggregators;
  cluster::cluster_actor cluster; // null: not a cluster member
  std::shared_ptr<store::storage> db;
  std::shared_ptr<store::series_dictionary> dictionary;
  std::vector<int64_t> window_widths_ms;
  size_t max_points = defaults::node::max_query_points;
  int64_t timeout_ms = defaults::node::query_timeout_ms;
};

struct query_state {
  static inline const char* name = "query_actor";
  query_setup setup;
};

using query_pointer = query_actor::stateful_pointer<query_state>;

query_actor::behavior_type query_behavior(query_pointer self, query_setup setup);

} // namespace floe::query
