#pragma once
// device_actor: one Sparkplug device (or, under the empty device id, the edge node's own
// metrics). Its job: the device's current state. It keeps per metric the birth definition,
// the last live value with its timestamp and quality, and the stale flag; it turns every value
// into a stored point (sent to the store_writer, which forwards window samples after commit)
// and evaluates the alarm rules of its metrics and its offline rule.
//
// Rules:
// * device_birth replaces the metric set (metrics not in the new birth are forgotten; alarms of
//   metrics that stay keep their state) and writes the birth to the registry.
// * A live value replaces the current one unless it is older; historical values (is_historical)
//   are stored and windowed but never touch the current value or live alarms. Transient values
//   (is_transient) update the current value but are not stored.
// * Offline marks every metric stale (quality 500 from then on, until the next value).
// * Alarm deadlines (delays, no_data) are scheduled with one timer per actor.
// Spawned by its edge_node_supervisor (linked: it ends with the supervisor).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/alarms/series_alarms.hpp"
#include "actors/host/deadline_timer.hpp"
#include "actors/host/host_context.hpp"
#include "actors/host/host_messages.hpp"
#include "store/keys.hpp"

namespace floe::host {

struct tracked_metric {
  metric_definition def;
  store::series_id series = 0; // 0: no id (dictionary failed): not stored
  sparkplug::value value;      // monostate until a value arrives (or null)
  int64_t timestamp_ms = 0;
  int32_t quality = quality_good;
  bool has_value = false;
  bool stale = false;
  uint64_t updates = 0;
  std::unique_ptr<alarms::series_alarms> alarms; // null: no rule applies
};

struct device_actor_state {
  static inline const char* name = "device_actor";
  host_context_ptr ctx;
  std::string group;
  std::string edge_node;
  std::string device;
  bool online = false;
  int64_t birth_timestamp = 0;
  int64_t offline_timestamp = 0;
  uint64_t messages = 0;
  uint64_t unstored_points = 0; // values without a series id
  std::map<std::string, tracked_metric> metrics;
  std::unique_ptr<alarms::series_alarms> presence_alarms; // offline rules of this scope
  deadline_timer alarm_timer; // earliest alarm deadline of the device
};

using device_pointer = device_actor::stateful_pointer<device_actor_state>;

device_actor::behavior_type device_behavior(device_pointer self, host_context_ptr ctx,
                                            std::string group, std::string edge_node,
                                            std::string device);

} // namespace floe::host
