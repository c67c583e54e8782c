#include "actors/windows/window_aggregator.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace floe::windows {

namespace {

// Stands in for a missing raw source: every read fails, so late points are reported as
// recompute failures instead of crashing the actor.
class unavailable_source : public raw_point_source {
public:
  result<std::vector<sample>, errc> points(uint64_t, int64_t, int64_t) override {
    return make_unexpected(errc::missing_raw_source);
  }
  result<std::optional<sample>, errc> last_before(uint64_t, int64_t) override {
    return make_unexpected(errc::missing_raw_source);
  }
  result<std::optional<sample>, errc> first_from(uint64_t, int64_t) override {
    return make_unexpected(errc::missing_raw_source);
  }
};

int64_t now_ms(window_aggregator_pointer self) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return duration_cast<milliseconds>(self->clock().now().time_since_epoch()).count();
}

// Sends what this message closed to the sink, in one batch.
void emit(window_aggregator_pointer self) {
  auto& st = self->state;
  if (st.closed.empty())
    return;
  st.stats.windows_emitted += st.closed.size();
  if (st.setup.sink)
    self->send(st.setup.sink, closed_windows{std::move(st.closed)});
  // Without a sink too, keep no capacity: a tick can close a window of every series at once.
  std::vector<window_result>{}.swap(st.closed);
}

void count(aggregator_stats& stats, const add_report& r) {
  stats.points_accepted += r.accepted;
  stats.points_late += r.late;
  stats.points_rejected += r.rejected;
  stats.recompute_failures += r.recompute_failures;
}

// The windows of a series, rebuilt from raw points when the series is not in memory yet.
// kind: the kind the caller's points have (a different in-memory kind is closed and replaced),
// or none to accept what the raw points say. Null when the kind is open and raw has nothing.
series_windows* find_or_rebuild(window_aggregator_pointer self, uint64_t id,
                                std::optional<value_kind> kind, int64_t now) {
  auto& st = self->state;
  if (auto* sw = st.series.find(id)) {
    if (!kind || sw->kind() == *kind)
      return sw;
    sw->close_all(st.closed);
    ++st.stats.kind_changes;
    *sw = series_windows{id, *kind, st.setup.config};
    return sw;
  }
  if (id >= st.setup.fresh_series_from) {
    if (!kind)
      return nullptr;
    return &st.series.insert(series_windows{id, *kind, st.setup.config});
  }
  auto rebuilt = series_windows::rebuild(id, st.setup.config, *st.setup.raw, now, st.closed);
  if (!rebuilt) {
    ++st.stats.recompute_failures;
  } else if (*rebuilt && (!kind || (*rebuilt)->kind() == *kind)) {
    ++st.stats.rebuilds;
    return &st.series.insert(std::move(**rebuilt));
  }
  if (!kind)
    return nullptr;
  return &st.series.insert(series_windows{id, *kind, st.setup.config});
}

// Spreads the ids of a shard (consecutive ids, or those shard_of picked) over the slots.
size_t slot_hash(uint64_t id) {
  id ^= id >> 33;
  id *= 0xff51afd7ed558ccdULL;
  id ^= id >> 33;
  return static_cast<size_t>(id);
}

} // namespace

series_windows* series_table::find(uint64_t id) {
  if (index_.empty())
    return nullptr;
  size_t mask = index_.size() - 1;
  for (size_t i = slot_hash(id) & mask;; i = (i + 1) & mask) {
    uint32_t slot = index_[i];
    if (slot == empty_slot)
      return nullptr;
    auto& sw = at(slot);
    if (sw.series_id() == id)
      return &sw;
  }
}

void series_table::grow_index() {
  std::vector<uint32_t> next(index_.empty() ? 16 : index_.size() * 2, empty_slot);
  size_t mask = next.size() - 1;
  for (uint32_t slot = 0; slot < size_; ++slot) {
    size_t i = slot_hash(at(slot).series_id()) & mask;
    while (next[i] != empty_slot)
      i = (i + 1) & mask;
    next[i] = slot;
  }
  index_.swap(next);
}

series_windows& series_table::insert(series_windows sw) {
  // At most 3/4 of the slots in use, so probes stay short.
  if ((size_ + 1) * 4 > index_.size() * 3)
    grow_index();
  if (chunks_.empty() || chunks_.back().size() == chunk_size) {
    chunks_.emplace_back();
    chunks_.back().reserve(chunk_size); // exactly: no reallocation, stable addresses
  }
  auto slot = static_cast<uint32_t>(size_);
  size_t mask = index_.size() - 1;
  size_t i = slot_hash(sw.series_id()) & mask;
  while (index_[i] != empty_slot)
    i = (i + 1) & mask;
  chunks_.back().push_back(std::move(sw));
  index_[i] = slot;
  ++size_;
  return chunks_.back().back();
}

window_aggregator_actor::behavior_type window_aggregator(window_aggregator_pointer self,
                                                         aggregator_setup setup) {
  if (!setup.raw)
    setup.raw = std::make_shared<unavailable_source>();
  self->state.setup = std::move(setup);
  auto interval = std::chrono::milliseconds(self->state.setup.tick_interval_ms);
  if (interval.count() > 0)
    self->delayed_send(self, interval, caf::tick_atom::value);
  return {
    [=](point_batch& batch) {
      auto& st = self->state;
      auto now = now_ms(self);
      auto& pts = batch.points;
      std::stable_sort(pts.begin(), pts.end(), [](const sample& a, const sample& b) {
        return a.series_id < b.series_id;
      });
      // Runs of one series and one kind, each in arrival order.
      for (size_t i = 0; i < pts.size();) {
        size_t j = i + 1;
        while (j < pts.size() && pts[j].series_id == pts[i].series_id
               && pts[j].kind == pts[i].kind)
          ++j;
        auto* sw = find_or_rebuild(self, pts[i].series_id, pts[i].kind, now);
        count(st.stats, sw->add(&pts[i], j - i, now, *st.setup.raw, st.closed));
        i = j;
      }
      emit(self);
    },
    [=](caf::tick_atom) {
      auto& st = self->state;
      auto now = now_ms(self);
      st.series.for_each([&](series_windows& sw) { sw.advance_processing_time(now, st.closed); });
      emit(self);
      // Only the own timer re-arms, so ticks sent by others never multiply it.
      if (interval.count() > 0 && self->current_sender() == self->ctrl())
        self->delayed_send(self, interval, caf::tick_atom::value);
    },
    [=](caf::flush_atom) -> uint64_t {
      auto& st = self->state;
      uint64_t n = 0;
      st.series.for_each([&](series_windows& sw) { n += sw.close_all(st.closed); });
      emit(self);
      return n;
    },
    [=](caf::get_atom, uint64_t series_id) -> std::vector<window_result> {
      auto* sw = find_or_rebuild(self, series_id, std::nullopt, now_ms(self));
      emit(self);
      if (sw == nullptr)
        return {};
      return sw->open_windows();
    },
    [=](rebuild_atom, const std::vector<uint64_t>& ids) -> uint64_t {
      uint64_t held = 0;
      auto now = now_ms(self);
      for (auto id : ids)
        if (find_or_rebuild(self, id, std::nullopt, now) != nullptr)
          ++held;
      emit(self);
      return held;
    },
    [=](stats_atom) -> aggregator_stats {
      auto& st = self->state;
      auto stats = st.stats;
      stats.series = st.series.size();
      stats.open_windows = 0;
      st.series.for_each([&](series_windows& sw) { stats.open_windows += sw.open_window_count(); });
      return stats;
    },
  };
}

result<window_aggregator_actor, errc> spawn_window_aggregator(caf::actor_system& sys,
                                                              aggregator_setup setup) {
  if (!setup.raw)
    return make_unexpected(errc::missing_raw_source);
  auto checked = make_window_config(setup.config.widths_ms, setup.config.allowed_lateness_ms,
                                    setup.config.rebuild_reemit_ms);
  if (!checked)
    return make_unexpected(checked.error());
  setup.config = std::move(*checked);
  return sys.spawn(window_aggregator, std::move(setup));
}

void add_window_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<sample>("floe::windows::sample");
  cfg.add_message_type<window_result>("floe::windows::window_result");
  cfg.add_message_type<point_batch>("floe::windows::point_batch");
  cfg.add_message_type<closed_windows>("floe::windows::closed_windows");
  cfg.add_message_type<aggregator_stats>("floe::windows::aggregator_stats");
  cfg.add_message_type<std::vector<uint64_t>>("std::vector<uint64_t>");
  cfg.add_message_type<window_sink_actor>("floe::windows::window_sink_actor");
  cfg.add_message_type<window_aggregator_actor>("floe::windows::window_aggregator_actor");
}

} // namespace floe::windows
