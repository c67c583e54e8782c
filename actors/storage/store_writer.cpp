#include "actors/storage/store_writer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "common/log.hpp"
#include "store/keys.hpp"
#include "store/values.hpp"

namespace floe::storage_actors {

std::string alarm_event_key(const alarms::alarm_event& e, uint32_t arrival) {
  std::string k = "e";
  store::append_be64(k, store::order_preserving(e.timestamp_ms));
  store::append_be32(k, arrival);
  k += e.alarm_id;
  k += '#';
  k += std::to_string(e.occurrence);
  k += '/';
  k += alarms::to_string(e.what);
  return k;
}

std::string alarm_event_json(const alarms::alarm_event& e) {
  nlohmann::json j{{"alarm_id", e.alarm_id},
                   {"rule", e.rule},
                   {"series", alarms::to_string(e.series)},
                   {"kind", alarms::to_string(e.kind)},
                   {"severity", alarms::to_string(e.level)},
                   {"transition", alarms::to_string(e.what)},
                   {"state", alarms::to_string(e.state)},
                   {"timestamp", e.timestamp_ms},
                   {"message", e.message},
                   {"occurrence", e.occurrence}};
  if (e.value && std::isfinite(*e.value))
    j["value"] = *e.value;
  if (!e.acknowledged_by.empty())
    j["acknowledged_by"] = e.acknowledged_by;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<alarms::alarm_view> load_alarm_history(store::storage& db, size_t limit,
                                                   size_t* skipped) {
  std::vector<alarms::alarm_view> out;
  size_t bad = 0;
  store::scan_range r{store::family::alarms, "e", "f", limit};
  r.order = store::scan_order::descending;
  auto n = db.scan(r, [&](std::string_view, std::string_view value) {
    auto j = nlohmann::json::parse(value.begin(), value.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      ++bad;
      return true;
    }
    alarms::alarm_view v;
    v.alarm_id = j.value("alarm_id", "");
    v.rule = j.value("rule", "");
    v.series = j.value("series", "");
    v.kind = j.value("kind", "");
    v.severity = j.value("severity", "");
    v.transition = j.value("transition", "");
    v.state = j.value("state", "");
    v.timestamp_ms = j.value("timestamp", int64_t{0});
    if (auto it = j.find("value"); it != j.end() && it->is_number()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", it->get<double>());
      v.value = buf;
    }
    v.message = j.value("message", "");
    v.occurrence = j.value("occurrence", uint64_t{0});
    v.acknowledged_by = j.value("acknowledged_by", "");
    if (v.alarm_id.empty()) {
      ++bad;
      return true;
    }
    out.push_back(std::move(v));
    return true;
  });
  if (!n)
    out.clear();
  std::reverse(out.begin(), out.end());
  if (skipped)
    *skipped = bad;
  return out;
}

namespace {

store::window_record record_of(const windows::window_result& w) {
  store::window_record r;
  r.series = static_cast<store::series_id>(w.series_id);
  r.width_ms = static_cast<uint64_t>(w.width_ms);
  r.start_ms = w.start_ms;
  r.count = w.count;
  r.first_ts_ms = w.first_ts_ms;
  r.last_ts_ms = w.last_ts_ms;
  r.changes = w.changes;
  switch (w.kind) {
    case windows::value_kind::numeric:
      r.kind = store::window_kind::numeric;
      r.min = w.min;
      r.max = w.max;
      r.sum = w.sum;
      r.sum_sq_dev = w.stddev * w.stddev * static_cast<double>(w.count);
      r.first = w.first;
      r.last = w.last;
      break;
    case windows::value_kind::boolean:
      r.kind = store::window_kind::boolean;
      r.last_value = w.last_flag;
      r.time_true_ms = w.time_true_ms;
      break;
    case windows::value_kind::string:
      r.kind = store::window_kind::text;
      r.last_value = w.last_text;
      break;
  }
  return r;
}

void queue_commit(store_writer_pointer self) {
  auto& st = self->state;
  if (st.commit_queued || st.retrying)
    return;
  st.commit_queued = true;
  self->send(self, commit_atom::value);
}

// Commits the batch; on success forwards its samples and resets. False on failure (the batch
// stays for the retry).
bool commit(store_writer_pointer self) {
  auto& st = self->state;
  if (st.batch.empty())
    return true;
  auto r = st.setup.db->commit(st.batch);
  if (!r) {
    ++st.stats.commit_failures;
    st.stats.last_error = store::to_string(r.error());
    static log::throttle throttle{10'000};
    if (auto n = throttle.pass(st.setup.now_ms ? st.setup.now_ms() : 0))
      log::error("store", "commit of %zu operations failed, kept for retry: %s "
                 "(%llu failures in the last interval)",
                 st.batch.size(), st.stats.last_error.c_str(),
                 static_cast<unsigned long long>(n));
    return false;
  }
  if (st.retry_delay_ms > 0) // the previous commit failed
    log::info("store", "commits succeed again (%zu operations written)", st.batch.size());
  ++st.stats.batches;
  st.stats.points_committed += st.batch_points;
  st.stats.windows_committed += st.batch_windows;
  st.stats.alarm_events_committed += st.batch_alarms;
  st.stats.births_committed += st.batch_births;
  auto now = st.setup.now_ms();
  if (st.batch_points > 0)
    st.stats.last_point_commit_ms = now;
  for (auto ts : st.live_timestamps)
    st.commit_latency.add(now - ts);
  st.live_timestamps.clear();
  st.batch.clear();
  st.batch_points = st.batch_windows = st.batch_alarms = st.batch_births = 0;
  auto& aggs = st.setup.aggregators;
  if (!aggs.empty() && !st.samples.empty()) {
    std::vector<windows::point_batch> shards(aggs.size());
    for (auto& s : st.samples)
      shards[windows::shard_of(s.series_id, aggs.size())].points.push_back(std::move(s));
    for (size_t i = 0; i < aggs.size(); ++i)
      if (!shards[i].points.empty()) {
        shards[i].ticket = backlog_ticket(
          st.setup.backlog, message_bytes<windows::sample>(shards[i].points.size()));
        self->send(aggs[i], std::move(shards[i]));
      }
  }
  st.samples.clear();
  return true;
}

void commit_or_retry(store_writer_pointer self) {
  auto& st = self->state;
  if (commit(self)) {
    st.retrying = false;
    st.retry_delay_ms = 0;
    return;
  }
  st.retrying = true;
  st.retry_delay_ms = st.retry_delay_ms == 0
                        ? st.setup.retry_min_ms
                        : std::min(st.setup.retry_max_ms, st.retry_delay_ms * 2);
  self->delayed_send(self, std::chrono::milliseconds(st.retry_delay_ms), commit_atom::value);
}

// After appending: commit at once when the batch is full, else once the mailbox is drained.
void appended(store_writer_pointer self) {
  auto& st = self->state;
  if (st.batch_points >= st.setup.batch_max_points && !st.retrying)
    commit_or_retry(self);
  else
    queue_commit(self);
}

void run_retention(store_writer_pointer self) {
  auto& st = self->state;
  auto now = st.setup.now_ms();
  auto apply = [&](store::family f, int64_t keep_ms) {
    if (keep_ms <= 0)
      return;
    if (auto r = st.setup.db->delete_older_than(f, now - keep_ms); !r)
      log::error("store", "retention of %s failed: %s", store::to_string(f),
                 store::to_string(r.error()).c_str());
  };
  apply(store::family::points, st.setup.points_retention_ms);
  apply(store::family::windows, st.setup.windows_retention_ms);
  ++st.stats.retention_runs;
}

} // namespace

store_writer_actor::behavior_type store_writer(store_writer_pointer self, store_writer_setup setup) {
  auto& st = self->state;
  st.setup = std::move(setup);
  if (!st.setup.now_ms)
    st.setup.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
    };
  st.stats.location = st.setup.db->describe();
  auto retention_every = std::chrono::milliseconds(st.setup.retention_interval_ms);
  if (retention_every.count() > 0)
    self->delayed_send(self, retention_every, caf::tick_atom::value);
  return {
    [=](window_routes& routes) { self->state.setup.aggregators = std::move(routes.aggregators); },
    [=](point_records& recs) {
      auto& st = self->state;
      if (st.batch_points + recs.points.size() > st.setup.max_pending_points) {
        st.stats.points_dropped += recs.points.size();
        static log::throttle throttle{10'000};
        if (throttle.pass(st.setup.now_ms()) > 0)
          log::error("store", "%llu points waiting for a commit: new points are dropped until "
                     "the store accepts writes again (%llu dropped so far)",
                     static_cast<unsigned long long>(st.batch_points),
                     static_cast<unsigned long long>(st.stats.points_dropped));
        return;
      }
      for (auto& p : recs.points) {
        store::put_point(st.batch, p);
        if (!p.flags.historical)
          st.live_timestamps.push_back(p.timestamp_ms);
      }
      st.batch_points += recs.points.size();
      std::move(recs.samples.begin(), recs.samples.end(), std::back_inserter(st.samples));
      appended(self);
    },
    [=](windows::closed_windows& cw) {
      auto& st = self->state;
      for (auto& w : cw.windows)
        if (store::put_window(st.batch, record_of(w)))
          ++st.batch_windows;
      appended(self);
    },
    [=](alarm_records& recs) {
      auto& st = self->state;
      for (auto& e : recs.events)
        st.batch.put(store::family::alarms, alarm_event_key(e, st.alarm_arrivals++),
                     alarm_event_json(e));
      st.batch_alarms += recs.events.size();
      appended(self);
    },
    [=](registry_record& rec) {
      auto& st = self->state;
      st.batch.put(store::family::registry, std::move(rec.key), std::move(rec.value));
      ++st.batch_births;
      appended(self);
    },
    [=](commit_atom) {
      auto& st = self->state;
      st.commit_queued = false;
      st.retrying = false; // a retry timer fired, or the queued commit came round
      commit_or_retry(self);
    },
    [=](sync_atom) -> uint64_t {
      auto& st = self->state;
      if (!st.retrying)
        commit_or_retry(self);
      else if (commit(self)) // the scheduled retry then finds nothing to do
        st.retry_delay_ms = 0;
      return st.stats.points_committed;
    },
    [=](stats_atom) -> store_stats {
      auto& st = self->state;
      auto s = st.stats;
      s.points_pending = st.batch_points;
      s.commit_latency_p50_ms = st.commit_latency.percentile(0.5);
      s.commit_latency_p99_ms = st.commit_latency.percentile(0.99);
      for (auto f : store::all_families) {
        s.family_names.emplace_back(store::to_string(f));
        auto bytes = st.setup.db->approximate_size(f);
        s.family_bytes.push_back(bytes ? *bytes : 0);
      }
      return s;
    },
    [=](caf::tick_atom) {
      run_retention(self);
      self->delayed_send(self, retention_every, caf::tick_atom::value);
    },
  };
}

} // namespace floe::storage_actors
