#pragma once
// Messages and the typed interface of the alarm_book: the member's index of alarms. Device
// actors and supervisors own the alarm state machines (series_alarms) and report every
// transition here; the book keeps the latest state of each alarm and recent history for
// queries, forwards transitions to the store, and routes acknowledgements to the owner.
//
// alarm_book_actor:
//   alarm_report                               transitions of one owner, in order
//   list_atom, bool active_only, uint64 limit -> vector<alarm_view>
//       active_only: alarms not in normal state (newest first); else history, newest first;
//       limit 0: no limit
//   ack_atom, alarm id, operator -> std::string    acknowledged by the owner; error if unknown

#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/alarms/alarm_types.hpp"
#include "actors/host/host_messages.hpp"

namespace floe::alarms {

struct alarm_report {
  std::vector<alarm_event> events;
  host::alarm_owner_actor owner;
  // States restored after a restart (series_alarms::restore): they update the active list and
  // the owner, but are neither logged as transitions nor stored again.
  bool restored = false;
};

// One alarm transition or state, for display.
struct alarm_view {
  std::string alarm_id;
  std::string rule;
  std::string series;    // to_string(series_key)
  std::string kind;
  std::string severity;
  std::string transition; // of the event (history) or of the last event (active list)
  std::string state;      // after it
  int64_t timestamp_ms = 0;
  std::string value;      // "" when the event has none
  std::string message;
  uint64_t occurrence = 0;
  std::string acknowledged_by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alarm_view& x) {
  return f(caf::meta::type_name("floe::alarms::alarm_view"), x.alarm_id, x.rule, x.series,
           x.kind, x.severity, x.transition, x.state, x.timestamp_ms, x.value, x.message,
           x.occurrence, x.acknowledged_by);
}

alarm_view view_of(const alarm_event& e);

using alarm_book_actor = caf::typed_actor<
  caf::reacts_to<alarm_report>,
  caf::replies_to<host::list_atom, bool, uint64_t>::with<std::vector<alarm_view>>,
  caf::replies_to<host::ack_atom, std::string, std::string>::with<std::string>>;

} // namespace floe::alarms

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(floe::alarms::alarm_report)
