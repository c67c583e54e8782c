#pragma once
// alarm_book: the member's index of alarms (see alarm_messages.hpp for the interface). Its job
// is bookkeeping for queries: the latest transition of every alarm that ever left normal, who
// owns it (for acknowledgements), and the last `history_limit` transitions in memory (all of
// them also go to the store_writer, so older history stays on disk; a restarted node starts with
// the newest stored ones). Transitions are logged.

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/alarms/alarm_messages.hpp"
#include "actors/storage/storage_messages.hpp"

namespace floe::alarms {

struct alarm_book_state {
  static inline const char* name = "alarm_book";
  struct entry {
    alarm_event last;
    host::alarm_owner_actor owner;
  };
  std::unordered_map<std::string, entry> alarms; // by alarm id
  std::deque<alarm_view> history;                // oldest first
  size_t history_limit = 0;
  storage_actors::store_writer_actor writer;     // may be null (not persisted)
};

using alarm_book_pointer = alarm_book_actor::stateful_pointer<alarm_book_state>;

// `restored`: history from before a restart (storage_actors::load_alarm_history), oldest
// first. The alarms that were active then are not: their state machines start afresh with
// their devices, and raise again if their condition still holds.
// The newest event of every alarm id in `history` (any order; later entries of one timestamp
// win), for series_alarms::restore. Events with a state name it does not know are skipped.
saved_alarms saved_from_history(const std::vector<alarm_view>& history);

alarm_book_actor::behavior_type alarm_book(alarm_book_pointer self,
                                           storage_actors::store_writer_actor writer,
                                           size_t history_limit,
                                           std::vector<alarm_view> restored);

} // namespace floe::alarms
