#pragma once
// What every edge_node_supervisor and device_actor of one member shares: the collaborators
// they send to and the settings they run with. Built once by the node (node/) or a test
// fixture before the first supervisor is spawned; immutable afterwards and shared by pointer.
// Everything reachable from here is safe to use from several actors at once.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/alarms/alarm_messages.hpp"
#include "actors/host/edge_node_session.hpp"
#include "actors/storage/storage_messages.hpp"
#include "common/pipeline_backlog.hpp"
#include "sparkplug/payload_codec.hpp"

namespace floe::alarms {
class rule_set;
}
namespace floe::store {
class series_dictionary;
}

namespace floe::host {

struct host_context {
  // Wall clock (ms since the Unix epoch, UTC): arrival times, session and alarm timers. Tests
  // derive it from the test coordinator's clock so that timers and times agree.
  std::function<int64_t()> now_ms;
  // Publishes one MQTT message (NCMD rebirths). Thread-safe, never blocks. QoS 0, no retain.
  std::function<void(const std::string& topic, const std::string& payload)> publish;

  session_config session;
  sparkplug::decode_limits limits;

  // Series ids for points; thread-safe. Required.
  std::shared_ptr<store::series_dictionary> dictionary;
  // Alarm rules; null or empty: no alarms.
  std::shared_ptr<const alarms::rule_set> rules;
  // Alarm states of before the restart (alarm_book.hpp saved_from_history); null: none. Each
  // series restores its own when its alarms are bound.
  std::shared_ptr<const alarms::saved_alarms> saved_alarms;

  // The bytes of messages between MQTT and the store (backlog_ticket); null: not measured.
  std::shared_ptr<pipeline_backlog> backlog;

  storage_actors::store_writer_actor writer; // required
  alarms::alarm_book_actor alarm_book;       // null: alarm transitions are only counted
};

using host_context_ptr = std::shared_ptr<const host_context>;

} // namespace floe::host
