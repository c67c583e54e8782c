#pragma once
// series_alarms: every alarm of one series (one per rule that applies to it), evaluated
// deterministically from explicit timestamps. The device actor owns one per metric plus one
// for the device itself (offline rules), and the edge-node supervisor one for the node; each
// call returns the transitions it caused, in order, for storage and history.
//
// Time model (all times ms since the Unix epoch; one clock per series_alarms):
// - Values are held between samples ("sample and hold"). A raise (clear) delay is met when the
//   condition has held for the delay; the transition is stamped at the moment it was met
//   (condition start + delay), whether a later sample or a tick discovers it. So the events do
//   not depend on how often on_tick is called; ticks only make them appear sooner.
// - no_data compares on_tick's `now_ms` with the newest sample time, so samples must carry the
//   time base of the ticks (arrival time, or device time from well-synchronised clocks).
// - A sample older than the newest one seen is ignored (late/historical data is for storage,
//   not for live alarms). Equal timestamps are processed in call order.
// - Event times of one alarm never go backwards: a transition earlier than the alarm's
//   previous one is stamped with the previous one's time.
//
// Rules by kind:
// - high/low/rate_of_change judge only good-quality finite values; a bad or stale sample, a
//   null or a non-numeric value leaves them as they are (including a running delay).
// - rate_of_change judges |v - v_ref| / (t - t_ref) in units per second, where ref is the
//   newest sample at least span_ms older than this one: an average over at least one span
//   (longer when samples are sparse). Until the history covers one span (after creation or
//   going online) it does not judge.
// - bad_quality raises on quality 0 or any unknown code (and 500 with include_stale), clears on
//   192; 500 without include_stale leaves it as it is.
// - no_data raises when no sample arrived for timeout_ms (stamped last sample + timeout) and
//   clears on the next sample, whatever its value or quality. It does not raise while the
//   series is offline: offline rules report that. Going online restarts the timeout.
// - offline raises on on_offline and clears on on_online (with the rule's delays).
// - Going offline cancels running delays of value rules and forgets rate_of_change history:
//   the next value after going online starts afresh. Active alarms stay as they are.
//
// Not thread-safe; owned by one actor; movable, not copyable. The rule_set is shared and must
// not change. Memory: about 100 bytes per bound rule until an alarm first raises.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/alarms/alarm_types.hpp"
#include "common/result.hpp"

namespace floe::alarms {

class rule_set;
struct rule;

class series_alarms {
public:
  // Binds the rules of `rules` that apply to `key` (rule_set::match). `now_ms` starts the
  // no_data timeouts. The series starts online.
  series_alarms(std::shared_ptr<const rule_set> rules, series_key key, int64_t now_ms);

  const series_key& key() const noexcept { return key_; }
  // No rule applies: the owner may drop this object and skip the calls.
  bool empty() const noexcept { return alarms_.empty(); }
  size_t size() const noexcept { return alarms_.size(); }
  bool offline() const noexcept { return offline_; }

  std::vector<alarm_event> on_sample(const sample& s);
  std::vector<alarm_event> on_value(int64_t timestamp_ms, double value,
                                    int32_t quality = quality_good);
  // Boolean metrics: true is 1, false is 0 for thresholds.
  std::vector<alarm_event> on_state(int64_t timestamp_ms, bool value,
                                    int32_t quality = quality_good);
  // An update without a numeric value (null, string, ...): counts for no_data and bad_quality.
  std::vector<alarm_event> on_quality(int64_t timestamp_ms, int32_t quality);

  // Confirms delays and no_data timeouts that expired at or before `now_ms`.
  std::vector<alarm_event> on_tick(int64_t now_ms);

  // Repeated calls without a change in between do nothing.
  std::vector<alarm_event> on_offline(int64_t timestamp_ms);
  std::vector<alarm_event> on_online(int64_t timestamp_ms);

  // An operator acknowledges an alarm while it is unack_active or unack_cleared.
  result<alarm_event, ack_error> acknowledge(std::string_view alarm_id, std::string_view who,
                                             int64_t timestamp_ms);

  // After a restart: every bound alarm found in `saved` continues its occurrence count, and one
  // that was not normal takes the saved state, message and acknowledgement, as if it had never
  // stopped; the next
  // judgement clears (or keeps) it as usual. Returns one event per restored alarm (its last
  // transition, as stored) for the alarm book's active list; nothing new to store. Call before
  // any sample.
  std::vector<alarm_event> restore(const saved_alarms& saved);

  // One entry per bound rule, in rule file order, normal ones included.
  std::vector<alarm_status> status() const;

  // Earliest time at which on_tick could produce an event (a running delay or a no_data
  // timeout), or nullopt when only a sample or an on/offline call can. Lets the owner schedule
  // one timer instead of ticking at a fixed rate.
  std::optional<int64_t> next_deadline() const noexcept;

private:
  // How one input looks to a rule.
  enum class condition : uint8_t {
    raise,   // the raise condition holds
    clear,   // the clear condition holds
    neither, // inside the hysteresis band: stops a running delay in either direction
    unknown, // no judgement possible: changes nothing
  };

  // Filled at the first raise and kept afterwards (for status()): most alarms never raise,
  // so a bound alarm allocates nothing until then.
  struct record {
    int64_t raised_ms = 0;
    std::optional<double> raised_value;
    std::optional<int64_t> cleared_ms;
    std::optional<int64_t> acknowledged_ms;
    std::string acknowledged_by;
    std::string message;
  };

  using rate_history = std::deque<std::pair<int64_t, double>>; // (time, value)

  struct alarm {
    const rule* def = nullptr;
    alarm_state state = alarm_state::normal;
    uint64_t occurrence = 0;
    std::optional<int64_t> last_transition_ms;
    std::optional<int64_t> pending_since_ms; // condition for the next transition holds since
    std::optional<double> reading;           // latest judged reading (held value)
    std::unique_ptr<record> rec;             // null until the first raise
    std::unique_ptr<rate_history> history;   // rate_of_change only
  };

  static bool is_active(alarm_state s) noexcept {
    return s == alarm_state::unack_active || s == alarm_state::ack_active;
  }
  int64_t delay_of(const alarm& a) const noexcept;
  std::optional<int64_t> deadline_of(const alarm& a) const noexcept;

  void advance(int64_t now_ms, std::vector<alarm_event>& out);
  void judge(alarm& a, condition c, int64_t t, std::vector<alarm_event>& out);
  void raise(alarm& a, int64_t t, std::vector<alarm_event>& out);
  void clear(alarm& a, int64_t t, std::vector<alarm_event>& out);
  condition rate_condition(alarm& a, int64_t t, double value);
  alarm_event make_event(alarm& a, transition what, int64_t t, std::optional<double> value);

  std::shared_ptr<const rule_set> rules_;
  series_key key_;
  std::vector<alarm> alarms_;
  int64_t last_update_ms_;                  // no_data reference: newest sample or online time
  std::optional<int64_t> newest_sample_ms_; // samples before this are ignored
  bool offline_ = false;
};

} // namespace floe::alarms
