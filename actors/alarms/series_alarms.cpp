#include "actors/alarms/series_alarms.hpp"

#include <cmath>
#include <limits>

#include "actors/alarms/rule_set.hpp"
#include "config/defaults.hpp"

namespace floe::alarms {

namespace {

// Timestamps come from devices and may be anything: never overflow.
int64_t saturating_add(int64_t a, int64_t b) noexcept {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b)
    return std::numeric_limits<int64_t>::max();
  return a + b; // b (a delay) is never negative
}

bool is_value_rule(rule_kind k) noexcept {
  return k == rule_kind::high || k == rule_kind::low || k == rule_kind::rate_of_change
         || k == rule_kind::bad_quality;
}

} // namespace

series_alarms::series_alarms(std::shared_ptr<const rule_set> rules, series_key key,
                             int64_t now_ms)
  : rules_(std::move(rules)), key_(std::move(key)), last_update_ms_(now_ms) {
  if (!rules_)
    return;
  for (auto index : rules_->match(key_)) {
    alarm a;
    a.def = &rules_->rules()[index];
    if (a.def->kind == rule_kind::rate_of_change)
      a.history = std::make_unique<rate_history>();
    alarms_.push_back(std::move(a));
  }
}

int64_t series_alarms::delay_of(const alarm& a) const noexcept {
  return is_active(a.state) ? a.def->clear_delay_ms : a.def->raise_delay_ms;
}

std::optional<int64_t> series_alarms::deadline_of(const alarm& a) const noexcept {
  if (a.pending_since_ms)
    return saturating_add(*a.pending_since_ms, delay_of(a));
  if (a.def->kind == rule_kind::no_data && !offline_ && !is_active(a.state))
    return saturating_add(last_update_ms_, a.def->timeout_ms);
  return std::nullopt;
}

std::optional<int64_t> series_alarms::next_deadline() const noexcept {
  std::optional<int64_t> out;
  for (const auto& a : alarms_) {
    auto d = deadline_of(a);
    if (d && (!out || *d < *out))
      out = d;
  }
  return out;
}

std::vector<alarm_event> series_alarms::restore(const saved_alarms& saved) {
  std::vector<alarm_event> out;
  for (auto& a : alarms_) {
    auto it = saved.find(make_alarm_id(a.def->name, key_));
    if (it == saved.end())
      continue;
    const auto& s = it->second;
    // Occurrences go on counting: (alarm id, occurrence) names one record in the history.
    a.occurrence = s.occurrence;
    if (s.state == alarm_state::normal)
      continue;
    a.state = s.state;
    a.occurrence = s.occurrence;
    a.last_transition_ms = s.last_transition_ms;
    a.pending_since_ms.reset();
    a.rec = std::make_unique<record>();
    a.rec->raised_ms = s.last_transition_ms;
    a.rec->message = s.message;
    a.rec->acknowledged_by = s.acknowledged_by;
    if (!s.acknowledged_by.empty())
      a.rec->acknowledged_ms = s.last_transition_ms;
    auto what = s.state == alarm_state::unack_cleared ? transition::cleared : transition::raised;
    out.push_back(make_event(a, what, s.last_transition_ms, std::nullopt));
  }
  return out;
}

alarm_event series_alarms::make_event(alarm& a, transition what, int64_t t,
                                      std::optional<double> value) {
  alarm_event ev;
  ev.alarm_id = make_alarm_id(a.def->name, key_);
  ev.rule = a.def->name;
  ev.series = key_;
  ev.kind = a.def->kind;
  ev.level = a.def->level;
  ev.what = what;
  ev.state = a.state;
  ev.timestamp_ms = t;
  ev.value = value;
  ev.message = a.rec->message;
  if (what == transition::acknowledged)
    ev.acknowledged_by = a.rec->acknowledged_by;
  ev.occurrence = a.occurrence;
  return ev;
}

void series_alarms::raise(alarm& a, int64_t t, std::vector<alarm_event>& out) {
  if (a.last_transition_ms && t < *a.last_transition_ms)
    t = *a.last_transition_ms;
  a.last_transition_ms = t;
  a.pending_since_ms.reset();
  if (a.state == alarm_state::normal) {
    // A new occurrence; a raise out of unack_cleared continues the open one.
    ++a.occurrence;
    if (!a.rec)
      a.rec = std::make_unique<record>();
    a.rec->message = render_message(*a.def, key_, a.reading);
    a.rec->acknowledged_ms.reset();
    a.rec->acknowledged_by.clear();
  }
  a.state = alarm_state::unack_active;
  a.rec->raised_ms = t;
  a.rec->raised_value = a.reading;
  a.rec->cleared_ms.reset();
  out.push_back(make_event(a, transition::raised, t, a.reading));
}

void series_alarms::clear(alarm& a, int64_t t, std::vector<alarm_event>& out) {
  if (a.last_transition_ms && t < *a.last_transition_ms)
    t = *a.last_transition_ms;
  a.last_transition_ms = t;
  a.pending_since_ms.reset();
  a.state = a.state == alarm_state::ack_active ? alarm_state::normal : alarm_state::unack_cleared;
  a.rec->cleared_ms = t;
  out.push_back(make_event(a, transition::cleared, t, a.reading));
}

void series_alarms::judge(alarm& a, condition c, int64_t t, std::vector<alarm_event>& out) {
  if (c == condition::unknown)
    return;
  bool active = is_active(a.state);
  if (c != (active ? condition::clear : condition::raise)) {
    a.pending_since_ms.reset(); // the condition broke before its delay ran out
    return;
  }
  if (delay_of(a) == 0) {
    if (active)
      clear(a, t, out);
    else
      raise(a, t, out);
    return;
  }
  if (!a.pending_since_ms)
    a.pending_since_ms = t;
}

void series_alarms::advance(int64_t now_ms, std::vector<alarm_event>& out) {
  for (auto& a : alarms_) {
    auto deadline = deadline_of(a);
    if (!deadline || *deadline > now_ms)
      continue;
    if (a.pending_since_ms) {
      if (is_active(a.state))
        clear(a, *deadline, out);
      else
        raise(a, *deadline, out);
    } else { // no_data timeout
      a.reading.reset();
      raise(a, *deadline, out);
    }
  }
}

series_alarms::condition series_alarms::rate_condition(alarm& a, int64_t t, double value) {
  const rule& r = *a.def;
  auto& h = *a.history;
  h.emplace_back(t, value);
  auto horizon = t < std::numeric_limits<int64_t>::min() + r.span_ms
                   ? std::numeric_limits<int64_t>::min()
                   : t - r.span_ms;
  // The reference is the newest sample at least one span old; older ones are not needed.
  while (h.size() >= 2 && h[1].first <= horizon)
    h.pop_front();
  if (h.size() > defaults::alarms::rate_max_samples) {
    // Faster than the cap per span: drop every other sample between the reference and the
    // newest. The reference stays, so the rate is still measured over at least one span.
    size_t kept = 1;
    for (size_t i = 2; i + 1 < h.size(); i += 2)
      h[kept++] = h[i];
    h[kept++] = h.back();
    h.resize(kept);
  }
  const auto& ref = h.front();
  if (ref.first > horizon || ref.first >= t)
    return condition::unknown; // the history does not cover one span yet
  auto seconds = (static_cast<double>(t) - static_cast<double>(ref.first)) / 1000.0;
  auto rate = std::fabs(value - ref.second) / seconds;
  if (!std::isfinite(rate))
    return condition::unknown;
  a.reading = rate;
  if (rate >= r.limit)
    return condition::raise;
  if (rate < r.limit - r.deadband)
    return condition::clear;
  return condition::neither;
}

std::vector<alarm_event> series_alarms::on_sample(const sample& s) {
  std::vector<alarm_event> out;
  if (newest_sample_ms_ && s.timestamp_ms < *newest_sample_ms_)
    return out;
  newest_sample_ms_ = s.timestamp_ms;
  advance(s.timestamp_ms, out);
  if (s.timestamp_ms > last_update_ms_)
    last_update_ms_ = s.timestamp_ms;
  bool judgeable = s.quality == quality_good && s.value && std::isfinite(*s.value);
  for (auto& a : alarms_) {
    const rule& r = *a.def;
    switch (r.kind) {
      case rule_kind::high:
      case rule_kind::low: {
        if (!judgeable)
          break;
        double v = *s.value;
        a.reading = v;
        condition c;
        if (r.kind == rule_kind::high)
          c = v >= r.limit                ? condition::raise
              : v < r.limit - r.deadband ? condition::clear
                                         : condition::neither;
        else
          c = v <= r.limit                ? condition::raise
              : v > r.limit + r.deadband ? condition::clear
                                         : condition::neither;
        judge(a, c, s.timestamp_ms, out);
        break;
      }
      case rule_kind::rate_of_change:
        if (judgeable)
          judge(a, rate_condition(a, s.timestamp_ms, *s.value), s.timestamp_ms, out);
        break;
      case rule_kind::no_data:
        if (is_active(a.state)) {
          a.reading.reset();
          clear(a, s.timestamp_ms, out);
        }
        break;
      case rule_kind::bad_quality: {
        condition c;
        if (s.quality == quality_good)
          c = condition::clear;
        else if (s.quality == quality_stale && !r.include_stale)
          c = condition::unknown;
        else
          c = condition::raise;
        if (c != condition::unknown)
          a.reading = static_cast<double>(s.quality);
        judge(a, c, s.timestamp_ms, out);
        break;
      }
      case rule_kind::offline:
        break;
    }
  }
  return out;
}

std::vector<alarm_event> series_alarms::on_value(int64_t timestamp_ms, double value,
                                                 int32_t quality) {
  return on_sample(sample{timestamp_ms, value, quality});
}

std::vector<alarm_event> series_alarms::on_state(int64_t timestamp_ms, bool value,
                                                 int32_t quality) {
  return on_sample(sample{timestamp_ms, value ? 1.0 : 0.0, quality});
}

std::vector<alarm_event> series_alarms::on_quality(int64_t timestamp_ms, int32_t quality) {
  return on_sample(sample{timestamp_ms, std::nullopt, quality});
}

std::vector<alarm_event> series_alarms::on_tick(int64_t now_ms) {
  std::vector<alarm_event> out;
  advance(now_ms, out);
  return out;
}

std::vector<alarm_event> series_alarms::on_offline(int64_t timestamp_ms) {
  std::vector<alarm_event> out;
  if (offline_)
    return out;
  advance(timestamp_ms, out);
  offline_ = true;
  for (auto& a : alarms_) {
    if (a.def->kind == rule_kind::offline) {
      a.reading.reset();
      judge(a, condition::raise, timestamp_ms, out);
    } else if (is_value_rule(a.def->kind)) {
      a.pending_since_ms.reset();
      if (a.history)
        a.history->clear();
    }
  }
  return out;
}

std::vector<alarm_event> series_alarms::on_online(int64_t timestamp_ms) {
  std::vector<alarm_event> out;
  if (!offline_)
    return out;
  advance(timestamp_ms, out);
  offline_ = false;
  if (timestamp_ms > last_update_ms_)
    last_update_ms_ = timestamp_ms;
  for (auto& a : alarms_) {
    if (a.def->kind == rule_kind::offline) {
      a.reading.reset();
      judge(a, condition::clear, timestamp_ms, out);
    }
  }
  return out;
}

result<alarm_event, ack_error> series_alarms::acknowledge(std::string_view alarm_id,
                                                          std::string_view who,
                                                          int64_t timestamp_ms) {
  // Ids are "<rule>@<series>": check the series once, then look for the rule.
  auto at = alarm_id.find('@');
  if (at == std::string_view::npos || alarm_id.substr(at + 1) != to_string(key_))
    return make_unexpected(ack_error::unknown_alarm);
  auto rule_name = alarm_id.substr(0, at);
  for (auto& a : alarms_) {
    if (a.def->name != rule_name)
      continue;
    if (who.empty())
      return make_unexpected(ack_error::missing_operator);
    if (a.state == alarm_state::normal)
      return make_unexpected(ack_error::not_active);
    if (a.state == alarm_state::ack_active)
      return make_unexpected(ack_error::already_acknowledged);
    auto t = timestamp_ms;
    if (a.last_transition_ms && t < *a.last_transition_ms)
      t = *a.last_transition_ms;
    a.last_transition_ms = t;
    a.state = a.state == alarm_state::unack_active ? alarm_state::ack_active
                                                   : alarm_state::normal;
    a.rec->acknowledged_ms = t;
    a.rec->acknowledged_by = std::string{who};
    return make_event(a, transition::acknowledged, t, std::nullopt);
  }
  return make_unexpected(ack_error::unknown_alarm);
}

std::vector<alarm_status> series_alarms::status() const {
  std::vector<alarm_status> out;
  out.reserve(alarms_.size());
  for (const auto& a : alarms_) {
    alarm_status st;
    st.alarm_id = make_alarm_id(a.def->name, key_);
    st.rule = a.def->name;
    st.kind = a.def->kind;
    st.level = a.def->level;
    st.state = a.state;
    st.occurrence = a.occurrence;
    if (a.rec) {
      st.raised_ms = a.rec->raised_ms;
      st.raised_value = a.rec->raised_value;
      st.cleared_ms = a.rec->cleared_ms;
      st.acknowledged_ms = a.rec->acknowledged_ms;
      st.acknowledged_by = a.rec->acknowledged_by;
      st.message = a.rec->message;
    }
    out.push_back(std::move(st));
  }
  return out;
}

} // namespace floe::alarms
