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
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/alarms/series_alarms.hpp"
#include "actors/host/deadline_timer.hpp"
#include "actors/host/host_context.hpp"
#include "actors/host/host_messages.hpp"
#include "store/keys.hpp"

namespace floe::host {

// The current value of one metric. Memory: there is one per metric of every device, so
// scalars (Boolean, integers, Float, Double, DateTime) are kept inline and only other values
// (strings, bytes, arrays, DataSets, Templates) on the heap: 16 bytes instead of
// sizeof(sparkplug::value) (144) per metric.
class last_value {
public:
  last_value() = default;
  last_value(last_value&& other) noexcept : word_(other.word_), tag_(other.tag_) {
    other.tag_ = tag::none;
  }
  last_value& operator=(last_value&& other) noexcept;
  last_value(const last_value&) = delete;
  last_value& operator=(const last_value&) = delete;
  ~last_value() { clear(); }

  void set(sparkplug::value&& v);
  // A copy (monostate before the first set() and for null).
  sparkplug::value get() const;

private:
  enum class tag : uint8_t { none, boolean, signed64, unsigned64, float32, float64, boxed };
  union word {
    bool b;
    int64_t i;
    uint64_t u;
    float f;
    double d;
    sparkplug::value* boxed; // owned, tag::boxed only
  };
  void clear() noexcept;

  word word_{};
  tag tag_ = tag::none;
};
static_assert(sizeof(last_value) == 16);

// One metric of the device's last birth, in birth order (an update names its metric by its
// position in that birth, metric_update::index). Memory: one per metric of every device; the
// birth definition is reduced to what the device shows (name, datatype, alias, properties).
struct tracked_metric {
  std::string name;
  store::series_id series = 0; // 0: not stored (no id from the dictionary, or not tracked)
  last_value value;            // valid when has_value
  int64_t timestamp_ms = 0;
  uint64_t updates = 0;
  uint64_t alias = 0;          // valid when has_alias
  std::unique_ptr<const sparkplug::property_set> properties; // null: the birth gave none
  std::unique_ptr<alarms::series_alarms> alarms;             // null: no rule applies
  int32_t quality = quality_good;
  sparkplug::datatype type = sparkplug::datatype::unknown;
  bool tracked = true;         // false: a template definition (its values are ignored)
  bool has_alias = false;
  bool has_value = false;
  bool stale = false;
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
  std::vector<tracked_metric> metrics; // in birth order (metric_update::index)
  std::unique_ptr<alarms::series_alarms> presence_alarms; // offline rules of this scope
  deadline_timer alarm_timer; // earliest alarm deadline of the device
};

using device_pointer = device_actor::stateful_pointer<device_actor_state>;

device_actor::behavior_type device_behavior(device_pointer self, host_context_ptr ctx,
                                            std::string group, std::string edge_node,
                                            std::string device);

} // namespace floe::host
