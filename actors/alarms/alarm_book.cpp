#include "actors/alarms/alarm_book.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <tuple>

#include <caf/typed_event_based_actor.hpp>

#include "common/log.hpp"

namespace floe::alarms {

alarm_view view_of(const alarm_event& e) {
  alarm_view v;
  v.alarm_id = e.alarm_id;
  v.rule = e.rule;
  v.series = to_string(e.series);
  v.kind = to_string(e.kind);
  v.severity = to_string(e.level);
  v.transition = to_string(e.what);
  v.state = to_string(e.state);
  v.timestamp_ms = e.timestamp_ms;
  if (e.value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", *e.value);
    v.value = buf;
  }
  v.message = e.message;
  v.occurrence = e.occurrence;
  v.acknowledged_by = e.acknowledged_by;
  return v;
}

saved_alarms saved_from_history(const std::vector<alarm_view>& history) {
  saved_alarms out;
  for (const auto& v : history) {
    auto state = alarm_state_from_string(v.state);
    if (!state)
      continue;
    auto it = out.find(v.alarm_id);
    if (it != out.end() && it->second.last_transition_ms > v.timestamp_ms)
      continue;
    saved_alarm& s = out[v.alarm_id];
    // The acknowledgement is kept while the occurrence lasts (its events after the ack do not
    // repeat the name).
    std::string acked = v.transition == "acknowledged" ? v.acknowledged_by
                        : (it != out.end() && it->second.occurrence == v.occurrence)
                          ? it->second.acknowledged_by
                          : std::string{};
    s.state = *state;
    s.occurrence = v.occurrence;
    s.last_transition_ms = v.timestamp_ms;
    s.message = v.message;
    s.acknowledged_by = std::move(acked);
  }
  return out;
}

alarm_book_actor::behavior_type alarm_book(alarm_book_pointer self,
                                           storage_actors::store_writer_actor writer,
                                           size_t history_limit,
                                           std::vector<alarm_view> restored) {
  self->state.writer = std::move(writer);
  self->state.history_limit = history_limit;
  for (auto& v : restored)
    self->state.history.push_back(std::move(v));
  while (self->state.history.size() > history_limit)
    self->state.history.pop_front();
  return {
    [=](alarm_report& r) {
      auto& st = self->state;
      if (r.restored) {
        for (auto& e : r.events) {
          auto& slot = st.alarms[e.alarm_id];
          slot.last = std::move(e);
          slot.owner = r.owner;
        }
        return;
      }
      for (auto& e : r.events) {
        if (e.what != transition::acknowledged)
          log::info("alarm", "%s %s [%s] %s", to_string(e.what), e.alarm_id.c_str(),
                    to_string(e.level), e.message.c_str());
        else
          log::info("alarm", "acknowledged %s by %s", e.alarm_id.c_str(),
                    e.acknowledged_by.c_str());
        auto& slot = st.alarms[e.alarm_id];
        slot.last = e;
        slot.owner = r.owner;
        st.history.push_back(view_of(e));
        while (st.history.size() > st.history_limit)
          st.history.pop_front();
      }
      if (st.writer)
        self->send(st.writer, storage_actors::alarm_records{std::move(r.events)});
    },
    [=](host::list_atom, bool active_only, uint64_t limit) {
      auto& st = self->state;
      if (limit == 0) // as in history requests: no limit of the caller's own
        limit = std::numeric_limits<uint64_t>::max();
      std::vector<alarm_view> out;
      if (active_only) {
        std::vector<const alarm_event*> active;
        for (auto& [id, e] : st.alarms)
          if (e.last.state != alarm_state::normal)
            active.push_back(&e.last);
        std::sort(active.begin(), active.end(), [](auto* a, auto* b) {
          return std::tie(b->timestamp_ms, b->alarm_id) < std::tie(a->timestamp_ms, a->alarm_id);
        });
        for (auto* e : active) {
          if (out.size() >= limit)
            break;
          out.push_back(view_of(*e));
        }
      } else {
        for (auto it = st.history.rbegin(); it != st.history.rend() && out.size() < limit; ++it)
          out.push_back(*it);
      }
      return out;
    },
    [=](host::ack_atom, const std::string& id, const std::string& who)
      -> caf::result<std::string> {
      auto& st = self->state;
      auto it = st.alarms.find(id);
      if (it == st.alarms.end() || !it->second.owner)
        return caf::make_error(caf::sec::invalid_argument,
                               "unknown alarm '" + id + "' (only alarms that were raised can "
                               "be acknowledged)");
      return self->delegate(it->second.owner, host::ack_atom::value, id, who);
    },
  };
}

} // namespace floe::alarms
